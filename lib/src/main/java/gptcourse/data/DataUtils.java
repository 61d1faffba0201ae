package gptcourse.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import gptcourse.io.AtomicFiles;
import gptcourse.io.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data helpers from transformer_lens's {@code utils}; the one the tutorial uses is {@link
 * #tokenizeAndConcatenate}.
 */
public final class DataUtils {

    private static final Logger LOG = LoggerFactory.getLogger(DataUtils.class);
    /** Texts are handed to the tokenizing threads in batches of about this many chars. */
    private static final int BATCH_CHARS = 1 << 18;
    private static final int CACHE_FORMAT = 1;
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;

    private DataUtils() {
    }

    /**
     * Tokenizes every text and cuts the concatenation into rows of {@code maxLength} tokens:
     * transformer_lens's {@code tokenize_and_concatenate}, cached on disk under {@code
     * <GPTCOURSE_CACHE>/tokenized}. The keyword arguments are named options ({@link TokenizeOptions}):
     *
     * <pre>{@code
     * import static gptcourse.data.TokenizeOptions.*;
     *
     * TokenizedDataset tokens = DataUtils.tokenizeAndConcatenate(dataset, tokenizer,
     *         streaming(false), maxLength(256), columnName("text"), addBosToken(true), numProc(4));
     * }</pre>
     *
     * <p>The texts are joined with {@code <|endoftext|>} (EOS), tokenized by {@code numProc}
     * threads, cut into rows of {@code maxLength - 1} tokens, each row prefixed with BOS when
     * {@code addBosToken} (else rows of {@code maxLength}); the incomplete last row is dropped.
     * So with {@code maxLength = 4}, texts "a b", "c" (tokens a b / c) give {@code [BOS a b EOS]}
     * and drop {@code c}.
     *
     * <p>Deliberate differences from transformer_lens, which gives slightly different rows:
     * <ul>
     *   <li>EOS tokens between texts are kept. transformer_lens removes every pad token after
     *       tokenizing, and GPT-2's pad token there is EOS, so its rows run stories together
     *       with no separator at all.
     *   <li>The whole dataset is one stream with one incomplete tail dropped; transformer_lens
     *       works in batches of 1,000 texts, drops a tail per batch and puts no EOS between
     *       batches.
     *   <li>Each text is tokenized whole; transformer_lens cuts each batch's joined text into 20
     *       equal character chunks first, which can split a word in two at a chunk edge.
     *   <li>{@code streaming} only changes threading: like transformer_lens, a streaming call
     *       ignores {@code numProc} (one thread). Here the texts are always read as a stream
     *       (never all in memory) and the result is always a materialised dataset.
     * </ul>
     *
     * <p>The result is cached (memory-mapped int32) by source content, tokenizer, {@code
     * maxLength} and {@code addBosToken}: a second call returns at once. The 470 M-token
     * TinyStories train split takes about 1.9 GB of disk and no heap. {@code inMemory()} keeps
     * the rows on the heap instead.
     *
     * @param dataset the texts, e.g. {@code TinyStories.load("train")}
     * @param options {@code streaming(b)}, {@code maxLength(n)}, {@code columnName("text")},
     *     {@code addBosToken(b)}, {@code numProc(n)}, {@code cacheDir(path)} / {@code inMemory()},
     *     or a whole {@link TokenizeOptions}; unset ones take transformer_lens's defaults
     * @return rows {@code [numRows, maxLength]} with column {@code tokens}
     */
    public static TokenizedDataset tokenizeAndConcatenate(TextDataset dataset, Gpt2Tokenizer tokenizer,
            TokenizeOption... options) {
        return tokenizeAndConcatenate(dataset, tokenizer, TokenizeOptions.of(options));
    }

    /**
     * The positional form, kept for callers written before {@link TokenizeOptions}.
     *
     * @deprecated write {@code tokenizeAndConcatenate(dataset, tokenizer, streaming(b), maxLength(n),
     *     columnName("text"), addBosToken(b), numProc(n))}
     */
    @Deprecated
    public static TokenizedDataset tokenizeAndConcatenate(TextDataset dataset, Gpt2Tokenizer tokenizer,
            boolean streaming, int maxLength, String columnName, boolean addBosToken, int numProc) {
        return tokenizeAndConcatenate(dataset, tokenizer, new TokenizeOptions(streaming, maxLength, columnName,
                addBosToken, numProc, DownloadOptions.defaultCacheDir().resolve("tokenized")));
    }

