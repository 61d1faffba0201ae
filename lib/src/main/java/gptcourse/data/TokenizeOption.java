package gptcourse.data;

/**
 * One named setting of {@link TokenizeOptions}, the Java spelling of one keyword argument of
 * transformer_lens's {@code tokenize_and_concatenate}. Made by the static factories of {@link
 * TokenizeOptions} ({@code maxLength(256)}, {@code numProc(4)}...); a whole {@link TokenizeOptions} is an
 * option too (it replaces every setting).
 */
@FunctionalInterface
public interface TokenizeOption {

    /** {@code options} with this setting applied. */
    TokenizeOptions applyTo(TokenizeOptions options);
}
