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
 *
 * <pre>{@code
 * var sampler = new TransformerSampler(model, tokenizer);
 * sampler.sample("Once upon a time", 50);                              // greedy
 * sampler.sample("Once upon a time", 50, 1.0, 40, 0.95, 0.0, 42);      // top-k 40, top-p 0.95, seed 42
 * }</pre>
 *
 * Each step runs the model under {@link GradMode#inferenceMode()} on the last n_ctx tokens, picks the next
 * token with {@link SamplingMethods#sampleNextToken}, and stops early at the end-of-text token.
 */
public class TransformerSampler {
    private final DemoTransformer model;
    private final Gpt2Tokenizer tokenizer;

    public TransformerSampler(DemoTransformer model, Gpt2Tokenizer tokenizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        if (model.cfg.dVocab() != tokenizer.vocabSize()) {
            throw new IllegalArgumentException("the model's d_vocab (" + model.cfg.dVocab()
                    + ") must equal the tokenizer's vocabulary size (" + tokenizer.vocabSize()
                    + "); build the model with Config.trainingDefaults(" + tokenizer.vocabSize() + ")");
        }
    }

    /** Greedy continuation of {@code prompt} by at most {@code maxTokensGenerated} tokens. */
    public String sample(String prompt, int maxTokensGenerated) {
        return sample(prompt, maxTokensGenerated, 0.0, 0, 1.0, 0.0, 0L);
    }

    /**
     * The prompt followed by the generated text (including the end-of-text token if one was drawn, as the
     * course's sampler decodes it).
     *
     * @param temperature 0 for greedy, otherwise logits are divided by it
     * @param topK keep only the k most likely tokens; 0 or less switches top-k off
     * @param topP nucleus sampling: keep the smallest set of most likely tokens whose probability reaches
     *             topP; must be > 0, and 1.0 or more switches top-p off
     * @param frequencyPenalty subtracted from a token's logit once for each time it already occurs
     * @param seed the same seed (and arguments) gives the same text
     */
    public String sample(String prompt, int maxTokensGenerated, double temperature, int topK, double topP,
                         double frequencyPenalty, long seed) {
        if (prompt == null || prompt.isEmpty()) {
            throw new IllegalArgumentException("prompt must be non-empty text (the model needs at least one token "
                    + "to continue), got " + (prompt == null ? "null" : "\"\""));
        }
        int[] generated = sampleTokens(tokenizer.encode(prompt), maxTokensGenerated, temperature, topK, topP,
                frequencyPenalty, seed);
        return prompt + tokenizer.decode(generated);
    }

    /**
     * The token-level sampler behind {@link #sample(String, int, double, int, double, double, long)}.
     *
     * @param promptIds at least one token id
     * @return the generated ids only (at most {@code maxTokensGenerated}, ending at the first end-of-text)
     */
    @SuppressWarnings("try") // the inference-mode scope is used for its effect, not read
    public int[] sampleTokens(int[] promptIds, int maxTokensGenerated, double temperature, int topK, double topP,
                              double frequencyPenalty, long seed) {
        if (promptIds == null || promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt must have at least one token, got none; pass a "
                    + "non-empty prompt");
        }
        if (maxTokensGenerated < 0) {
            throw new IllegalArgumentException("maxTokensGenerated must be 0 or more, got " + maxTokensGenerated);
        }
        SamplingMethods.checkTemperature(temperature);
        SamplingMethods.checkTopP(topP);
        if (!Double.isFinite(frequencyPenalty)) {
            throw new IllegalArgumentException("frequencyPenalty must be a finite number (0 for none), got "
                    + frequencyPenalty);
        }
        int nCtx = model.cfg.nCtx();
        int eos = tokenizer.eosTokenId();
        Random rng = SamplingMethods.seededRandom(seed);
        int[] ids = Arrays.copyOf(promptIds, promptIds.length + maxTokensGenerated);
        int length = promptIds.length;
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
                int next = SamplingMethods.sampleNextToken(Arrays.copyOf(ids, length), last, temperature, topK,
                        topP, frequencyPenalty, rng);
                ids[length++] = next;
                if (next == eos) {
                    break;
                }
            }
        }
        return Arrays.copyOfRange(ids, promptIds.length, length);
    }
}