    /**
     * The positional form with an explicit cache directory (null: on the heap, uncached).
     *
     * @deprecated write {@code tokenizeAndConcatenate(dataset, tokenizer, ..., cacheDir(dir))} or {@code
     *     inMemory()}
     */
    @Deprecated
    public static TokenizedDataset tokenizeAndConcatenate(TextDataset dataset, Gpt2Tokenizer tokenizer,
            boolean streaming, int maxLength, String columnName, boolean addBosToken, int numProc, Path cacheDir) {
        return tokenizeAndConcatenate(dataset, tokenizer, new TokenizeOptions(streaming, maxLength, columnName,
                addBosToken, numProc, cacheDir));
    }

    /** {@link #tokenizeAndConcatenate(TextDataset, Gpt2Tokenizer, TokenizeOption...)} with every setting in one record. */
    public static TokenizedDataset tokenizeAndConcatenate(TextDataset dataset, Gpt2Tokenizer tokenizer,
            TokenizeOptions options) {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(options, "options");
        TokenizeOptions o = options.validated();
        int maxLength = o.maxLength();
        boolean addBosToken = o.addBosToken();
        Path cacheDir = o.cacheDir();
        int threads = o.streaming() ? 1 : o.numProc();
        if (cacheDir == null) {
            HeapSink sink = new HeapSink(maxLength);
            long[] stats = concatenate(dataset, tokenizer, maxLength, addBosToken, threads, sink);
            return new TokenizedDataset(TokenRows.onHeap(sink.tokens(), sink.rows, maxLength), null,
                    dataset.name() + " (" + stats[1] + " tokens, in memory)");
        }
        String key = "format=" + CACHE_FORMAT + "|source=" + dataset.fingerprint() + "|tokenizer=" + tokenizer.sha256()
                + "|maxLength=" + maxLength + "|addBos=" + addBosToken;
        String name = Sha256.of(key.getBytes(StandardCharsets.UTF_8)).substring(0, 24);
        Path data = cacheDir.resolve(name + ".int32");
        Path metaPath = cacheDir.resolve(name + ".meta");
        TokenizedDataset cached = openCached(data, metaPath, key, maxLength, dataset.name());
        if (cached != null) {
            LOG.info("using cached tokens {} for {}", data, dataset.name());
            return cached;
        }
        try {
            Files.createDirectories(cacheDir);
            FileSink sink = new FileSink(maxLength);
            long[][] counted = new long[1][]; // what concatenate returns, out of the lambda
            AtomicFiles.writeChannel(data, channel -> {
                counted[0] = concatenate(dataset, tokenizer, maxLength, addBosToken, threads, sink.writingTo(channel));
                sink.flush();
            });
            long[] stats = counted[0];
            int rows = sink.rows;
            Properties meta = new Properties();
            meta.setProperty("key", key);
            meta.setProperty("rows", Integer.toString(rows));
            meta.setProperty("maxLength", Integer.toString(maxLength));
            meta.setProperty("texts", Long.toString(stats[0]));
            meta.setProperty("tokens", Long.toString(stats[1]));
            meta.setProperty("source", dataset.name());
            HubDownloader.writeProperties(metaPath, meta);
            return new TokenizedDataset(TokenRows.mapped(data, rows, maxLength), null,
                    dataset.name() + " (" + stats[1] + " tokens, cached in " + data + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the token cache in " + cacheDir
                    + " (set GPTCOURSE_CACHE to a writable directory)", e);
        }
    }

    private static TokenizedDataset openCached(Path data, Path metaPath, String key, int maxLength, String source) {
        Properties meta = HubDownloader.readProperties(metaPath);
        if (meta == null || !Files.exists(data) || !key.equals(meta.getProperty("key"))) {
            return null;
        }
        try {
            int rows = Integer.parseInt(meta.getProperty("rows"));
            if (Files.size(data) != 4L * rows * maxLength) {
                LOG.warn("token cache {} has the wrong size: rebuilding it", data);
                return null;
            }
            return new TokenizedDataset(TokenRows.mapped(data, rows, maxLength), null,
                    source + " (" + meta.getProperty("tokens") + " tokens, cached in " + data + ")");
        } catch (IOException | RuntimeException e) {
            LOG.warn("unreadable token cache {} ({}): rebuilding it", data, e.toString());
            return null;
        }
    }

