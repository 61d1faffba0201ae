package gptcourse.sample;

import java.util.Random;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.CumSum;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * The course's sampling methods, one static method per step of {@code sample_next_token}. Each works on
 * the logits of the last position, a 1-D array {@code [d_vocab]}, and never changes its argument.
 *
 * <pre>{@code
 * int next = SamplingMethods.sampleTopK(SamplingMethods.applyTemperature(logits, 0.7), 40, rng);
 * }</pre>
 *
 * Ties are broken by the lower token id everywhere (like the course's {@code sort(stable=True)}), so a
 * filtered set never depends on how the native sort orders equal values.
 */
public final class SamplingMethods {

    /** Slack when comparing a cumulative probability with top_p: float32 logits of 0.5 and 0.3 sum to
     *  0.79999995, which must still count as reaching 0.8. */
    static final double TOP_P_TOLERANCE = 1e-6;

    private SamplingMethods() {
    }

    /** The course's {@code sample_next_token}: greedy at temperature 0, else temperature, frequency
     *  penalty, optional top-k ({@code topK == 0} is off), optional top-p ({@code topP == 0.0} is off),
     *  then a draw from {@code rng}. The settings are checked as {@link SamplingArgs} checks them.
     *
     * @param inputIds every token id so far (prompt and generated), for the frequency penalty
     * @param logits [d_vocab] logits of the last position
     */
    public static int sampleNextToken(int[] inputIds, INDArray logits, double temperature, int topK, double topP,
                                      double frequencyPenalty, Random rng) {
        return sampleNextToken(inputIds, logits, new SamplingArgs(temperature, topK, topP, frequencyPenalty, null), rng);
    }

    /**
     * {@code sample_next_token} with named settings ({@link SamplingArgs}; its {@code seed} is not read here:
     * the caller owns {@code rng}).
     */
    public static int sampleNextToken(int[] inputIds, INDArray logits, SamplingArgs args, Random rng) {
        checkLogits(logits);
        java.util.Objects.requireNonNull(args, "args");
        if (args.temperature() == 0) {
            return greedySearch(logits);
        }
        // each step makes a new [d_vocab] array; the previous one (never the caller's) is freed at once
        INDArray x = logits;
        if (args.temperature() != 1.0) {
            x = next(x, applyTemperature(x, args.temperature()), logits);
        }
        if (args.frequencyPenalty() != 0.0) {
            x = next(x, applyFrequencyPenalty(x, inputIds, args.frequencyPenalty()), logits);
        }
        if (args.topKOn()) {
            x = next(x, topKFilter(x, args.topK()), logits);
        }
        if (args.topPOn() && args.topP() < 1.0) { // top_p = 1.0 keeps every token: nothing to filter
            x = next(x, topPFilter(x, args.topP()), logits);
        }
        int token = sampleBasic(x, rng);
        free(x, logits);
        return token;
    }

    /**
     * A generator for one sampling run. The seed is scrambled first: {@code new Random(seed)} for seeds 0, 1,
     * 2... starts with almost the same first draw (0.7310, 0.7309...), so neighbouring seeds would give
     * the same text.
     */
    public static Random seededRandom(long seed) {
        return new Random(new SplittableRandom(seed).nextLong());
    }

    /** The most likely token: the argmax of {@code logits} (the lowest id among ties). */
    public static int greedySearch(INDArray logits) {
        checkLogits(logits);
        return Nd4j.argMax(logits).getInt(0);
    }

    /** {@code logits / temperature}; temperature must be positive (0 means greedy, handled by the caller). */
    public static INDArray applyTemperature(INDArray logits, double temperature) {
        checkLogits(logits);
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a positive finite number to scale logits, got "
                    + temperature + "; use greedySearch for temperature 0");
        }
        return logits.div(temperature);
    }

    /** {@code logits - penalty * count(id)}, where count is how often each id occurs in {@code inputIds}. */
    public static INDArray applyFrequencyPenalty(INDArray logits, int[] inputIds, double penalty) {
        checkLogits(logits);
        if (!Double.isFinite(penalty)) {
            throw new IllegalArgumentException("frequencyPenalty must be a finite number, got " + penalty);
        }
        long dVocab = logits.length();
        float[] counts = new float[(int) dVocab];
        for (int i = 0; i < inputIds.length; i++) {
            int id = inputIds[i];
            if (id < 0 || id >= dVocab) {
                throw new IllegalArgumentException("input id " + id + " at position " + i
                        + " is outside the vocabulary [0, " + dVocab + ")");
            }
            counts[id]++;
        }
        INDArray c = Nd4j.createFromArray(counts);
        INDArray typed = c.castTo(logits.dataType());
        INDArray out = logits.sub(typed.muli(penalty));
        free(typed, c);
        c.close();
        return out;
    }

    /** A draw from the categorical distribution {@code softmax(logits)}. */
    public static int sampleBasic(INDArray logits, Random rng) {
        checkLogits(logits);
        INDArray probs = probabilities(logits);
        double[] cumulative = runningSums(probs);
        probs.close();
        double total = cumulative[cumulative.length - 1];
        double u = rng.nextDouble() * total;
        // first index whose cumulative probability exceeds u (never a zero-probability token)
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** A draw among the {@code k} largest logits only. */
    public static int sampleTopK(INDArray logits, int k, Random rng) {
        return sampleBasic(topKFilter(logits, k), rng);
    }

    /** A draw from the nucleus: the smallest set of most likely tokens whose probability reaches {@code p}. */
    public static int sampleTopP(INDArray logits, double p, Random rng) {
        return sampleBasic(topPFilter(logits, p), rng);
    }

    /** The logits with all but the {@code k} largest set to -inf (k larger than d_vocab keeps all). */
    public static INDArray topKFilter(INDArray logits, int k) {
        checkLogits(logits);
        if (k <= 0) {
            throw new IllegalArgumentException("top_k must be a positive number of tokens to keep, got " + k);
        }
        if (k >= logits.length()) {
            return logits.dup();
        }
        INDArray sorted = sortedDescending(logits);
        double threshold = sorted.getDouble(k - 1);
        sorted.close();
        return maskAllButLargest(logits, logits, k, threshold);
    }

    /** The logits with everything outside the nucleus set to -inf; {@code 0 < p <= 1}. */
    public static INDArray topPFilter(INDArray logits, double p) {
        checkLogits(logits);
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + p);
        }
        INDArray probs = probabilities(logits);
        INDArray sorted = sortedDescending(probs);
        int n = keepCount(runningSums(sorted), p);
        double threshold = sorted.getDouble(Math.min(n, logits.length()) - 1);
        sorted.close();
        // probabilities are in the same order as the logits, so the tie rule can work on them directly
        INDArray out = n >= logits.length() ? logits.dup() : maskAllButLargest(logits, probs, n, threshold);
        probs.close();
        return out;
    }

    /**
     * How many of the most likely tokens top-p keeps: the smallest n whose n largest probabilities sum to at
     * least {@code p} (within {@value #TOP_P_TOLERANCE}), and at least 1.
     *
     * @param probs [d_vocab] probabilities summing to 1
     */
    public static int topPKeepCount(INDArray probs, double p) {
        INDArray asDouble = probs.castTo(DataType.DOUBLE);
        INDArray sorted = sortedDescending(asDouble);
        free(asDouble, probs);
        int n = keepCount(runningSums(sorted), p);
        sorted.close();
        return n;
    }

    /** {@code searchsorted(cumulative, p, side="left") + 1}, at least 1, as the course's sample_top_p. */
    private static int keepCount(double[] cumulative, double p) {
        double target = p - TOP_P_TOLERANCE;
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] >= target) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return Math.max(1, lo + 1);
    }

    /** softmax(logits) in double precision, [d_vocab]. */
    static INDArray probabilities(INDArray logits) {
        long n = logits.length();
        INDArray p = Nd4j.createUninitialized(DataType.DOUBLE, n); // closing p frees it (a reshape's would not)
        INDArray x = logits.castTo(DataType.DOUBLE);
        Nd4j.exec(new SoftMax(x.reshape(1, n), p.reshape(1, n), 1));
        free(x, logits);
        return p;
    }

    /** The running sums of a 1-D array, as Java values. */
    private static double[] runningSums(INDArray x) {
        INDArray running = x.ulike();
        Nd4j.exec(new CumSum(x, running, false, false, 0));
        double[] out = running.toDoubleVector();
        running.close();
        return out;
    }

    /**
     * Frees {@code temporary} unless it is {@code kept} itself: the [d_vocab] arrays of each generated token
     * would otherwise wait for the garbage collector, and every new one would cost fresh pages (about
     * 1 ms per 400 KB array on these machines).
     */
    private static void free(INDArray temporary, INDArray kept) {
        if (temporary != kept && temporary.closeable()) {
            temporary.close();
        }
    }

    /** {@code next}, after freeing {@code current} unless it is the caller's {@code original}. */
    private static INDArray next(INDArray current, INDArray next, INDArray original) {
        free(current, original);
        return next;
    }

    /** The values of a 1-D array, largest first (libnd4j's native sort, on a copy). Only values are needed:
     *  which ids to keep follows from the threshold and the lowest-id tie rule. */
    private static INDArray sortedDescending(INDArray x) {
        INDArray copy = x.dup();
        INDArray sorted = Nd4j.sort(copy, false);
        free(copy, sorted);
        return sorted;
    }

    /** Sets to -inf every logit except the {@code n} whose {@code scores} (logits or probabilities, same
     *  order) are largest: all above {@code threshold} and, of those equal to it, the lowest ids. In ND4J
     *  calls over the whole vocabulary at once, so the mask stays on the device (no Java loop over it). */
    private static INDArray maskAllButLargest(INDArray logits, INDArray scores, int n, double threshold) {
        INDArray s = scores.castTo(DataType.DOUBLE);
        INDArray above = asDouble(s.gt(threshold));
        INDArray ties = asDouble(s.eq(threshold));
        free(s, scores);
        long tiesToKeep = n - above.sumNumber().longValue();
        // the first tiesToKeep ties by id: their running count is at most tiesToKeep
        INDArray tieCount = Nd4j.cumsum(ties, 0);
        INDArray keptTies = asDouble(tieCount.lte(tiesToKeep + 0.5)).muli(ties);
        tieCount.close();
        ties.close();
        INDArray dropped = above.addi(keptTies).rsubi(1.0);   // 1 where the logit goes, 0 where it stays
        keptTies.close();
        BooleanIndexing.replaceWhere(dropped, Double.NEGATIVE_INFINITY, Conditions.greaterThan(0.5));
        INDArray x = logits.castTo(DataType.DOUBLE);
        INDArray masked = x.add(dropped); // add: never changes logits
        free(x, logits);
        dropped.close();
        INDArray out = masked.castTo(logits.dataType());
        free(masked, out);
        return out;
    }

    /** A comparison's result as 0.0 / 1.0 values, freeing the boolean array. */
    private static INDArray asDouble(INDArray bool) {
        INDArray out = bool.castTo(DataType.DOUBLE);
        bool.close();
        return out;
    }

    static void checkLogits(INDArray logits) {
        if (logits == null || logits.rank() != 1 || logits.length() == 0) {
            throw new IllegalArgumentException("logits must be a non-empty 1-D array [d_vocab] (the last position), got "
                    + (logits == null ? "null" : "shape " + java.util.Arrays.toString(logits.shape())));
        }
    }

}
