package gptcourse.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SamplingMethodsTest {

    private static INDArray logits(double... v) {
        return Nd4j.createFromArray(v).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }

    private static INDArray logitsOfProbs(double... probs) {
        double[] l = new double[probs.length];
        for (int i = 0; i < probs.length; i++) {
            l[i] = Math.log(probs[i]);
        }
        return logits(l);
    }

    private static Set<Integer> kept(INDArray filtered) {
        Set<Integer> s = new HashSet<>();
        double[] v = filtered.toDoubleVector();
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Double.NEGATIVE_INFINITY) {
                s.add(i);
            }
        }
        return s;
    }

    @Test
    void greedyPicksArgmaxAndLowestIdOnTies() {
        assertEquals(2, SamplingMethods.greedySearch(logits(0.1, -3, 5, 4.9)));
        assertEquals(1, SamplingMethods.greedySearch(logits(0, 7, 7, 1)));
    }

    @Test
    void temperatureDividesLogits() {
        INDArray l = logits(1, -2, 4);
        assertArrayEquals(new double[] {2, -4, 8}, SamplingMethods.applyTemperature(l, 0.5).toDoubleVector(), 1e-6);
        assertArrayEquals(new double[] {0.5, -1, 2}, SamplingMethods.applyTemperature(l, 2).toDoubleVector(), 1e-6);
        assertArrayEquals(new double[] {1, -2, 4}, l.toDoubleVector(), 0, "input unchanged");
        assertThrows(IllegalArgumentException.class, () -> SamplingMethods.applyTemperature(l, 0));
    }

    @Test
    void frequencyPenaltySubtractsCounts() {
        INDArray l = logits(1, 1, 1, 1);
        INDArray out = SamplingMethods.applyFrequencyPenalty(l, new int[] {2, 0, 2, 2}, 0.5);
        assertArrayEquals(new double[] {0.5, 1, -0.5, 1}, out.toDoubleVector(), 1e-6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SamplingMethods.applyFrequencyPenalty(l, new int[] {4}, 1));
        assertTrue(e.getMessage().contains("4"), e.getMessage());
    }

    @Test
    void topKNeverSamplesOutsideTheKLargest() {
        INDArray l = logits(0.5, 3, -1, 2.9, 0, 2.8, 1);
        Set<Integer> seen = new HashSet<>();
        for (long seed = 0; seed < 300; seed++) {
            int t = SamplingMethods.sampleTopK(l, 3, SamplingMethods.seededRandom(seed));
            assertTrue(t == 1 || t == 3 || t == 5, "sampled " + t);
            seen.add(t);
        }
        assertEquals(Set.of(1, 3, 5), seen, "all of the k largest can be drawn");
        assertEquals(Set.of(1), kept(SamplingMethods.topKFilter(l, 1)));
        assertEquals(7, kept(SamplingMethods.topKFilter(l, 100)).size());
    }

    @Test
    void topKTiesKeepLowestIds() {
        INDArray l = logits(1, 5, 5, 5, 0);
        assertEquals(Set.of(1, 2), kept(SamplingMethods.topKFilter(l, 2)));
    }

    @Test
    void topPKeepsSmallestSetReachingP() {
        INDArray probs = Nd4j.createFromArray(0.5, 0.3, 0.15, 0.05);
        assertEquals(2, SamplingMethods.topPKeepCount(probs, 0.75));
        assertEquals(2, SamplingMethods.topPKeepCount(probs, 0.8));
        assertEquals(3, SamplingMethods.topPKeepCount(probs, 0.81));
        assertEquals(1, SamplingMethods.topPKeepCount(probs, 0.1));
        assertEquals(1, SamplingMethods.topPKeepCount(probs, 0.5));
        assertEquals(4, SamplingMethods.topPKeepCount(probs, 1.0));

        // the same from float32 logits, in a shuffled order
        INDArray l = logitsOfProbs(0.15, 0.5, 0.05, 0.3);
        assertEquals(Set.of(1, 3), kept(SamplingMethods.topPFilter(l, 0.75)));
        assertEquals(Set.of(1, 3), kept(SamplingMethods.topPFilter(l, 0.8)));
        assertEquals(Set.of(0, 1, 3), kept(SamplingMethods.topPFilter(l, 0.81)));
        for (long seed = 0; seed < 200; seed++) {
            int t = SamplingMethods.sampleTopP(l, 0.8, SamplingMethods.seededRandom(seed));
            assertTrue(t == 1 || t == 3, "sampled " + t);
        }
    }

    @Test
    void theMaskOverAFullVocabularyKeepsTheRightTokensAndLeavesItsArgumentAlone() {
        // 50257 double logits with many ties at the cut: 0..99 high, then 300 ties, then the rest low
        double[] v = new double[50257];
        java.util.Arrays.fill(v, -5.0);
        for (int i = 0; i < 100; i++) {
            v[(i * 7919) % v.length] = 3.0 + i * 1e-3;
        }
        for (int i = 0; i < 300; i++) {
            v[40000 + i * 3] = 2.0;
        }
        INDArray l = Nd4j.createFromArray(v);
        INDArray copy = l.dup();
        Set<Integer> topK = kept(SamplingMethods.topKFilter(l, 150));
        assertEquals(150, topK.size());
        for (int i = 0; i < 100; i++) {
            assertTrue(topK.contains((i * 7919) % v.length));
        }
        for (int i = 0; i < 50; i++) {
            assertTrue(topK.contains(40000 + i * 3), "ties keep the lowest ids: " + (40000 + i * 3));
        }
        assertEquals(copy, l, "topKFilter changed its argument");
        Set<Integer> topP = kept(SamplingMethods.topPFilter(l, 0.5));
        assertTrue(!topP.isEmpty() && topP.size() < v.length);
        assertEquals(copy, l, "topPFilter changed its argument");
    }

    /** The ids a stable sort by descending score would put first: the n largest, ties by lowest id. */
    private static Set<Integer> firstBySorting(double[] scores, int n) {
        Integer[] ids = new Integer[scores.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        java.util.Arrays.sort(ids, (a, b) -> Double.compare(scores[b], scores[a]));   // stable: ties keep id order
        return new HashSet<>(java.util.Arrays.asList(ids).subList(0, n));
    }

    @Test
    void theFiltersKeepExactlyTheTokensASortedVocabularyWould() {
        Random rng = new Random(3);
        for (int trial = 0; trial < 60; trial++) {
            int n = 1 + rng.nextInt(trial < 45 ? 40 : 50257);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                // half the trials with few distinct values, so that ties straddle the cut
                v[i] = trial % 2 == 0 ? rng.nextInt(4) : (float) (2 * rng.nextGaussian());
            }
            INDArray l = logits(v);
            double[] asFloats = l.toDoubleVector();
            int k = 1 + rng.nextInt(n);
            assertEquals(firstBySorting(asFloats, k), kept(SamplingMethods.topKFilter(l, k)), "top-k, trial " + trial);

            double p = 0.05 + 0.95 * rng.nextDouble();
            double[] probs = SamplingMethods.probabilities(l).toDoubleVector();
            int keep = SelectionTest.bySorting(probs, p - SamplingMethods.TOP_P_TOLERANCE).count();
            assertEquals(firstBySorting(probs, keep), kept(SamplingMethods.topPFilter(l, p)), "top-p " + p + ", trial " + trial);
        }
    }

    @Test
    void topPAlwaysKeepsOneAndBreaksTiesByLowestId() {
        INDArray l = logitsOfProbs(0.9, 0.05, 0.05);
        assertEquals(Set.of(0), kept(SamplingMethods.topPFilter(l, 0.01)));
        INDArray uniform = logits(0, 0, 0, 0);
        assertEquals(Set.of(0, 1), kept(SamplingMethods.topPFilter(uniform, 0.5)));
        assertEquals(Set.of(0, 1, 2), kept(SamplingMethods.topPFilter(uniform, 0.6)));
    }

    @Test
    void sampleBasicFollowsTheDistributionAndIsReproducible() {
        INDArray l = logitsOfProbs(0.7, 0.2, 0.1, 0.0);
        int[] counts = new int[4];
        Random rng = new Random(1);
        for (int i = 0; i < 5000; i++) {
            counts[SamplingMethods.sampleBasic(l, rng)]++;
        }
        assertEquals(0, counts[3], "zero-probability token never drawn");
        assertEquals(0.7, counts[0] / 5000.0, 0.03);
        assertEquals(0.2, counts[1] / 5000.0, 0.03);
        for (long seed = 0; seed < 20; seed++) {
            assertEquals(SamplingMethods.sampleBasic(l, SamplingMethods.seededRandom(seed)), SamplingMethods.sampleBasic(l, SamplingMethods.seededRandom(seed)));
        }
    }

    @Test
    void sampleNextTokenValidatesAndIsGreedyAtZero() {
        INDArray l = logits(0, 1, 3, 2);
        assertEquals(2, SamplingMethods.sampleNextToken(new int[] {2}, l, 0, 0, 1, 0, new Random(0)));
        assertEquals(2, SamplingMethods.sampleNextToken(new int[] {2}, l, 1, 1, 1, 0, new Random(0)));
        // a big frequency penalty on token 2 moves top-1 to token 3
        assertEquals(3, SamplingMethods.sampleNextToken(new int[] {2, 2}, l, 1, 1, 1, 1.0, new Random(0)));
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class,
                () -> SamplingMethods.sampleNextToken(new int[] {0}, l, -0.5, 0, 1, 0, new Random(0)));
        assertTrue(t.getMessage().contains("-0.5"), t.getMessage());
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
                () -> SamplingMethods.sampleNextToken(new int[] {0}, l, 1, 0, 1.5, 0, new Random(0)));
        assertTrue(p.getMessage().contains("topP") && p.getMessage().contains("1.5"), p.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SamplingMethods.sampleNextToken(new int[] {0}, l, 1, 0, -0.1, 0, new Random(0)));
        assertThrows(IllegalArgumentException.class,
                () -> SamplingMethods.sampleNextToken(new int[] {0}, l, 1, -1, 0, 0, new Random(0)));
        // the course's "off" values: top_k = 0 and top_p = 0.0 filter nothing, so every token can be drawn
        java.util.Set<Integer> drawn = new java.util.HashSet<>();
        Random rng = new Random(5);
        for (int i = 0; i < 400; i++) {
            drawn.add(SamplingMethods.sampleNextToken(new int[] {0}, l, SamplingArgs.DEFAULTS, rng));
        }
        assertEquals(java.util.Set.of(0, 1, 2, 3), drawn);
        // top_p = 1.0 keeps every token too
        Random again = new Random(5);
        for (int i = 0; i < 50; i++) {
            assertTrue(SamplingMethods.sampleNextToken(new int[] {0}, l, 1, 0, 1.0, 0, again) < 4);
        }
        assertThrows(IllegalArgumentException.class,
                () -> SamplingMethods.greedySearch(Nd4j.zeros(2, 3)));
    }

    @Test
    void logitsThatAreNoDistributionGiveOneClearErrorWhateverTheSettings() {
        // a run whose loss became NaN leaves NaN weights: every token would silently be the last id
        SamplingArgs[] settings = {SamplingArgs.DEFAULTS, SamplingArgs.of(SamplingArgs.temperature(0.0)),
            SamplingArgs.of(SamplingArgs.temperature(0.7), SamplingArgs.topP(0.95)), SamplingArgs.of(SamplingArgs.topK(3))};
        INDArray withNaN = logits(0.5, Double.NaN, 2, 1, 0);
        INDArray withInfinity = logits(0.5, Double.POSITIVE_INFINITY, 2, 1, 0);
        INDArray allMasked = logits(Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY);
        for (SamplingArgs args : settings) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SamplingMethods.sampleNextToken(new int[] {0}, withNaN, args, new Random(0)), args.toString());
            assertTrue(e.getMessage().contains("1 NaN") && e.getMessage().contains("checkpoint"), e.getMessage());
            if (args.temperature() != 0) {   // greedy may pick the +inf token: it is the most likely one
                e = assertThrows(IllegalArgumentException.class,
                        () -> SamplingMethods.sampleNextToken(new int[] {0}, withInfinity, args, new Random(0)));
                assertTrue(e.getMessage().contains("1 +Infinity"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> SamplingMethods.sampleNextToken(new int[] {0}, allMasked, args, new Random(0)));
                assertTrue(e.getMessage().contains("all its 3 logits are -Infinity"), e.getMessage());
            }
        }
        // some masked tokens are fine: they are never drawn
        INDArray someMasked = logits(Double.NEGATIVE_INFINITY, 1, Double.NEGATIVE_INFINITY, 2);
        for (long seed = 0; seed < 50; seed++) {
            int t = SamplingMethods.sampleNextToken(new int[] {0}, someMasked, SamplingArgs.DEFAULTS, new Random(seed));
            assertTrue(t == 1 || t == 3, "drew " + t);
        }
    }

    @Test
    void samplingATokenFreesItsVocabularySizedTemporaries() {
        // each [d_vocab] temporary left to the garbage collector costs fresh pages for the next one
        INDArray logits = Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, 50257).muli(3);
        SamplingArgs args = SamplingArgs.of(SamplingArgs.temperature(0.7), SamplingArgs.topK(40), SamplingArgs.topP(0.95),
                SamplingArgs.frequencyPenalty(0.5));
        Random rng = new Random(0);
        int[] ids = {1, 2, 3, 2};
        SamplingMethods.sampleNextToken(ids, logits, args, rng);
        gptcourse.autograd.NativeAllocations.Report r = gptcourse.autograd.NativeAllocations.during(
                () -> SamplingMethods.sampleNextToken(ids, logits, args, rng));
        assertTrue(r.neither() < 0.1 * r.allocated(), "sampling a token left " + (r.neither() >> 10) + " KB of its "
                + (r.allocated() >> 10) + " KB to the garbage collector (" + r + ")");
    }
}
