package gptcourse.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Batches of a {@link TokenizedDataset}, like PyTorch's {@code DataLoader(dataset,
 * batch_size=..., shuffle=..., drop_last=...)}, built with named settings:
 *
 * <pre>{@code
 * // DataLoader(dataset_dict["train"], batch_size=16, shuffle=True, num_workers=4)
 * DataLoader trainLoader = DataLoader.builder(datasetDict.get("train")).batchSize(16).shuffle(true).seed(42).build();
 * DataLoader testLoader = DataLoader.builder(datasetDict.get("test")).batchSize(16).shuffle(false).build();
 * for (Batch batch : trainLoader) {
 *     INDArray tokens = batch.get("tokens"); // int64 [16, maxLength]
 * }
 * }</pre>
 *
 * <p>The builder's defaults are PyTorch's where it has one: {@code batchSize(1)}, {@code
 * shuffle(false)}, {@code dropLast(false)}; {@code seed(0)} (PyTorch draws a fresh seed; here the
 * order is reproducible), {@code prefetch(2)}.
 *
 * <p>Each {@code for} loop is one epoch. With {@code shuffle}, epoch {@code e} visits the rows in
 * a permutation drawn from {@code seed} and {@code e}: reshuffled every epoch, identical across
 * runs. Without {@code dropLast} the last batch may be smaller.
 *
 * <p>With {@code prefetch > 0} a background thread assembles up to that many batches ahead (the
 * role of PyTorch's {@code num_workers}), so copying rows into INDArrays overlaps the training
 * step. Starting a new epoch, or {@link #close()}, stops the previous epoch's thread, so a loop
 * that breaks early (the tutorial's {@code max_steps_per_epoch}) leaks nothing.
 */
public final class DataLoader implements Iterable<Batch>, AutoCloseable {

    private final TokenizedDataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final int prefetch;
    private int epoch;
    private Prefetcher running;

    /**
     * The positional form.
     *
     * @param batchSize rows per batch, at least 1
     * @param shuffle a new seeded order every epoch (train), or the dataset's order (test)
     * @param seed the shuffle's seed
     * @param dropLast drop a last batch smaller than {@code batchSize}
     * @param prefetch batches prepared ahead on a background thread; 0 prepares them on the
     *     caller's thread
     * @deprecated write {@code DataLoader.builder(dataset).batchSize(n).shuffle(b).seed(s).dropLast(b)
     *     .prefetch(n).build()}: named settings read like PyTorch's keyword arguments
     */
    @Deprecated
    public DataLoader(TokenizedDataset dataset, int batchSize, boolean shuffle, long seed, boolean dropLast, int prefetch) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize " + batchSize + " must be at least 1");
        }
        if (prefetch < 0) {
            throw new IllegalArgumentException("prefetch " + prefetch + " must be 0 (no background thread) or more");
        }
        if (dataset.size() == 0) {
            throw new IllegalArgumentException("the dataset is empty: there is nothing to batch (was maxLength longer"
                    + " than all the text together?)");
        }
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.dropLast = dropLast;
        this.prefetch = prefetch;
    }

    /** Named settings for a loader over {@code dataset}: {@code DataLoader.builder(ds).batchSize(32).shuffle(true).build()}. */
    public static Builder builder(TokenizedDataset dataset) {
        return new Builder(java.util.Objects.requireNonNull(dataset, "dataset"));
    }

    /** The keyword arguments of PyTorch's {@code DataLoader}, named. Each setter returns this builder. */
    public static final class Builder {
        private final TokenizedDataset dataset;
        private int batchSize = 1;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;
        private int prefetch = 2;

        private Builder(TokenizedDataset dataset) {
            this.dataset = dataset;
        }

        /** {@code batch_size}: rows per batch, at least 1 (default 1). */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** {@code shuffle}: a new seeded order every epoch (train), or the dataset's order (default, test). */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** The shuffle's seed (default 0): the same seed gives the same order every run. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** {@code drop_last}: drop a last batch smaller than {@code batchSize} (default false). */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /**
         * Batches prepared ahead on a background thread (default 2; 0: on the caller's thread) — the
         * role of PyTorch's {@code num_workers}.
         */
        public Builder prefetch(int prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        /** The loader; throws {@link IllegalArgumentException} naming a bad setting. */
        public DataLoader build() {
            return new DataLoader(dataset, batchSize, shuffle, seed, dropLast, prefetch);
        }
    }

    /** Batches per epoch ({@code len(loader)}). */
    public int size() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The rows being batched ({@code loader.dataset}). */
    public TokenizedDataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Starts an epoch (stopping the previous one's background thread, if any). */
    @Override
    public synchronized Iterator<Batch> iterator() {
        return iterator(epoch, 0);
    }

    /**
     * Starts epoch {@code epoch} (0-based) at batch {@code fromBatch}: the same batches, in the
     * same order, as the uninterrupted epoch from that point on. A resumed training run uses it
     * to continue its data order; the next {@link #iterator()} starts epoch {@code epoch + 1}.
     */
    public synchronized Iterator<Batch> iterator(int epoch, int fromBatch) {
        if (epoch < 0 || fromBatch < 0 || fromBatch > size()) {
            throw new IllegalArgumentException("cannot start epoch " + epoch + " at batch " + fromBatch
                    + ": the epoch must be 0 or more and the batch between 0 and " + size());
        }
        stopRunning();
        int[] order = shuffle ? TokenizedDataset.permutation(dataset.size(), seed * 1_000_003L + epoch)
                : identity(dataset.size());
        this.epoch = epoch + 1;
        int batches = size();
        if (prefetch == 0) {
            return new Iterator<>() {
                private int next = fromBatch;

                @Override
                public boolean hasNext() {
                    return next < batches;
                }

                @Override
                public Batch next() {
                    if (next >= batches) {
                        throw new NoSuchElementException();
                    }
                    return makeBatch(order, next++);
                }
            };
        }
        running = new Prefetcher(order, fromBatch, batches);
        return running;
    }

    /** Stops the background thread of the current epoch, if any. */
    @Override
    public synchronized void close() {
        stopRunning();
    }

    private void stopRunning() {
        if (running != null) {
            running.stop();
            running = null;
        }
    }

    private Batch makeBatch(int[] order, int index) {
        int from = index * batchSize;
        int to = Math.min(order.length, from + batchSize);
        int[] positions = new int[to - from];
        System.arraycopy(order, from, positions, 0, positions.length);
        return dataset.batch(positions);
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** One epoch's batches, made ahead on a daemon thread. */
    private final class Prefetcher implements Iterator<Batch> {
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(prefetch);
        private final Thread thread;
        private final int batches;
        private volatile boolean stopped;
        private int taken;

        Prefetcher(int[] order, int fromBatch, int batches) {
            this.batches = batches;
            this.taken = fromBatch;
            this.thread = new Thread(() -> {
                try {
                    for (int b = fromBatch; b < batches && !stopped; b++) {
                        Object item;
                        try {
                            item = makeBatch(order, b);
                        } catch (RuntimeException | Error e) {
                            item = e;
                        }
                        while (!stopped && !queue.offer(item, 50, TimeUnit.MILLISECONDS)) {
                            // wait for the consumer, or for stop()
                        }
                        if (item instanceof Throwable) {
                            return;
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "gptcourse-dataloader");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public boolean hasNext() {
            return taken < batches && !stopped;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException(stopped ? "this epoch was stopped: a new epoch was started or the"
                        + " loader was closed" : "no more batches in this epoch");
            }
            Object item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            }
            taken++;
            if (item instanceof RuntimeException e) {
                throw e;
            }
            if (item instanceof Error e) {
                throw e;
            }
            return (Batch) item;
        }

        void stop() {
            stopped = true;
            thread.interrupt();
        }
    }
}
