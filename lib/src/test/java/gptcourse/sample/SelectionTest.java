package gptcourse.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Selection against what it replaces: sorting the values and reading the sorted array. */
class SelectionTest {

    /** The course's rule on a sorted copy: the first n whose running sum of the n largest reaches target
     *  (also SamplingMethodsTest's reference for top-p). */
    static Selection.Cut bySorting(double[] probs, double target) {
        double[] sorted = probs.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (int i = 0; i < sorted.length; i++) {
            sum += sorted[sorted.length - 1 - i];
            if (sum >= target) {
                return cut(probs, i + 1, sorted[sorted.length - 1 - i]);
            }
        }
        return cut(probs, sorted.length, sorted[0]);
    }

    /** Keeping the count largest of v, cut at threshold: how many are above it and equal to it. */
    private static Selection.Cut cut(double[] v, int count, double threshold) {
        int larger = (int) Arrays.stream(v).filter(x -> x > threshold).count();
        int ties = (int) Arrays.stream(v).filter(x -> x == threshold).count();
        return new Selection.Cut(count, threshold, larger, ties);
    }

    private static double[] normalised(double[] v) {
        double total = Arrays.stream(v).sum();
        return Arrays.stream(v).map(x -> x / total).toArray();
    }

    /** Distributions of the kinds a sampler meets: peaked, flat, with many ties and with zeros. */
    private static double[] distribution(Random rng, int kind, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (kind) {
                case 0 -> Math.exp(3 * rng.nextGaussian());          // a trained model's spread of logits
                case 1 -> 1.0;                                         // an untrained model: all equal
                case 2 -> rng.nextInt(5);                              // few distinct values, zeros included
                case 3 -> 1.0 / Math.pow(i + 1, 1.1);                  // Zipf, largest first
                default -> i == n / 2 ? 1.0 : 1e-12 * rng.nextInt(3);  // one token holds nearly everything
            };
        }
        return normalised(v);
    }

    @Test
    void theNucleusIsTheSortedRunningSumsFirstCountReachingTheTarget() {
        Random rng = new Random(7);
        for (int trial = 0; trial < 400; trial++) {
            int n = 1 + rng.nextInt(trial < 300 ? 60 : 50257);
            double[] probs = distribution(rng, trial % 5, n);
            double[] copy = probs.clone();
            // as the sampler asks: p - 1e-6 (a target of exactly the total would depend on the order of the
            // additions, which a sort and a selection do differently)
            double target = (trial % 7 == 0 ? 1.0 : rng.nextDouble()) - SamplingMethods.TOP_P_TOLERANCE;
            Selection.Cut expected = bySorting(probs, target);
            Selection.Cut got = Selection.nucleus(probs, target);
            assertEquals(expected, got, "trial " + trial + ", " + n + " values, kind " + trial % 5 + ", target " + target);
            assertArrayEquals(copy, probs, 0, "the argument is left alone");
        }
    }

    @Test
    void theNucleusKeepsAtLeastOneAndAllWhenTheTotalFallsShort() {
        double[] probs = {0.5, 0.3, 0.15, 0.05};
        assertEquals(new Selection.Cut(1, 0.5, 0, 1), Selection.nucleus(probs, 0.0));
        assertEquals(new Selection.Cut(1, 0.5, 0, 1), Selection.nucleus(probs, -1.0));
        assertEquals(new Selection.Cut(2, 0.3, 1, 1), Selection.nucleus(probs, 0.8 - 1e-6));
        assertEquals(new Selection.Cut(4, 0.05, 3, 1), Selection.nucleus(probs, 2.0), "rounding left the total short");
        Selection.Cut threeOfFourTies = Selection.nucleus(new double[] {0.25, 0.25, 0.25, 0.25}, 0.6);
        assertEquals(new Selection.Cut(3, 0.25, 0, 4), threeOfFourTies);
        assertEquals(false, threeOfFourTies.keepsAllTies());
        assertEquals(true, Selection.nucleus(probs, 0.8 - 1e-6).keepsAllTies());
        assertThrows(IllegalArgumentException.class, () -> Selection.nucleus(new double[0], 0.5));
    }

    @Test
    void aNaNNeitherHangsNorThrows() {
        Selection.Cut got = Selection.nucleus(new double[] {0.2, Double.NaN, 0.3, 0.5}, 0.9);
        assertEquals(true, got.count() >= 1 && got.count() <= 4, got.toString());
        Selection.largest(new double[] {Double.NaN, 1, 2}, 2);
    }

    @Test
    void theKLargestEndAtTheSortedArraysKthFromTheTop() {
        Random rng = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + rng.nextInt(trial < 250 ? 40 : 50257);
            double[] v = distribution(rng, trial % 5, n);
            double[] copy = v.clone();
            double[] sorted = v.clone();
            Arrays.sort(sorted);
            int k = 1 + rng.nextInt(n);
            assertEquals(cut(v, k, sorted[n - k]), Selection.largest(v, k), "trial " + trial + ", k " + k + " of " + n);
            assertArrayEquals(copy, v, 0);
        }
        assertEquals(new Selection.Cut(2, 5.0, 0, 3), Selection.largest(new double[] {1, 5, 5, 5, 0}, 2));
        assertEquals(new Selection.Cut(4, 1.0, 3, 1), Selection.largest(new double[] {1, 5, 5, 5, 0}, 4));
        assertThrows(IllegalArgumentException.class, () -> Selection.largest(new double[] {1, 2}, 3));
        assertThrows(IllegalArgumentException.class, () -> Selection.largest(new double[] {1, 2}, 0));
    }
}