    /**
     * Streams {@code texts joined by EOS} into rows; returns {texts, tokens before cutting}.
     */
    private static long[] concatenate(TextDataset dataset, Gpt2Tokenizer tokenizer, int maxLength, boolean addBos,
            int threads, RowSink sink) {
        int eos = tokenizer.eosTokenId();
        int[] row = new int[maxLength];
        int start = addBos ? 1 : 0;
        row[0] = tokenizer.bosTokenId();
        long[] stats = new long[2];
        int[] position = {start};
        long t0 = System.nanoTime();
        long[] lastLog = {t0};
        tokenizeInOrder(dataset.iterator(), tokenizer, threads, batch -> {
            for (int[] ids : batch) {
                if (stats[0] > 0) {
                    position[0] = put(row, position[0], eos, start, sink);
                    stats[1]++;
                }
                for (int id : ids) {
                    position[0] = put(row, position[0], id, start, sink);
                }
                stats[0]++;
                stats[1] += ids.length;
            }
            long now = System.nanoTime();
            if (now - lastLog[0] > LOG_EVERY_NANOS) {
                lastLog[0] = now;
                LOG.info("tokenizing {}: {} texts, {} tokens, {} tokens/s", dataset.name(), stats[0], stats[1],
                        (long) (stats[1] / ((now - t0) / 1e9)));
            }
        });
        LOG.info("tokenized {}: {} texts, {} tokens -> {} rows of {} in {} s", dataset.name(), stats[0], stats[1],
                sink.rows(), maxLength, String.format("%.1f", (System.nanoTime() - t0) / 1e9));
        return stats;
    }

    private static int put(int[] row, int position, int token, int start, RowSink sink) {
        row[position++] = token;
        if (position == row.length) {
            sink.accept(row);
            return start;
        }
        return position;
    }

    /** Counts the tokens of every text (no EOS added): the throughput command's workload. */
    static long countTokens(TextDataset dataset, Gpt2Tokenizer tokenizer, int numProc) {
        long[] count = new long[1];
        tokenizeInOrder(dataset.iterator(), tokenizer, numProc, batch -> {
            for (int[] ids : batch) {
                count[0] += ids.length;
            }
        });
        return count[0];
    }

    /**
     * Tokenizes {@code texts} on {@code threads} threads and hands the results to {@code sink} in
     * the texts' order, a batch at a time. The caller's thread reads the texts and runs the sink;
     * at most {@code 2 * threads} batches are in flight, so memory stays bounded however long
     * the stream.
     */
    static void tokenizeInOrder(Iterator<String> texts, Gpt2Tokenizer tokenizer, int threads, Consumer<int[][]> sink) {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "gptcourse-tokenize");
            t.setDaemon(true);
            return t;
        });
        try {
            ArrayDeque<Future<int[][]>> inFlight = new ArrayDeque<>();
            while (texts.hasNext()) {
                List<String> batch = new ArrayList<>();
                int chars = 0;
                while (texts.hasNext() && chars < BATCH_CHARS) {
                    String text = texts.next();
                    batch.add(text);
                    chars += text.length();
                }
                // One text per native call: Rust's own thread pool (batchEncode) would ignore
                // the thread count asked for, and measured no faster here.
                inFlight.add(pool.submit(() -> {
                    int[][] ids = new int[batch.size()][];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = tokenizer.encode(batch.get(i));
                    }
                    return ids;
                }));
                if (inFlight.size() >= 2 * threads) {
                    sink.accept(inFlight.poll().get());
                }
            }
            while (!inFlight.isEmpty()) {
                sink.accept(inFlight.poll().get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("tokenizing was interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("tokenizing failed: " + cause, cause);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Receives complete rows. */
    private interface RowSink {
        void accept(int[] row);

        int rows();
    }

    private static final class HeapSink implements RowSink {
        private final int width;
        private int[] tokens = new int[1 << 16];
        private int rows;

        HeapSink(int width) {
            this.width = width;
        }

        @Override
        public void accept(int[] row) {
            long needed = (long) (rows + 1) * width;
            if (needed > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("over 2^31 tokens do not fit in memory: pass a cache directory");
            }
            if (needed > tokens.length) {
                tokens = Arrays.copyOf(tokens, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * tokens.length)));
            }
            System.arraycopy(row, 0, tokens, rows * width, width);
            rows++;
        }

        @Override
        public int rows() {
            return rows;
        }

        int[] tokens() {
            return Arrays.copyOf(tokens, rows * width);
        }
    }

    /** Rows into a file, 1 MB at a time; {@link #flush} after the last row. */
    private static final class FileSink implements RowSink {
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        private FileChannel channel;
        private int rows;

        FileSink(int width) {
            if (4L * width > buffer.capacity()) {
                throw new IllegalArgumentException("maxLength " + width + " is too large: at most " + buffer.capacity() / 4);
            }
        }

        FileSink writingTo(FileChannel file) {
            channel = file;
            return this;
        }

        @Override
        public void accept(int[] row) {
            if (buffer.remaining() < 4 * row.length) {
                flush();
            }
            for (int token : row) {
                buffer.putInt(token);
            }
            if (rows == Integer.MAX_VALUE) {
                throw new IllegalStateException("more than 2^31 rows");
            }
            rows++;
        }

        @Override
        public int rows() {
            return rows;
        }

        void flush() {
            buffer.flip();
            try {
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write tokens", e);
            }
            buffer.clear();
        }
    }
}
