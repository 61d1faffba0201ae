package gptcourse.data;

import static gptcourse.data.TokenizeOptions.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class TokenizedDatasetAndLoaderTest {

    /** 10 rows of width 3; row r is [r, 100 + r, 200 + r], so a row's id is its first token. */
    private static TokenizedDataset numbered(int n) {
        int[] tokens = new int[n * 3];
        for (int r = 0; r < n; r++) {
            tokens[3 * r] = r;
            tokens[3 * r + 1] = 100 + r;
            tokens[3 * r + 2] = 200 + r;
        }
        return new TokenizedDataset(TokenRows.onHeap(tokens, n, 3), null, "numbered");
    }

    private static List<Integer> firstTokens(TokenizedDataset d) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            ids.add(d.tokens(i)[0]);
        }
        return ids;
    }

    @Test
    void sliceIsAnInt64BatchLikeDatasetColonBatchSize() {
        Batch batch = numbered(10).slice(0, 4);
        INDArray tokens = batch.get("tokens");
        assertEquals(DataType.INT64, tokens.dataType());
        assertArrayEquals(new long[] {4, 3}, tokens.shape());
        assertEquals(102L, tokens.getLong(2, 1));
        assertThrows(IllegalArgumentException.class, () -> batch.get("input_ids"));
        assertThrows(IndexOutOfBoundsException.class, () -> numbered(10).slice(5, 11));
    }

    @Test
    void trainTestSplitIsDeterministicDisjointAndComplete() {
        TokenizedDataset d = numbered(10);
        TrainTestSplit a = d.trainTestSplit(3, 42);
        TrainTestSplit b = d.trainTestSplit(3, 42);
        assertEquals(7, a.train().size());
        assertEquals(3, a.get("test").size());
        assertEquals(firstTokens(a.train()), firstTokens(b.train()));
        assertEquals(firstTokens(a.test()), firstTokens(b.test()));
        Set<Integer> all = new HashSet<>(firstTokens(a.train()));
        all.addAll(firstTokens(a.test()));
        assertEquals(10, all.size());
        assertNotEquals(firstTokens(a.test()), firstTokens(d.trainTestSplit(3, 7).test()), "seed matters");
        assertEquals(2, d.trainTestSplit(0.15, 1).test().size(), "ceil(0.15 * 10) test rows, like Hugging Face");
        assertTrue(a.toString().startsWith("DatasetDict({"), a.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.trainTestSplit(10, 0));
        assertTrue(e.getMessage().contains("testSize 10") && e.getMessage().contains("1 to 9"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.trainTestSplit(1.0, 0));
        assertThrows(IllegalArgumentException.class, () -> a.get("validation"));
    }

    @Test
    void loaderBatchesCoverEveryRowOnceAndDropLastWorks() {
        TokenizedDataset d = numbered(10);
        try (DataLoader keep = DataLoader.builder(d).batchSize(4).shuffle(false).seed(0).dropLast(false).prefetch(2).build();
                DataLoader drop = DataLoader.builder(d).batchSize(4).shuffle(false).seed(0).dropLast(true).prefetch(0).build()) {
            assertEquals(3, keep.size());
            assertEquals(2, drop.size());
            List<Integer> sizes = new ArrayList<>();
            List<Long> seen = new ArrayList<>();
            for (Batch batch : keep) {
                sizes.add(batch.size());
                assertEquals(DataType.INT64, batch.tokens().dataType());
                for (int i = 0; i < batch.size(); i++) {
                    seen.add(batch.tokens().getLong(i, 0));
                }
            }
            assertEquals(List.of(4, 4, 2), sizes);
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), seen, "no shuffle: dataset order");
            int batches = 0;
            for (Batch batch : drop) {
                assertEquals(4, batch.size());
                batches++;
            }
            assertEquals(2, batches);
        }
    }

    private static List<Long> epoch(DataLoader loader) {
        List<Long> order = new ArrayList<>();
        for (Batch batch : loader) {
            for (int i = 0; i < batch.size(); i++) {
                order.add(batch.tokens().getLong(i, 0));
            }
        }
        return order;
    }

    @Test
    void shuffleIsSeededReshuffledEachEpochAndPrefetchDoesNotChangeIt() {
        TokenizedDataset d = numbered(50);
        try (DataLoader a = DataLoader.builder(d).batchSize(8).shuffle(true).seed(42).dropLast(false).prefetch(3).build();
                DataLoader b = DataLoader.builder(d).batchSize(8).shuffle(true).seed(42).dropLast(false).prefetch(0).build()) {
            List<Long> a1 = epoch(a);
            List<Long> a2 = epoch(a);
            assertEquals(a1, epoch(b), "same seed, same first epoch, with or without prefetch");
            assertEquals(a2, epoch(b));
            assertNotEquals(a1, a2, "a new order every epoch");
            assertEquals(50, new HashSet<>(a1).size());
        }
    }

    @Test
    void breakingOutOfAnEpochLeavesNoThreadBehind() throws InterruptedException {
        TokenizedDataset d = numbered(200);
        DataLoader loader = DataLoader.builder(d).batchSize(2).shuffle(true).seed(1).dropLast(false).prefetch(2).build();
        for (int epochs = 0; epochs < 5; epochs++) {
            Iterator<Batch> it = loader.iterator();
            it.next(); // like max_steps_per_epoch = 1
        }
        loader.close();
        Thread.sleep(200);
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("gptcourse-dataloader") && t.isAlive()), "a loader thread is still alive");
    }

    @Test
    void endToEndFromTheStandInCorpus(@TempDir java.nio.file.Path cache) {
        try (Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load()) {
            TokenizedDataset tokens = DataUtils.tokenizeAndConcatenate(TinyStories.standIn("train", 30_000, cache.resolve("standin")), tokenizer,
                    streaming(false), maxLength(64), columnName("text"), addBosToken(true), numProc(2), cacheDir(cache));
            TrainTestSplit split = tokens.trainTestSplit(10, 0);
            DataLoader train = DataLoader.builder(split.train()).batchSize(16).shuffle(true).seed(0).dropLast(true).prefetch(2).build();
            int steps = 0;
            for (Batch batch : train) {
                assertArrayEquals(new long[] {16, 64}, batch.tokens().shape());
                assertEquals(50256L, batch.tokens().getLong(0, 0), "every row starts with BOS");
                assertTrue(batch.tokens().maxNumber().longValue() <= 50256);
                steps++;
            }
            assertEquals(split.train().size() / 16, steps);
            train.close();
        }
    }

    @Test
    void builderHasPyTorchDefaultsAndNamesBadSettings() {
        TokenizedDataset d = numbered(10);
        try (DataLoader plain = DataLoader.builder(d).build()) {
            assertEquals(1, plain.batchSize(), "batch_size=1, PyTorch's default");
            assertEquals(10, plain.size());
            assertEquals(List.of(0L, 1L, 2L), epoch(plain).subList(0, 3), "shuffle=False by default");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataLoader.builder(d).batchSize(0).build());
        assertTrue(e.getMessage().contains("batchSize 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).prefetch(-1).build());
        assertTrue(e.getMessage().contains("prefetch -1"), e.getMessage());
        assertThrows(NullPointerException.class, () -> DataLoader.builder(null));
    }
}
