package gptcourse.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The keyword arguments of transformer_lens's {@code tokenize_and_concatenate}, named, with its defaults:
 *
 * <pre>{@code
 * import static gptcourse.data.TokenizeOptions.*;
 *
 * // tokenize_and_concatenate(dataset, tokenizer, streaming=False, max_length=model.cfg.n_ctx,
 * //                          column_name="text", add_bos_token=True, num_proc=4)
 * TokenizedDataset tokens = DataUtils.tokenizeAndConcatenate(dataset, tokenizer,
 *         streaming(false), maxLength(model.cfg.nCtx()), columnName("text"), addBosToken(true), numProc(4));
 * }</pre>
 *
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>Python</th><th>here</th><th>default</th></tr>
 *   <tr><td>{@code streaming}</td><td>{@code streaming(false)}</td><td>false (true: one tokenizing thread)</td></tr>
 *   <tr><td>{@code max_length}</td><td>{@code maxLength(256)}</td><td>1024 (tokens per row)</td></tr>
 *   <tr><td>{@code column_name}</td><td>{@code columnName("text")}</td><td>"text" (the only column)</td></tr>
 *   <tr><td>{@code add_bos_token}</td><td>{@code addBosToken(true)}</td><td>true</td></tr>
 *   <tr><td>{@code num_proc}</td><td>{@code numProc(4)}</td><td>10 (tokenizing threads)</td></tr>
 *   <tr><td>(none)</td><td>{@code cacheDir(path)} / {@code inMemory()}</td>
 *       <td>{@code $GPTCOURSE_CACHE/tokenized}; in memory: on the heap, uncached</td></tr>
 * </table>
 *
 * @param cacheDir where the rows are cached (memory-mapped), or null for rows on the heap, uncached
 */
public record TokenizeOptions(boolean streaming, int maxLength, String columnName, boolean addBosToken, int numProc,
        Path cacheDir) implements TokenizeOption {

    /** transformer_lens's defaults, cached under {@code $GPTCOURSE_CACHE/tokenized}. */
    public static TokenizeOptions defaults() {
        return new TokenizeOptions(false, 1024, TextDataset.TEXT, true, 10,
                DownloadOptions.defaultCacheDir().resolve("tokenized"));
    }

    /**
     * These settings, checked together (so the order of options never matters): throws {@link
     * IllegalArgumentException} naming the bad setting.
     */
    public TokenizeOptions validated() {
        if (columnName == null) {
            throw new IllegalArgumentException("columnName is null: the dataset's only column is \"text\"");
        }
        if (!TextDataset.TEXT.equals(columnName)) {
            throw new IllegalArgumentException("column \"" + columnName + "\" is not in the dataset: its only column"
                    + " is \"text\"");
        }
        int minLength = addBosToken ? 2 : 1;
        if (maxLength < minLength) {
            throw new IllegalArgumentException("maxLength " + maxLength + " is too small: rows need at least "
                    + minLength + " tokens" + (addBosToken ? " (BOS plus one)" : "") + "; the tutorial uses the"
                    + " model's n_ctx");
        }
        if (numProc < 1) {
            throw new IllegalArgumentException("numProc " + numProc + " must be at least 1 (the number of tokenizing"
                    + " threads; this machine has " + Runtime.getRuntime().availableProcessors() + " cores)");
        }
        return this;
    }

    /** {@link #defaults()} with {@code options} applied in order (a later one wins). */
    public static TokenizeOptions of(TokenizeOption... options) {
        return defaults().with(options);
    }

    /** These settings with {@code options} applied in order (a later one wins). */
    public TokenizeOptions with(TokenizeOption... options) {
        Objects.requireNonNull(options, "options");
        TokenizeOptions result = this;
        for (TokenizeOption option : options) {
            result = Objects.requireNonNull(option, "a tokenize option is null").applyTo(result);
        }
        return result.validated();
    }

    @Override
    public TokenizeOptions applyTo(TokenizeOptions options) {
        return this;
    }

    /** {@code streaming=s}: true tokenizes on one thread (numProc is ignored, as in transformer_lens). */
    public static TokenizeOption streaming(boolean s) {
        return o -> new TokenizeOptions(s, o.maxLength, o.columnName, o.addBosToken, o.numProc, o.cacheDir);
    }

    /** {@code max_length=n}: tokens per row, the model's {@code n_ctx}. */
    public static TokenizeOption maxLength(int n) {
        return o -> new TokenizeOptions(o.streaming, n, o.columnName, o.addBosToken, o.numProc, o.cacheDir);
    }

    /** {@code column_name=name}: must be {@code "text"}, the dataset's only column. */
    public static TokenizeOption columnName(String name) {
        return o -> new TokenizeOptions(o.streaming, o.maxLength, name, o.addBosToken, o.numProc, o.cacheDir);
    }

    /** {@code add_bos_token=b}: start each row with BOS ({@code <|endoftext|>}). */
    public static TokenizeOption addBosToken(boolean b) {
        return o -> new TokenizeOptions(o.streaming, o.maxLength, o.columnName, b, o.numProc, o.cacheDir);
    }

    /** {@code num_proc=n}: tokenizing threads. */
    public static TokenizeOption numProc(int n) {
        return o -> new TokenizeOptions(o.streaming, o.maxLength, o.columnName, o.addBosToken, n, o.cacheDir);
    }

    /** Cache the rows in {@code dir} (memory-mapped int32 files). */
    public static TokenizeOption cacheDir(Path dir) {
        Objects.requireNonNull(dir, "cacheDir: use inMemory() for no cache");
        return o -> new TokenizeOptions(o.streaming, o.maxLength, o.columnName, o.addBosToken, o.numProc, dir);
    }

    /** Keep the rows on the heap, uncached (small datasets and tests). */
    public static TokenizeOption inMemory() {
        return o -> new TokenizeOptions(o.streaming, o.maxLength, o.columnName, o.addBosToken, o.numProc, null);
    }

    @Override
    public String toString() {
        return "TokenizeOptions(streaming=" + streaming + ", maxLength=" + maxLength + ", columnName=\"" + columnName
                + "\", addBosToken=" + addBosToken + ", numProc=" + numProc + ", cache="
                + (cacheDir == null ? "in memory" : cacheDir.toString()) + ")";
    }
}
