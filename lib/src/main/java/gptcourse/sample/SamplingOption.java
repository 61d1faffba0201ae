package gptcourse.sample;

/**
 * One named setting of {@link SamplingArgs}, the Java spelling of one keyword argument of the course's
 * {@code sampler.sample(prompt, temperature=0.7, top_p=0.95)}. Made by the static factories of {@link
 * SamplingArgs} ({@code temperature(0.7)}, {@code topP(0.95)}...); a whole {@link SamplingArgs} is an option
 * too (it replaces every setting).
 */
@FunctionalInterface
public interface SamplingOption {

    /** {@code args} with this setting applied. */
    SamplingArgs applyTo(SamplingArgs args);
}
