package gptcourse.analysis;

import java.util.Arrays;

import gptcourse.data.Gpt2Tokenizer;
import gptcourse.data.TokenizedDataset;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The three reference lines of the tutorial's loss curve, in nats (natural log, like the
 * cross-entropy loss):
 * <ul>
 *   <li>{@link #uniformEntropy}: {@code ln(d_vocab)}, the loss of a model that predicts every
 *       token equally likely: where training starts (10.825 for GPT-2's 50,257 tokens);
 *   <li>{@link #unigramEntropy}: the entropy of the token frequencies, the best a model can do
 *       without looking at the context: the first plateau;
 *   <li>{@link #bigramEntropy}: {@code H(next | prev)}, the best a model that sees only the
 *       previous token can do: the next plateau, before attention heads start to help.
 * </ul>
 *
 * <pre>{@code
 * TokenizedDataset tokens = DataUtils.tokenizeAndConcatenate(dataset, tokenizer, maxLength(256), numProc(4));
 * LossBaselines.Baselines baselines = LossBaselines.compute(tokens, 50257);
 * System.out.println(baselines);
 * }</pre>
 *
 * <p><b>What is counted.</b> A {@link TokenizedDataset}, or a rank-2 {@code [rows, posn]}
 * array such as {@code batch.tokens()}, is counted as the loss sees it: the unigram over each
 * row's targets {@code row[1..]} (so the BOS at each row start, never predicted, is not counted),
 * the bigram over adjacent pairs inside each row (none across rows). An {@code int[]} or a
 * rank-1 array is one plain stream: all its tokens and all its adjacent pairs. {@link
 * TokenCounts} counts any other way.
 *
 * <p><b>Cost on TinyStories' 470 M-token train split.</b> One streaming pass over the
 * memory-mapped rows, one row on the heap at a time; O(N) time with an O(1) expected hash-table
 * update per token, and O(d_vocab + distinct bigrams) memory: two {@code long[d_vocab]} and a
 * primitive open-addressing table of about 16 to 32 bytes per distinct bigram (a synthetic
 * 51 M-token stream with 15 M distinct pairs needed a 400 MB table; real text has fewer), never
 * the 50,257² (10 GB as ints) matrix. Measured on that stream, about 9 M tokens/s on one core, so
 * roughly a minute for the train split, bounded by the random accesses into the table.
 */
public final class LossBaselines {

    private LossBaselines() {
    }

    /**
     * The three baselines, in nats.
     *
     * @param uniform {@code ln(d_vocab)}
     * @param unigram entropy of the token frequencies
     * @param bigram conditional entropy {@code H(next | prev)}
     */
    public record Baselines(double uniform, double unigram, double bigram) {

        /** One line each, as the tutorial prints them. */
        @Override
        public String toString() {
            return String.format("Uniform (ln d_vocab):         %.3f nats%n"
                    + "Unigram entropy:              %.3f nats%n"
                    + "Bigram entropy H(next|prev):  %.3f nats", uniform, unigram, bigram);
        }
    }

    /** {@code ln(dVocab)}: the cross-entropy of a uniform prediction (10.825 for 50,257). */
    public static double uniformEntropy(int dVocab) {
        checkVocab(dVocab);
        return Math.log(dVocab);
    }

    // ---- int[]: one stream of ids -------------------------------------------------------

    /** Unigram entropy of all the ids in {@code tokens} (one stream), in nats. */
    public static double unigramEntropy(int[] tokens, int dVocab) {
        return new TokenCounts(dVocab, false).addSequence(nonEmpty(tokens)).unigramEntropy();
    }

    /** {@code H(next | prev)} over all adjacent pairs of {@code tokens} (one stream), in nats. */
    public static double bigramEntropy(int[] tokens, int dVocab) {
        return new TokenCounts(dVocab).addSequence(nonEmpty(tokens)).bigramEntropy();
    }

    /** All three baselines of one stream of ids. */
    public static Baselines compute(int[] tokens, int dVocab) {
        return baselines(new TokenCounts(dVocab).addSequence(nonEmpty(tokens)));
    }

    // ---- INDArray: rank 1 is a stream, rank 2 is rows -------------------------------------

    /**
     * Unigram entropy of an integer array of ids: rank 1 counts every id, rank 2 {@code [rows,
     * posn]} each row's targets {@code row[1..]} (see the class notes).
     */
    public static double unigramEntropy(INDArray tokens, int dVocab) {
        return count(tokens, new TokenCounts(dVocab, false)).unigramEntropy();
    }

    /** {@code H(next | prev)} of an integer array: rank 1 one stream, rank 2 within each row. */
    public static double bigramEntropy(INDArray tokens, int dVocab) {
        return count(tokens, new TokenCounts(dVocab)).bigramEntropy();
    }

    /** All three baselines of an integer array (rank 1: a stream; rank 2: rows). */
    public static Baselines compute(INDArray tokens, int dVocab) {
        return baselines(count(tokens, new TokenCounts(dVocab)));
    }

    // ---- TokenizedDataset: memory-mapped rows, streamed -----------------------------------

    /** Unigram entropy of the dataset's targets (every row's tokens after the first), in nats. */
    public static double unigramEntropy(TokenizedDataset tokens, int dVocab) {
        return count(tokens, new TokenCounts(dVocab, false)).unigramEntropy();
    }

    /** {@code H(next | prev)} over the adjacent pairs inside each row of the dataset, in nats. */
    public static double bigramEntropy(TokenizedDataset tokens, int dVocab) {
        return count(tokens, new TokenCounts(dVocab)).bigramEntropy();
    }

    /** All three baselines of the dataset, in one pass over its rows. */
    public static Baselines compute(TokenizedDataset tokens, int dVocab) {
        return baselines(counts(tokens, dVocab));
    }

    /** {@link #compute(TokenizedDataset, int)} with GPT-2's vocabulary, 50,257 tokens. */
    public static Baselines compute(TokenizedDataset tokens) {
        return compute(tokens, Gpt2Tokenizer.VOCAB_SIZE);
    }

    /** The dataset's unigram and bigram counts (one pass), e.g. to inspect frequent pairs. */
    public static TokenCounts counts(TokenizedDataset tokens, int dVocab) {
        return count(tokens, new TokenCounts(dVocab));
    }

    // ---- helpers --------------------------------------------------------------------------

    static void checkVocab(int dVocab) {
        if (dVocab <= 0) {
            throw new IllegalArgumentException("dVocab " + dVocab + " must be positive: pass the vocabulary size,"
                    + " e.g. the model's d_vocab (GPT-2: 50257)");
        }
    }

    private static Baselines baselines(TokenCounts counts) {
        return new Baselines(uniformEntropy(counts.dVocab()), counts.unigramEntropy(), counts.bigramEntropy());
    }

    private static int[] nonEmpty(int[] tokens) {
        if (tokens == null || tokens.length == 0) {
            throw new IllegalArgumentException("no token ids were given (" + (tokens == null ? "null" : "empty array")
                    + "): pass at least one id (two for the bigram entropy)");
        }
        return tokens;
    }

    private static TokenCounts count(TokenizedDataset tokens, TokenCounts counts) {
        if (tokens == null || tokens.size() == 0) {
            throw new IllegalArgumentException("the tokens dataset has no rows: pass e.g. the train split of"
                    + " DataUtils.tokenizeAndConcatenate(...)");
        }
        if (tokens.maxLength() < 2) {
            throw new IllegalArgumentException("rows of " + tokens.maxLength() + " token hold no target and no pair:"
                    + " the baselines need rows of at least 2 tokens (the tutorial uses 256)");
        }
        for (int r = 0; r < tokens.size(); r++) {
            int[] row = tokens.tokens(r); // one row on the heap at a time
            try {
                counts.addRow(row);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("row " + r + ": " + e.getMessage(), e);
            }
        }
        return counts;
    }

    private static TokenCounts count(INDArray tokens, TokenCounts counts) {
        if (tokens == null || tokens.isEmpty()) {
            throw new IllegalArgumentException("the token array is " + (tokens == null ? "null" : "empty")
                    + ": pass at least one id (two for the bigram entropy)");
        }
        if (!tokens.dataType().isIntType()) {
            throw new IllegalArgumentException("token ids must be an integer array, got " + tokens.dataType()
                    + ": use e.g. batch.tokens() (int64), or tokens.castTo(DataType.INT64)");
        }
        if (tokens.rank() == 1) {
            return counts.addSequence(tokens.toIntVector());
        }
        if (tokens.rank() != 2) {
            throw new IllegalArgumentException("token array of shape " + Arrays.toString(tokens.shape())
                    + " has rank " + tokens.rank() + ": pass a stream [n] or rows [rows, posn]");
        }
        if (tokens.columns() < 2) {
            throw new IllegalArgumentException("rows of " + tokens.columns() + " token hold no target and no pair:"
                    + " the baselines need rows [rows, posn] with posn >= 2");
        }
        for (int r = 0; r < tokens.rows(); r++) {
            try {
                counts.addRow(tokens.getRow(r).toIntVector());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("row " + r + ": " + e.getMessage(), e);
            }
        }
        return counts;
    }
}
