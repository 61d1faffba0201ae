package gptcourse.data;

import static gptcourse.data.TokenizeOptions.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeAndConcatenateTest {

    private static final int BOS = 50256;
    private static final int EOS = 50256;
    private static final int HELLO = 15496;
    private static final int WORLD = 995;   // " world"
    private static final int THE = 262;     // " the"

    private static Gpt2Tokenizer tokenizer;

    @TempDir
    Path cache;

    @BeforeAll
    static void load() {
        tokenizer = Gpt2Tokenizer.load();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    /** Tokens: Hello world | Hello | the the  ->  stream H W EOS H EOS T T (7 tokens). */
    private static TextDataset small() {
        return TextDataset.of("small", List.of("Hello world", "Hello", " the the"));
    }

    private static int[][] rows(TokenizedDataset d) {
        int[][] rows = new int[d.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = d.tokens(i);
        }
        return rows;
    }

    @Test
    void bosRowsOfMaxLengthMinusOneAndTheTailDropped() {
        TokenizedDataset d = DataUtils.tokenizeAndConcatenate(small(), tokenizer,
                streaming(false), maxLength(4), columnName("text"), addBosToken(true), numProc(1), inMemory());
        assertArrayEquals(new int[][] {{BOS, HELLO, WORLD, EOS}, {BOS, HELLO, EOS, THE}}, rows(d));
        assertEquals(4, d.maxLength());
        assertEquals("Dataset({features: ['tokens'], num_rows: 2})", d.toString());
    }

    @Test
    void withoutBosRowsOfMaxLength() {
        TokenizedDataset d = DataUtils.tokenizeAndConcatenate(small(), tokenizer,
                streaming(false), maxLength(3), columnName("text"), addBosToken(false), numProc(1), inMemory());
        assertArrayEquals(new int[][] {{HELLO, WORLD, EOS}, {HELLO, EOS, THE}}, rows(d));
        TokenizedDataset exact = DataUtils.tokenizeAndConcatenate(small(), tokenizer,
                streaming(false), maxLength(7), columnName("text"), addBosToken(false), numProc(1), inMemory());
        assertArrayEquals(new int[][] {{HELLO, WORLD, EOS, HELLO, EOS, THE, THE}}, rows(exact), "nothing to drop");
        TokenizedDataset tooLong = DataUtils.tokenizeAndConcatenate(small(), tokenizer,
                streaming(false), maxLength(8), columnName("text"), addBosToken(false), numProc(1), inMemory());
        assertEquals(0, tooLong.size(), "fewer tokens than one row: no rows");
    }

    @Test
    void emptyTextsStillGetTheirSeparator() {
        TextDataset texts = TextDataset.of("gaps", List.of("Hello", "", " the"));
        TokenizedDataset d = DataUtils.tokenizeAndConcatenate(texts, tokenizer,
                streaming(false), maxLength(5), columnName("text"), addBosToken(false), numProc(1), inMemory());
        TokenizedDataset all = DataUtils.tokenizeAndConcatenate(texts, tokenizer,
                streaming(false), maxLength(4), columnName("text"), addBosToken(false), numProc(1), inMemory());
        assertArrayEquals(new int[][] {{HELLO, EOS, EOS, THE}}, rows(all), "join semantics: Hello + EOS + '' + EOS + the");
        assertEquals(0, d.size());
    }

    @Test
    void threadsAndStreamingGiveTheSameRowsAsTheReference() {
        TextDataset corpus = TextDataset.of("generated stories", StoryGenerator.stories(1, 40));
        // Reference: the plain definition, written out.
        List<Integer> stream = new java.util.ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            if (i > 0) {
                stream.add(EOS);
            }
            for (int id : tokenizer.encode(corpus.text(i))) {
                stream.add(id);
            }
        }
        int maxLength = 64;
        int rowCount = stream.size() / (maxLength - 1);
        TokenizedDataset one = DataUtils.tokenizeAndConcatenate(corpus, tokenizer,
                streaming(false), maxLength(maxLength), columnName("text"), addBosToken(true), numProc(1), inMemory());
        assertEquals(rowCount, one.size());
        for (int r = 0; r < rowCount; r++) {
            int[] row = one.tokens(r);
            assertEquals(BOS, row[0]);
            for (int c = 1; c < maxLength; c++) {
                assertEquals(stream.get(r * (maxLength - 1) + c - 1), row[c], "row " + r + " col " + c);
            }
        }
        TokenizedDataset three = DataUtils.tokenizeAndConcatenate(corpus, tokenizer,
                streaming(false), maxLength(maxLength), columnName("text"), addBosToken(true), numProc(3), inMemory());
        TokenizedDataset streaming = DataUtils.tokenizeAndConcatenate(corpus, tokenizer,
                streaming(true), maxLength(maxLength), columnName("text"), addBosToken(true), numProc(8), inMemory());
        assertArrayEquals(rows(one), rows(three));
        assertArrayEquals(rows(one), rows(streaming));
    }

    @Test
    void cachedOnDiskAndReusedWithoutTokenizing() throws IOException {
        TextDataset corpus = TextDataset.of("generated stories", StoryGenerator.stories(1, 40));
        TokenizedDataset first = DataUtils.tokenizeAndConcatenate(corpus, tokenizer,
                streaming(false), maxLength(32), columnName("text"), addBosToken(true), numProc(2), cacheDir(cache));
        TokenizedDataset inMemory = DataUtils.tokenizeAndConcatenate(corpus, tokenizer,
                streaming(false), maxLength(32), columnName("text"), addBosToken(true), numProc(2), inMemory());
        assertArrayEquals(rows(inMemory), rows(first));
        try (Stream<Path> files = Files.list(cache)) {
            List<Path> list = files.toList();
            assertEquals(2, list.size(), list.toString()); // <key>.int32 + <key>.meta, no temp left
            Path data = list.stream().filter(p -> p.toString().endsWith(".int32")).findFirst().orElseThrow();
            assertEquals(4L * first.size() * 32, Files.size(data));
            // Plain little-endian int32, row-major: numpy.memmap(path, dtype="<i4").reshape(-1, 32).
            java.nio.IntBuffer ints = java.nio.ByteBuffer.wrap(Files.readAllBytes(data))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).asIntBuffer();
            int[] row1 = new int[32];
            ints.get(32, row1);
            assertArrayEquals(first.tokens(1), row1);
        }
        // A closed tokenizer cannot tokenize: the second call must come from the cache.
        Gpt2Tokenizer closed = Gpt2Tokenizer.load();
        closed.close();
        TokenizedDataset second = DataUtils.tokenizeAndConcatenate(corpus, closed,
                streaming(false), maxLength(32), columnName("text"), addBosToken(true), numProc(2), cacheDir(cache));
        assertArrayEquals(rows(first), rows(second));
        // Another maxLength is another cache entry.
        TokenizedDataset other = DataUtils.tokenizeAndConcatenate(corpus, tokenizer,
                streaming(false), maxLength(16), columnName("text"), addBosToken(true), numProc(2), cacheDir(cache));
        assertEquals(16, other.maxLength());
        assertThrows(IllegalStateException.class,
                () -> DataUtils.tokenizeAndConcatenate(corpus, closed,
                        streaming(false), maxLength(33), columnName("text"), addBosToken(true), numProc(2), cacheDir(cache)));
    }

    @Test
    void rejectsBadArgumentsWithTheValueAndWhatIsAccepted() {
        IllegalArgumentException column = assertThrows(IllegalArgumentException.class,
                () -> DataUtils.tokenizeAndConcatenate(small(), tokenizer,
                        streaming(false), maxLength(8), columnName("story"), addBosToken(true), numProc(1), inMemory()));
        assertTrue(column.getMessage().contains("\"story\"") && column.getMessage().contains("\"text\""), column.getMessage());
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> DataUtils.tokenizeAndConcatenate(small(), tokenizer,
                        streaming(false), maxLength(1), columnName("text"), addBosToken(true), numProc(1), inMemory()));
        assertTrue(length.getMessage().contains("maxLength 1"), length.getMessage());
        IllegalArgumentException procs = assertThrows(IllegalArgumentException.class,
                () -> DataUtils.tokenizeAndConcatenate(small(), tokenizer,
                        streaming(false), maxLength(8), columnName("text"), addBosToken(true), numProc(0), inMemory()));
        assertTrue(procs.getMessage().contains("numProc 0"), procs.getMessage());
    }

    @Test
    void namedOptionsHaveTransformerLensDefaultsAndAnyOrder() {
        TokenizeOptions d = TokenizeOptions.of();
        assertEquals(false, d.streaming());
        assertEquals(1024, d.maxLength());
        assertEquals("text", d.columnName());
        assertEquals(true, d.addBosToken());
        assertEquals(10, d.numProc());
        // checked once all options are applied: maxLength(1) is fine without BOS, whichever comes first
        assertEquals(1, TokenizeOptions.of(maxLength(1), addBosToken(false)).maxLength());
        assertEquals(1, TokenizeOptions.of(addBosToken(false), maxLength(1)).maxLength());
        assertThrows(IllegalArgumentException.class, () -> TokenizeOptions.of(addBosToken(false), maxLength(1),
                addBosToken(true)));
        // a later option wins, a whole TokenizeOptions replaces the ones before it
        TokenizeOptions set = TokenizeOptions.of(maxLength(64), numProc(2), inMemory());
        assertEquals(set, TokenizeOptions.of(maxLength(8), set));
        assertEquals(null, set.cacheDir());
        assertTrue(set.toString().contains("maxLength=64") && set.toString().contains("in memory"), set.toString());
        assertThrows(NullPointerException.class, () -> cacheDir(null));
        assertThrows(NullPointerException.class, () -> TokenizeOptions.of((TokenizeOption) null));
        IllegalArgumentException nullColumn = assertThrows(IllegalArgumentException.class,
                () -> TokenizeOptions.of(columnName(null)));
        assertTrue(nullColumn.getMessage().contains("\"text\""), nullColumn.getMessage());
        // the named call and a whole record give the same rows
        assertArrayEquals(rows(DataUtils.tokenizeAndConcatenate(small(), tokenizer, maxLength(4), numProc(1), inMemory())),
                rows(DataUtils.tokenizeAndConcatenate(small(), tokenizer,
                        new TokenizeOptions(false, 4, "text", true, 1, null))));
    }
}
