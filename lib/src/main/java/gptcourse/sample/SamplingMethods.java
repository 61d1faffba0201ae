package gptcourse.sample;

import java.util.Random;
import java.util.SplittableRandom;

import gptcourse.autograd.Layouts;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
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
 * filtered set never depends on the order in which equal values are found. Top-k's and top-p's cut-off
 * comes from {@link Selection} (no sort of the vocabulary); the mask itself is made in ND4J calls.
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
        try {
            return sampleBasic(x, rng);
        } catch (NotADistribution e) {
            throw notADistribution(logits);   // described from the caller's logits, not the filtered ones
        } finally {
            free(x, logits);
        }
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
        if (count(logits, Conditions.isNan()) > 0) {
            throw notADistribution(logits);
        }
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
        if (!(total > 0 && Double.isFinite(total))) {   // NaN or +inf among the logits, or all of them -inf
            throw notADistribution(logits);
        }
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
        return maskOutside(logits, logits, Selection.largest(Layouts.values(logits), k));
    }

    /** The logits with everything outside the nucleus set to -inf; {@code 0 < p <= 1}. */
    public static INDArray topPFilter(INDArray logits, double p) {
        checkLogits(logits);
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + p);
        }
        INDArray probs = probabilities(logits);
        Selection.Cut cut = nucleus(Layouts.values(probs), p);
        // probabilities are in the same order as the logits, so the tie rule can work on them directly
        INDArray out = cut.count() >= logits.length() ? logits.dup() : maskOutside(logits, probs, cut);
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
        return nucleus(Layouts.values(probs), p).count();
    }

    /** The course's {@code searchsorted(cumsum(sorted descending), p, side="left") + 1}, at least 1, within
     *  {@value #TOP_P_TOLERANCE}: the running sum of the sorted probabilities, found without sorting them. */
    private static Selection.Cut nucleus(double[] probs, double p) {
        return Selection.nucleus(probs, p - TOP_P_TOLERANCE);
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
        double[] out = Layouts.values(running);
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

    /** Sets to -inf every logit outside {@code cut} of their {@code scores} (the logits or their probabilities,
     *  same order): those below its threshold and, of those equal to it, all but the lowest ids it keeps.
     *  In ND4J calls over the whole vocabulary at once, so the mask stays on the device (no Java loop over
     *  it); the threshold is one of the scores' own values, so the comparisons are exact. */
    private static INDArray maskOutside(INDArray logits, INDArray scores, Selection.Cut cut) {
        double threshold = cut.threshold();
        INDArray dropped = asNumbers(scores.lt(threshold), DataType.DOUBLE);   // 1 where the logit goes
        if (!cut.keepsAllTies()) {
            // the ties after the first (count - larger) by id go too: their running count is above that
            INDArray ties = asNumbers(scores.eq(threshold), DataType.DOUBLE);
            INDArray tieCount = Nd4j.cumsum(ties, 0);
            INDArray cutTies = asNumbers(tieCount.gt(cut.count() - cut.larger() + 0.5), DataType.DOUBLE).muli(ties);
            tieCount.close();
            ties.close();
            dropped.addi(cutTies);
            cutTies.close();
        }
        BooleanIndexing.replaceWhere(dropped, Double.NEGATIVE_INFINITY, Conditions.greaterThan(0.5));
        INDArray mask = dropped.castTo(logits.dataType());   // 0 and -inf, exact in every float type
        free(dropped, mask);
        INDArray out = logits.add(mask);   // adding 0 never changes a logit
        mask.close();
        return out;
    }

    /** A comparison's result as 0 / 1 values of {@code type}, freeing the boolean array. */
    private static INDArray asNumbers(INDArray bool, DataType type) {
        INDArray out = bool.castTo(type);
        bool.close();
        return out;
    }

    /** Logits no token can be drawn from. */
    private static final class NotADistribution extends IllegalArgumentException {
        NotADistribution(String message) {
            super(message);
        }
    }

    /** The one clear error for logits no token can be drawn from, saying what is wrong with them. */
    private static NotADistribution notADistribution(INDArray logits) {
        long nan = count(logits, Conditions.isNan());
        long infinite = count(logits, Conditions.isInfinite());
        // (an equality condition never matches infinity: it compares |x - value| with an epsilon)
        long positive = infinite == 0 ? 0 : count(logits, Conditions.greaterThan(Float.MAX_VALUE));
        if (nan + positive == 0) {
            return new NotADistribution("cannot pick a token: all its " + logits.length()
                    + " logits are -Infinity, so every token is ruled out");
        }
        return new NotADistribution("cannot pick a token: " + nan + " NaN and " + positive + " +Infinity of its "
                + logits.length() + " logits. The model's output is not finite, as after a training run whose loss"
                + " became NaN: load an earlier checkpoint, or train again with a lower learning rate");
    }

    private static long count(INDArray x, org.nd4j.linalg.indexing.conditions.Condition condition) {
        return Nd4j.getExecutioner().exec(new MatchCondition(x, condition)).getLong(0);
    }

    static void checkLogits(INDArray logits) {
        if (logits == null || logits.rank() != 1 || logits.length() == 0) {
            throw new IllegalArgumentException("logits must be a non-empty 1-D array [d_vocab] (the last position), got "
                    + (logits == null ? "null" : "shape " + java.util.Arrays.toString(logits.shape())));
        }
    }

}
