package gptcourse.analysis;

import static gptcourse.data.TokenizeOptions.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gptcourse.data.DataUtils;
import gptcourse.data.Gpt2Tokenizer;
import gptcourse.data.StoryGenerator;
import gptcourse.data.TextDataset;
import gptcourse.data.TokenizedDataset;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LossBaselinesTest {

    private static final double EPS = 1e-12;
    private static final double LN2 = Math.log(2);

    @Test
    void uniformIsLnVocab() {
        assertEquals(10.825, LossBaselines.uniformEntropy(50257), 5e-4);
        assertEquals(Math.log(4), LossBaselines.uniformEntropy(4), EPS);
        assertEquals(0, LossBaselines.uniformEntropy(1), EPS);
    }

    @Test
    void unigramOfUniformOverFourIdsIsLn4() {
        assertEquals(Math.log(4), LossBaselines.unigramEntropy(new int[] {0, 1, 2, 3, 3, 2, 1, 0}, 4), EPS);
        // unused vocabulary entries add nothing
        assertEquals(Math.log(4), LossBaselines.unigramEntropy(new int[] {0, 1, 2, 3}, 50257), EPS);
    }

    @Test
    void unigramOfTwoEqualIdsIsLn2() {
        assertEquals(LN2, LossBaselines.unigramEntropy(new int[] {0, 0, 1, 1}, 2), EPS);
        assertEquals(0, LossBaselines.unigramEntropy(new int[] {5, 5, 5}, 6), EPS);
    }

    @Test
    void deterministicSuccessorHasZeroBigramEntropy() {
        int[] cycle = new int[300];
        for (int i = 0; i < cycle.length; i++) {
            cycle[i] = (i * 7) % 5; // 0 2 4 1 3 0 2 ...: each id always followed by the same one
        }
        assertEquals(0.0, LossBaselines.bigramEntropy(cycle, 5), 0.0);
        assertEquals(Math.log(5), LossBaselines.unigramEntropy(cycle, 5), EPS);
    }

    @Test
    void smallExampleByHand() {
        // [0 1 0 2]: p = (1/2, 1/4, 1/4): H = 1/2 ln 2 + 2 * 1/4 ln 4 = 3/2 ln 2.
        // pairs (0,1) (1,0) (0,2): after 0 (2 of 3 pairs) 1 or 2 equally: ln 2; after 1 always 0.
        // H(next|prev) = 2/3 ln 2.
        int[] seq = {0, 1, 0, 2};
        LossBaselines.Baselines b = LossBaselines.compute(seq, 3);
        assertEquals(Math.log(3), b.uniform(), EPS);
        assertEquals(1.5 * LN2, b.unigram(), EPS);
        assertEquals(2.0 / 3 * LN2, b.bigram(), EPS);
        assertEquals(1.5 * LN2, LossBaselines.unigramEntropy(seq, 3), EPS);
        assertEquals(2.0 / 3 * LN2, LossBaselines.bigramEntropy(seq, 3), EPS);
    }

    @Test
    void independentUniformTokensHaveBigramEqualToUnigram() {
        // all 16 pairs of a de Bruijn-like sequence once: next is independent of prev
        int[] seq = {0, 0, 1, 0, 2, 0, 3, 1, 1, 2, 1, 3, 2, 2, 3, 3, 0};
        assertEquals(Math.log(4), LossBaselines.bigramEntropy(seq, 4), EPS);
    }

    @Test
    void rowsCountTargetsAndPairsWithinRows() {
        // rows [3 0 1], [3 0 0]: targets 0 1 0 0 -> p = (3/4, 1/4);
        // pairs (3,0) (0,1) (3,0) (0,0): after 3 always 0; after 0 (half the pairs) 0 or 1: 1/2 ln 2.
        INDArray rows = Nd4j.createFromArray(new long[][] {{3, 0, 1}, {3, 0, 0}});
        double expectedUnigram = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
        assertEquals(expectedUnigram, LossBaselines.unigramEntropy(rows, 4), EPS);
        assertEquals(0.5 * LN2, LossBaselines.bigramEntropy(rows, 4), EPS);
        // rank 1 is a plain stream: [3 0 1 3 0 0] counts every token and the pair (1,3)
        INDArray stream = Nd4j.createFromArray(new int[] {3, 0, 1, 3, 0, 0});
        assertEquals(LossBaselines.unigramEntropy(new int[] {3, 0, 1, 3, 0, 0}, 4),
                LossBaselines.unigramEntropy(stream, 4), EPS);
        assertEquals(LossBaselines.bigramEntropy(new int[] {3, 0, 1, 3, 0, 0}, 4),
                LossBaselines.bigramEntropy(stream, 4), EPS);
    }

    @Test
    void countsMatchABruteForceReferenceOnRandomData() {
        SplittableRandom random = new SplittableRandom(7);
        int vocab = 300;
        int[] seq = new int[200_000]; // enough distinct pairs to make the table grow several times
        for (int i = 0; i < seq.length; i++) {
            seq[i] = random.nextInt(i % 3 == 0 ? vocab : 20);
        }
        assertEquals(reference(new int[][] {seq}, true, vocab)[1], LossBaselines.bigramEntropy(seq, vocab), 1e-10);
        assertEquals(reference(new int[][] {seq}, true, vocab)[0], LossBaselines.unigramEntropy(seq, vocab), 1e-10);
        TokenCounts counts = new TokenCounts(vocab).addSequence(seq);
        assertEquals(seq.length - 1, counts.pairCount());
        long n = 0;
        for (int i = 1; i < seq.length; i++) {
            if (seq[i - 1] == 5 && seq[i] == 7) {
                n++;
            }
        }
        assertEquals(n, counts.pairCount(5, 7));
    }

    @Test
    void datasetAgreesWithArraysAndAReference(@TempDir Path cache) {
        TokenizedDataset tokens;
        try (Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load()) {
            tokens = DataUtils.tokenizeAndConcatenate(TextDataset.of("generated stories", StoryGenerator.stories(1, 60)), tokenizer,
                    streaming(false), maxLength(64), columnName("text"), addBosToken(true), numProc(2), cacheDir(cache));
            // memory-mapped rows, each starting with BOS
        }
        int v = Gpt2Tokenizer.VOCAB_SIZE;
        int[][] rows = new int[tokens.size()][];
        int[] targets = new int[tokens.size() * (tokens.maxLength() - 1)];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = tokens.tokens(r);
            System.arraycopy(rows[r], 1, targets, r * (tokens.maxLength() - 1), tokens.maxLength() - 1);
        }
        LossBaselines.Baselines fromDataset = LossBaselines.compute(tokens, v);
        double[] expected = reference(rows, false, v);

        assertEquals(expected[0], fromDataset.unigram(), 1e-10);
        assertEquals(expected[1], fromDataset.bigram(), 1e-10);
        assertEquals(LossBaselines.unigramEntropy(targets, v), fromDataset.unigram(), 1e-10);
        assertEquals(fromDataset.unigram(), LossBaselines.unigramEntropy(tokens, v), 1e-12);
        assertEquals(fromDataset.bigram(), LossBaselines.bigramEntropy(tokens, v), 1e-12);
        LossBaselines.Baselines fromBatch = LossBaselines.compute(tokens.slice(0, tokens.size()).tokens(), v);
        assertEquals(fromDataset.unigram(), fromBatch.unigram(), 1e-12);
        assertEquals(fromDataset.bigram(), fromBatch.bigram(), 1e-12);

        assertEquals(Math.log(v), fromDataset.uniform(), EPS);
        assertTrue(0 < fromDataset.bigram() && fromDataset.bigram() < fromDataset.unigram()
                && fromDataset.unigram() < fromDataset.uniform(), fromDataset.toString());
        assertTrue(fromDataset.toString().contains("Unigram entropy"), fromDataset.toString());
        System.out.println(fromDataset);
    }

    @Test
    void clearErrors() {
        IllegalArgumentException vocab = assertThrows(IllegalArgumentException.class,
                () -> LossBaselines.uniformEntropy(0));
        assertTrue(vocab.getMessage().contains("dVocab 0"), vocab.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LossBaselines.unigramEntropy(new int[] {0}, -3));

        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> LossBaselines.unigramEntropy(new int[0], 4));
        assertTrue(empty.getMessage().contains("no token ids"), empty.getMessage());

        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> LossBaselines.bigramEntropy(new int[] {0, 1, 4, 2}, 4));
        assertTrue(range.getMessage().contains("token id 4 at position 2") && range.getMessage().contains("[0, 4)"),
                range.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LossBaselines.unigramEntropy(new int[] {-1}, 4));

        IllegalArgumentException rowRange = assertThrows(IllegalArgumentException.class,
                () -> LossBaselines.unigramEntropy(Nd4j.createFromArray(new long[][] {{0, 1}, {2, 9}}), 4));
        assertTrue(rowRange.getMessage().startsWith("row 1: token id 9"), rowRange.getMessage());

        IllegalStateException onePair = assertThrows(IllegalStateException.class,
                () -> LossBaselines.bigramEntropy(new int[] {3}, 4));
        assertTrue(onePair.getMessage().contains("no adjacent token pairs"), onePair.getMessage());

        assertThrows(IllegalArgumentException.class,
                () -> LossBaselines.unigramEntropy(Nd4j.createFromArray(0f, 1f), 4));
        assertThrows(IllegalArgumentException.class,
                () -> LossBaselines.unigramEntropy(Nd4j.createFromArray(new long[][] {{0}, {1}}), 4));
        assertThrows(IllegalStateException.class, () -> new TokenCounts(4).unigramEntropy());
    }

    /** {unigram, bigram} by the textbook formulas, with boxed maps. */
    private static double[] reference(int[][] rows, boolean countFirst, int vocab) {
        Map<Integer, Long> uni = new HashMap<>();
        Map<Long, Long> pair = new HashMap<>();
        Map<Integer, Long> prev = new HashMap<>();
        long nTokens = 0;
        long nPairs = 0;
        for (int[] row : rows) {
            for (int t = countFirst ? 0 : 1; t < row.length; t++) {
                uni.merge(row[t], 1L, Long::sum);
                nTokens++;
            }
            for (int t = 1; t < row.length; t++) {
                pair.merge((long) row[t - 1] * vocab + row[t], 1L, Long::sum);
                prev.merge(row[t - 1], 1L, Long::sum);
                nPairs++;
            }
        }
        double hUni = 0;
        for (long c : uni.values()) {
            double p = (double) c / nTokens;
            hUni -= p * Math.log(p);
        }
        double hBi = 0;
        for (Map.Entry<Long, Long> e : pair.entrySet()) {
            double pJoint = (double) e.getValue() / nPairs;
            double pCond = (double) e.getValue() / prev.get((int) (e.getKey() / vocab));
            hBi -= pJoint * Math.log(pCond);
        }
        return new double[] {hUni, hBi};
    }
}
