package gptcourse.sample;

import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

import gptcourse.autograd.GradMode;
import gptcourse.autograd.Tensor;
import gptcourse.data.Gpt2Tokenizer;
import gptcourse.model.DemoTransformer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The course's {@code TransformerSampler}: continues a prompt one token at a time with a trained model.
 * The settings are the course's keyword arguments, named ({@link SamplingArgs}); defaults and "off" values
 * are the course's: temperature 1.0, top-k off (0), top-p off (0.0), no frequency penalty.
 *
 * <pre>{@code
 * import static gptcourse.sample.SamplingArgs.*;
 *
 * var sampler = new TransformerSampler(model, tokenizer);
 * sampler.sample("Once upon a time", 50);                                 // temperature 1.0, like the course
 * sampler.sample("Once upon a time", 16, temperature(0.7), topP(0.95));   // the tutorial's sampling_fn
 * sampler.sample("Once upon a time", 50, greedy());                       // temperature 0: the argmax
 * sampler.sample("Once upon a time", 50, topK(40), seed(42));             // seeded: the same text each time
 * }</pre>
 *
 * Without {@code seed(...)} the draws come from the sampler's own generator, which starts from a fixed
 * seed and continues from call to call (as PyTorch's default generator does): two calls give different
 * texts, and a fresh kernel repeats them. Each step runs the model under {@link GradMode#inferenceMode()}
 * on the last n_ctx tokens, picks the next token with {@link SamplingMethods#sampleNextToken}, and stops
 * early at the end-of-text token.
 */
public class TransformerSampler {
    /** The seed of each sampler's own generator (used by calls without {@code seed(...)}). */
    public static final long DEFAULT_GENERATOR_SEED = 0L;

    private final DemoTransformer model;
    private final Gpt2Tokenizer tokenizer;
    private final Random generator = SamplingMethods.seededRandom(DEFAULT_GENERATOR_SEED);

    public TransformerSampler(DemoTransformer model, Gpt2Tokenizer tokenizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        if (model.cfg.dVocab() != tokenizer.vocabSize()) {
            throw new IllegalArgumentException("the model's d_vocab (" + model.cfg.dVocab()
                    + ") must equal the tokenizer's vocabulary size (" + tokenizer.vocabSize()
                    + "); build the model with Config.trainingDefaults(" + tokenizer.vocabSize() + ")");
        }
    }

    /**
     * The prompt followed by at most {@code maxTokensGenerated} generated tokens (including the end-of-text
     * token if one was drawn, as the course's sampler decodes it): {@code sampler.sample(prompt,
     * max_tokens_generated=..., **kwargs)}.
     *
     * @param options {@code temperature(t)}, {@code topK(k)}, {@code topP(p)}, {@code frequencyPenalty(x)},
     *                {@code seed(s)}, {@code greedy()} or a whole {@link SamplingArgs}; none: the defaults
     */
    public String sample(String prompt, int maxTokensGenerated, SamplingOption... options) {
        return sample(prompt, maxTokensGenerated, SamplingArgs.of(options));
    }

    /** {@link #sample(String, int, SamplingOption...)} with all settings in one {@link SamplingArgs}. */
    public String sample(String prompt, int maxTokensGenerated, SamplingArgs args) {
        if (prompt == null || prompt.isEmpty()) {
            throw new IllegalArgumentException("prompt must be non-empty text (the model needs at least one token "
                    + "to continue), got " + (prompt == null ? "null" : "\"\""));
        }
        int[] generated = sampleTokens(tokenizer.encode(prompt), maxTokensGenerated, args);
        return prompt + tokenizer.decode(generated);
    }

    /**
     * The positional form, kept for callers written before {@link SamplingArgs}. Note the course's "off"
     * values: {@code topK = 0} and {@code topP = 0.0} are off ({@code topP = 1.0} keeps every token too).
     *
     * @deprecated write {@code sample(prompt, n, temperature(t), topK(k), topP(p), frequencyPenalty(x),
     *     seed(s))}: named settings read like the course's keyword arguments
     */
    @Deprecated
    public String sample(String prompt, int maxTokensGenerated, double temperature, int topK, double topP,
                         double frequencyPenalty, long seed) {
        return sample(prompt, maxTokensGenerated, new SamplingArgs(temperature, topK, topP, frequencyPenalty, seed));
    }

    /**
     * The token-level sampler behind {@link #sample(String, int, SamplingOption...)}.
     *
     * @param promptIds at least one token id
     * @return the generated ids only (at most {@code maxTokensGenerated}, ending at the first end-of-text)
     */
    public int[] sampleTokens(int[] promptIds, int maxTokensGenerated, SamplingOption... options) {
        return sampleTokens(promptIds, maxTokensGenerated, SamplingArgs.of(options));
    }

    /** {@link #sampleTokens(int[], int, SamplingOption...)} with all settings in one {@link SamplingArgs}. */
    public int[] sampleTokens(int[] promptIds, int maxTokensGenerated, SamplingArgs args) {
        Objects.requireNonNull(args, "args");
        if (promptIds == null || promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt must have at least one token, got none; pass a "
                    + "non-empty prompt");
        }
        if (maxTokensGenerated < 0) {
            throw new IllegalArgumentException("maxTokensGenerated must be 0 or more, got " + maxTokensGenerated);
        }
        int nCtx = model.cfg.nCtx();
        int eos = tokenizer.eosTokenId();
        int[] ids = Arrays.copyOf(promptIds, promptIds.length + maxTokensGenerated);
        int length = promptIds.length;
        if (args.seed() == null) {
            synchronized (generator) {
                return generate(ids, length, maxTokensGenerated, nCtx, eos, args, generator);
            }
        }
        return generate(ids, length, maxTokensGenerated, nCtx, eos, args, SamplingMethods.seededRandom(args.seed()));
    }

    @SuppressWarnings("try") // the inference-mode scope is used for its effect, not read
    private int[] generate(int[] ids, int promptLength, int maxTokensGenerated, int nCtx, int eos, SamplingArgs args,
                           Random rng) {
        int length = promptLength;
        try (GradMode.Scope scope = GradMode.inferenceMode()) {
            for (int i = 0; i < maxTokensGenerated; i++) {
                int start = Math.max(0, length - nCtx);
                long[] window = new long[length - start];
                for (int j = 0; j < window.length; j++) {
                    window[j] = ids[start + j];
                }
                INDArray tokens = Nd4j.createFromArray(window).reshape(1, window.length);
                INDArray last;
                // only the last position's logits are computed (model.forward's logits are lazy)
                try (Tensor logits = model.forward(tokens);
                     Tensor lastLogits = logits.slice(1, window.length - 1, window.length)) {
                    last = lastLogits.data().reshape(lastLogits.size(-1)).dup();
                }
                int next = SamplingMethods.sampleNextToken(Arrays.copyOf(ids, length), last, args, rng);
                ids[length++] = next;
                if (next == eos) {
                    break;
                }
            }
        }
        return Arrays.copyOfRange(ids, promptLength, length);
    }
}
