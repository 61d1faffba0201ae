package gptcourse.analysis;

/**
 * Token and bigram counts, added a sequence or a row at a time, from which {@link
 * #unigramEntropy()} and {@link #bigramEntropy()} are computed. {@link LossBaselines} fills one
 * from an array or a {@link gptcourse.data.TokenizedDataset}; use this class directly to count
 * any other way.
 *
 * <p>Memory: {@code 2 * dVocab} longs for the unigram and "previous token" counts, plus a hash
 * table of about 16 to 32 bytes per <em>distinct</em> bigram (keys {@code prev * dVocab +
 * next}), never a {@code dVocab²} matrix. Time: one pass, O(1) expected per token.
 *
 * <pre>{@code
 * TokenCounts counts = new TokenCounts(4).addSequence(new int[] {0, 1, 0, 1});
 * counts.unigramEntropy(); // ln 2
 * counts.bigramEntropy();  // 0: 0 is always followed by 1 and 1 by 0
 * }</pre>
 */
public final class TokenCounts {

    private final int dVocab;
    private final long[] tokenCounts;
    private final long[] prevCounts;
    private final PairCounter pairs; // null: unigram only
    private long tokens;
    private long pairCount;

    /** Empty counts for ids in {@code [0, dVocab)}, unigram and bigram. */
    public TokenCounts(int dVocab) {
        this(dVocab, true);
    }

    TokenCounts(int dVocab, boolean withPairs) {
        LossBaselines.checkVocab(dVocab);
        this.dVocab = dVocab;
        this.tokenCounts = new long[dVocab];
        this.prevCounts = withPairs ? new long[dVocab] : null;
        this.pairs = withPairs ? new PairCounter() : null;
    }

    /**
     * Counts a plain stream of ids: every token for the unigram, every adjacent pair {@code
     * (ids[t-1], ids[t])} for the bigram.
     */
    public TokenCounts addSequence(int[] ids) {
        return add(ids, 0, ids.length, true);
    }

    /**
     * Counts one row of a tokens dataset as the next-token loss sees it: the unigram counts the
     * row's targets {@code row[1..]} (not its first token, the BOS when the rows were made with
     * {@code addBosToken}, which the model is never asked to predict); the bigram counts every
     * adjacent pair in the row, {@code (row[t-1], row[t])} for {@code t >= 1}, so its
     * "next" tokens are exactly the targets. No pair spans two rows.
     */
    public TokenCounts addRow(int[] row) {
        return add(row, 0, row.length, false);
    }

    /**
     * Counts {@code ids[from, to)}: the unigram from {@code from} (or {@code from + 1} when
     * {@code countFirstToken} is false), the bigram over every adjacent pair inside the range.
     *
     * @throws IllegalArgumentException if an id is outside {@code [0, dVocab)}; nothing from
     *     this range is counted then
     */
    public TokenCounts add(int[] ids, int from, int to, boolean countFirstToken) {
        if (from < 0 || to > ids.length || from > to) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") is outside the " + ids.length
                    + " ids: use 0 <= from <= to <= " + ids.length);
        }
        for (int t = from; t < to; t++) {
            int id = ids[t];
            if (id < 0 || id >= dVocab) {
                throw new IllegalArgumentException("token id " + id + " at position " + t + " is outside the"
                        + " vocabulary [0, " + dVocab + "): pass the model's d_vocab (GPT-2: 50257), or check"
                        + " that these are token ids");
            }
        }
        for (int t = countFirstToken ? from : from + 1; t < to; t++) {
            tokenCounts[ids[t]]++;
        }
        tokens += Math.max(0, to - (countFirstToken ? from : from + 1));
        if (pairs != null) {
            for (int t = from + 1; t < to; t++) {
                int prev = ids[t - 1];
                prevCounts[prev]++;
                pairs.increment((long) prev * dVocab + ids[t]);
            }
            pairCount += Math.max(0, to - from - 1);
        }
        return this;
    }

    /** The vocabulary size the ids were checked against. */
    public int dVocab() {
        return dVocab;
    }

    /** Tokens counted for the unigram. */
    public long tokenCount() {
        return tokens;
    }

    /** How often {@code id} was counted for the unigram. */
    public long count(int id) {
        return tokenCounts[id];
    }

    /** Adjacent pairs counted for the bigram. */
    public long pairCount() {
        return pairCount;
    }

    /** Distinct adjacent pairs seen (the bigram table's size). */
    public int distinctPairs() {
        requirePairs();
        return pairs.size();
    }

    /** How often {@code next} followed {@code prev}. */
    public long pairCount(int prev, int next) {
        requirePairs();
        return pairs.countOf((long) prev * dVocab + next);
    }

    /**
     * Entropy of the token frequencies, {@code -Σ p log p} in nats with {@code p = count /
     * tokenCount()} (torch's {@code Categorical(probs=p).entropy()}; zero counts add nothing):
     * the best loss of a model that ignores the context.
     */
    public double unigramEntropy() {
        if (tokens == 0) {
            throw new IllegalStateException("no tokens were counted, so there is no unigram distribution: add a"
                    + " sequence with at least one token (or a row with at least two)");
        }
        double logN = Math.log(tokens);
        double h = 0;
        for (long c : tokenCounts) {
            if (c > 0) {
                h += c * (logN - Math.log(c)); // each term >= 0
            }
        }
        return h / tokens;
    }

    /**
     * Conditional entropy of the next token given the previous one, {@code H(next | prev) =
     * -Σ_{a,b} p(a,b) log p(b|a)} in nats, over the counted adjacent pairs: the best loss of a
     * model that sees only the previous token. Computed as {@code Σ c(a,b) (ln c(a) - ln
     * c(a,b)) / N} from the pair counts {@code c(a,b)}, their row sums {@code c(a)} and {@code
     * N = pairCount()}; every term is non-negative and a deterministic successor gives exactly 0.
     */
    public double bigramEntropy() {
        requirePairs();
        if (pairCount == 0) {
            throw new IllegalStateException("no adjacent token pairs were counted, so there is no bigram"
                    + " distribution: sequences and rows need at least two tokens");
        }
        double[] sum = {0};
        pairs.forEach((key, c) -> {
            long prevCount = prevCounts[(int) (key / dVocab)];
            sum[0] += c * (Math.log(prevCount) - Math.log(c));
        });
        return sum[0] / pairCount;
    }

    private void requirePairs() {
        if (pairs == null) {
            throw new IllegalStateException("these counts were made without bigrams: use new TokenCounts(dVocab)");
        }
    }

    @Override
    public String toString() {
        return "TokenCounts(dVocab=" + dVocab + ", tokens=" + tokens + ", pairs=" + pairCount
                + (pairs == null ? "" : ", distinctPairs=" + pairs.size()) + ")";
    }
}
