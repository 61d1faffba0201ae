package gptcourse.sample;

import java.util.Objects;

/**
 * The keyword arguments of the course's {@code sample_next_token}, with the same defaults and the same
 * "off" values:
 *
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>Python</th><th>here</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code temperature=1.0}</td><td>{@code temperature(1.0)}</td><td>1.0</td>
 *       <td>logits are divided by it; 0 is greedy (argmax)</td></tr>
 *   <tr><td>{@code top_k=0}</td><td>{@code topK(40)}</td><td>0 (off)</td>
 *       <td>draw among the k most likely tokens only</td></tr>
 *   <tr><td>{@code top_p=0.0}</td><td>{@code topP(0.95)}</td><td>0.0 (off)</td>
 *       <td>draw from the smallest set of most likely tokens whose probability reaches p; 1.0 keeps all</td></tr>
 *   <tr><td>{@code frequency_penalty=0.0}</td><td>{@code frequencyPenalty(1.0)}</td><td>0.0 (off)</td>
 *       <td>subtracted from a token's logit once for each time it already occurs</td></tr>
 *   <tr><td>{@code seed=None}</td><td>{@code seed(42)}</td><td>none</td>
 *       <td>the same seed (and settings) gives the same text; without one the sampler's own generator
 *       continues from call to call</td></tr>
 * </table>
 *
 * <pre>{@code
 * import static gptcourse.sample.SamplingArgs.*;
 *
 * sampler.sample("Once upon a time", 50);                                  // temperature 1.0
 * sampler.sample("Once upon a time", 50, temperature(0.7), topP(0.95));    // the tutorial's sampling_fn
 * sampler.sample("Once upon a time", 50, greedy());                        // temperature 0
 * sampler.sample("Once upon a time", 50, topK(40), seed(42));
 * SamplingArgs args = SamplingArgs.of(temperature(0.7), topP(0.95));       // a reusable set
 * sampler.sample("Once upon a time", 50, args);
 * }</pre>
 *
 * Unlike the course's sampler, top-k and top-p may be combined (top-k first, then top-p on what is left);
 * the course asserts that at most one is set.
 *
 * @param temperature 0 (greedy) or a positive finite number
 * @param topK 0 (off) or the number of most likely tokens to keep
 * @param topP 0 (off) or a probability in (0, 1]
 * @param frequencyPenalty a finite number, 0 for none
 * @param seed the generator's seed, or null to continue the sampler's own generator
 */
public record SamplingArgs(double temperature, int topK, double topP, double frequencyPenalty, Long seed)
        implements SamplingOption {

    /** The course's defaults: temperature 1.0, top-k off (0), top-p off (0.0), no frequency penalty, no seed. */
    public static final SamplingArgs DEFAULTS = new SamplingArgs(1.0, 0, 0.0, 0.0, null);

    public SamplingArgs {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be 0 (greedy) or a positive finite number, got "
                    + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be 0 (off) or a positive number of tokens to keep, got "
                    + topK);
        }
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be 0.0 (off) or a probability in (0, 1], got " + topP);
        }
        if (!Double.isFinite(frequencyPenalty)) {
            throw new IllegalArgumentException("frequencyPenalty must be a finite number (0 for none), got "
                    + frequencyPenalty);
        }
    }

    /** {@link #DEFAULTS} with {@code options} applied in order (a later one wins). */
    public static SamplingArgs of(SamplingOption... options) {
        return DEFAULTS.with(options);
    }

    /** These settings with {@code options} applied in order (a later one wins). */
    public SamplingArgs with(SamplingOption... options) {
        Objects.requireNonNull(options, "options");
        SamplingArgs args = this;
        for (SamplingOption option : options) {
            args = Objects.requireNonNull(option, "a sampling option is null").applyTo(args);
        }
        return args;
    }

    @Override
    public SamplingArgs applyTo(SamplingArgs args) {
        return this;
    }

    /** {@code temperature=t}: logits divided by {@code t}; 0 is greedy. */
    public static SamplingOption temperature(double t) {
        return a -> new SamplingArgs(t, a.topK, a.topP, a.frequencyPenalty, a.seed);
    }

    /** {@code temperature=0}: always the most likely token (the lowest id among ties). */
    public static SamplingOption greedy() {
        return temperature(0.0);
    }

    /** {@code top_k=k}: draw among the {@code k} most likely tokens; 0 is off. */
    public static SamplingOption topK(int k) {
        return a -> new SamplingArgs(a.temperature, k, a.topP, a.frequencyPenalty, a.seed);
    }

    /** {@code top_p=p}: nucleus sampling; 0.0 is off. */
    public static SamplingOption topP(double p) {
        return a -> new SamplingArgs(a.temperature, a.topK, p, a.frequencyPenalty, a.seed);
    }

    /** {@code frequency_penalty=penalty}: subtracted once per earlier occurrence of a token. */
    public static SamplingOption frequencyPenalty(double penalty) {
        return a -> new SamplingArgs(a.temperature, a.topK, a.topP, penalty, a.seed);
    }

    /** {@code seed=s}: a generator seeded with {@code s} for this call only. */
    public static SamplingOption seed(long s) {
        return a -> new SamplingArgs(a.temperature, a.topK, a.topP, a.frequencyPenalty, s);
    }

    /** Whether top-k is on. */
    public boolean topKOn() {
        return topK > 0;
    }

    /** Whether top-p is on. */
    public boolean topPOn() {
        return topP > 0;
    }

    @Override
    public String toString() {
        return "SamplingArgs(temperature=" + temperature + ", topK=" + topK + ", topP=" + topP + ", frequencyPenalty="
                + frequencyPenalty + ", seed=" + (seed == null ? "none" : seed) + ")";
    }
}
