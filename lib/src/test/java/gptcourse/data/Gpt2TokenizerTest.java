package gptcourse.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class Gpt2TokenizerTest {

    private static Gpt2Tokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = Gpt2Tokenizer.load();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void knownIds() {
        assertArrayEquals(new int[] {15496, 995}, tokenizer.encode("Hello world"));
        assertArrayEquals(new int[] {262}, tokenizer.encode(" the"));
        assertArrayEquals(new int[] {50256}, tokenizer.encode("<|endoftext|>"));
        assertArrayEquals(new int[] {15496, 50256, 995}, tokenizer.encode("Hello<|endoftext|> world"));
        assertArrayEquals(new int[0], tokenizer.encode(""));
        assertEquals(" the", tokenizer.decode(262));
        assertEquals(50257, tokenizer.vocabSize());
        assertEquals(50256, tokenizer.bosTokenId());
        assertEquals(50256, tokenizer.eosTokenId());
    }

    @Test
    void strTokens() {
        assertArrayEquals(new String[] {"Hello", " world"}, tokenizer.toStrTokens("Hello world"));
        assertArrayEquals(new String[] {"Once", " upon", " a", " time", ","},
                tokenizer.toStrTokens("Once upon a time,"));
        assertArrayEquals(new String[0], tokenizer.toStrTokens(""));
    }

    @Test
    void roundTripsUnicodeWhitespaceAndEmoji() {
        for (String text : List.of("Hello world", "  two  spaces\tand\ttabs\n\n\nnewlines   ",
                "naïve café, Größe, ñandú", "日本語のテキスト", "emoji 🐱‍👤 and 👍🏽!", "\u0000\u0001 control",
                "it's we'll they'd I'm you're", "<|endoftext|>between<|endoftext|>", " ", "\r\n")) {
            assertEquals(text, tokenizer.decode(tokenizer.encode(text)), "round trip of " + text);
        }
    }

    @Test
    void noTruncationOrPadding() {
        String longText = " word".repeat(3000);
        int[] ids = tokenizer.encode(longText);
        assertEquals(3000, ids.length, "DJL's default 512-token truncation must be off");
        int[][] batch = tokenizer.encodeBatch(List.of("a b c", longText, "Hello world"));
        assertEquals(3, batch[0].length, "no padding in a batch");
        assertEquals(3000, batch[1].length);
        assertArrayEquals(new int[] {15496, 995}, batch[2]);
    }

    @Test
    void matchesJtokkitOnAGeneratedCorpus() {
        Encoding reference = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
        List<String> corpus = generatedCorpus(1500, 42);
        int[][] ours = tokenizer.encodeBatch(corpus);
        long tokens = 0;
        for (int i = 0; i < corpus.size(); i++) {
            int[] expected = reference.encodeOrdinary(corpus.get(i)).toArray();
            assertArrayEquals(expected, ours[i], "text #" + i + ": " + corpus.get(i));
            assertArrayEquals(expected, tokenizer.encode(corpus.get(i)), "single encode of text #" + i);
            tokens += expected.length;
        }
        assertTrue(tokens > 50_000, "corpus too small: " + tokens + " tokens");
    }

    @Test
    void rejectsBadIdsAndClosedUse() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tokenizer.decode(new int[] {1, 50257}));
        assertTrue(e.getMessage().contains("50257") && e.getMessage().contains("[0, 50257)"), e.getMessage());
        Gpt2Tokenizer other = Gpt2Tokenizer.load();
        other.close();
        assertThrows(IllegalStateException.class, () -> other.encode("x"));
    }

    /** Random texts mixing words, numbers, punctuation, contractions, whitespace runs and non-ASCII. */
    static List<String> generatedCorpus(int count, long seed) {
        String[] pieces = {"the", "The", "cat", "Lily", "ran", "happy", "tree", "HELLO", "running", "un",
            "believable", "antidisestablishment", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "don't",
            "0", "7", "42", "2024", "3.14", "1,000,000", ".", ",", "!", "?", "...", "—", "-", "--", "(", ")", "\"",
            "'", "“", "”", "@", "#", "$", "%", "&&", "{}", "[x]", "<", ">", "<|", "|>", "endoftext",
            "café", "naïve", "Ωmega", "straße", "日本", "語", "中文字", "한국어", "Привет", "مرحبا", "עברית",
            "😀", "🐱", "👍🏽", "🏳️‍🌈", "\u200d", "\u00a0", "\u3000", "\ufeff", "\u0007"};
        String[] spaces = {" ", " ", " ", " ", "  ", "   ", "\n", "\n\n", "\t", " \n ", "\r\n", "", ""};
        SplittableRandom random = new SplittableRandom(seed);
        List<String> corpus = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 5 + random.nextInt(60);
            for (int j = 0; j < n; j++) {
                sb.append(spaces[random.nextInt(spaces.length)]);
                sb.append(pieces[random.nextInt(pieces.length)]);
            }
            if (random.nextInt(4) == 0) {
                sb.append(spaces[random.nextInt(spaces.length)]);
            }
            corpus.add(sb.toString());
        }
        return corpus;
    }
}
