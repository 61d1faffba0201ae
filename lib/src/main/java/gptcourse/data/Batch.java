package gptcourse.data;

import java.util.Map;
import java.util.Objects;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One batch of token sequences, as the tutorial's loaders yield it: {@code batch["tokens"]} is
 * here {@code batch.tokens()} or {@code batch.get("tokens")}.
 *
 * @param tokens int64 token ids, shape {@code [batch, seq]}
 */
public record Batch(INDArray tokens) {

    /** The column name, as in the tutorial. */
    public static final String TOKENS = "tokens";

    public Batch {
        Objects.requireNonNull(tokens, "tokens");
    }

    /**
     * {@code batch["tokens"]}.
     *
     * @throws IllegalArgumentException for any other key
     */
    public INDArray get(String key) {
        if (!TOKENS.equals(key)) {
            throw new IllegalArgumentException("a batch has no column \"" + key + "\": its only column is \"tokens\"");
        }
        return tokens;
    }

    /** The batch as {@code {"tokens": tokens}}. */
    public Map<String, INDArray> asMap() {
        return Map.of(TOKENS, tokens);
    }

    /** Number of sequences. */
    public int size() {
        return (int) tokens.size(0);
    }

    @Override
    public String toString() {
        return "Batch{tokens: int64 " + java.util.Arrays.toString(tokens.shape()) + "}";
    }
}
