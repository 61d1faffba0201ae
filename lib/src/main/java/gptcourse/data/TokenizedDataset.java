package gptcourse.data;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Token sequences of equal length with one column, {@code tokens}: what {@link
 * DataUtils#tokenizeAndConcatenate} returns, {@code [rows, maxLength]}.
 *
 * <pre>{@code
 * TokenizedDataset tokens = DataUtils.tokenizeAndConcatenate(dataset, tokenizer, maxLength(256), numProc(4));
 * System.out.println(tokens);              // Dataset({features: ['tokens'], num_rows: ...})
 * TrainTestSplit split = tokens.trainTestSplit(1000, 42);
 * Batch first = split.train().slice(0, 16); // first.tokens(): int64 [16, 256]
 * }</pre>
 *
 * <p>Rows live in a memory-mapped int32 file (or on the heap for small in-memory results);
 * {@link #trainTestSplit} and {@link #select} make views that share them.
 */
public final class TokenizedDataset {

    private final TokenRows storage;
    private final int[] rows; // view: storage row of each row, or null for all rows in order
    private final String description;

    TokenizedDataset(TokenRows storage, int[] rows, String description) {
        this.storage = storage;
        this.rows = rows;
        this.description = description;
    }

    /** Number of rows ({@code len(dataset)}). */
    public int size() {
        return rows == null ? storage.rows : rows.length;
    }

    /** Tokens per row: the {@code maxLength} it was made with. */
    public int maxLength() {
        return storage.width;
    }

    /** Total tokens, {@code size() * maxLength()}. */
    public long numTokens() {
        return (long) size() * maxLength();
    }

    /** Column names: always {@code ["tokens"]}. */
    public List<String> features() {
        return List.of(Batch.TOKENS);
    }

    /** Row {@code i}'s token ids. */
    public int[] tokens(int i) {
        int[] out = new int[maxLength()];
        storage.copyRow(storageRow(i), out, 0);
        return out;
    }

    /**
     * Rows {@code [from, to)} as a batch, like the tutorial's {@code dataset[:batch_size]}.
     *
     * @return {@code tokens}: int64 {@code [to - from, maxLength]}
     */
    public Batch slice(int from, int to) {
        if (from < 0 || to > size() || from > to) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") is outside the dataset's "
                    + size() + " rows: use 0 <= from <= to <= " + size());
        }
        int[] picked = new int[to - from];
        for (int i = 0; i < picked.length; i++) {
            picked[i] = from + i;
        }
        return batch(picked);
    }

    /** Rows at the given positions, as one int64 {@code [positions.length, maxLength]} batch. */
    Batch batch(int[] positions) {
        int width = maxLength();
        long[] data = new long[positions.length * width];
        for (int i = 0; i < positions.length; i++) {
            storage.copyRow(storageRow(positions[i]), data, i * width);
        }
        INDArray tokens = Nd4j.createFromArray(data).reshape(positions.length, width);
        return new Batch(tokens);
    }

    /** A view of the rows at the given positions, in that order. */
    public TokenizedDataset select(int[] positions) {
        int[] picked = new int[positions.length];
        for (int i = 0; i < positions.length; i++) {
            picked[i] = storageRow(positions[i]);
        }
        return new TokenizedDataset(storage, picked, description);
    }

    /**
     * Splits into train and test rows, like Hugging Face's {@code
     * train_test_split(test_size=n, seed=seed)}: the rows are shuffled with the seed, the first
     * {@code testSize} go to test, the rest to train. Same seed, same split.
     *
     * @param testSize number of test rows, in {@code [1, size() - 1]}
     */
    public TrainTestSplit trainTestSplit(int testSize, long seed) {
        if (testSize < 1 || testSize >= size()) {
            throw new IllegalArgumentException("testSize " + testSize + " leaves no train or no test rows: with "
                    + size() + " rows use 1 to " + (size() - 1) + ", or a fraction in (0, 1)");
        }
        int[] order = permutation(size(), seed);
        return new TrainTestSplit(select(Arrays.copyOfRange(order, testSize, order.length)),
                select(Arrays.copyOfRange(order, 0, testSize)));
    }

    /**
     * Splits off a fraction of the rows for test ({@code train_test_split(test_size=0.1)}): {@code
     * ceil(testSize * size())} test rows, as Hugging Face rounds.
     *
     * @param testSize fraction in {@code (0, 1)}
     */
    public TrainTestSplit trainTestSplit(double testSize, long seed) {
        if (!(testSize > 0 && testSize < 1)) {
            throw new IllegalArgumentException("testSize " + testSize + " is not a fraction in (0, 1): pass e.g. 0.1,"
                    + " or an int count of test rows");
        }
        return trainTestSplit((int) Math.ceil(testSize * size()), seed);
    }

    /** A seeded Fisher-Yates shuffle of {@code 0 .. n-1}. */
    static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private int storageRow(int i) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException("row " + i + " does not exist: the dataset has " + size()
                    + " rows (0 to " + (size() - 1) + ")");
        }
        return rows == null ? i : rows[i];
    }

    /** Where the rows came from, e.g. the source and the cache file. */
    public String description() {
        return description;
    }

    /** {@code Dataset({features: ['tokens'], num_rows: N})}, as the tutorial prints it. */
    @Override
    public String toString() {
        return "Dataset({features: ['tokens'], num_rows: " + size() + "})";
    }
}
