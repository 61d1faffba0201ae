package gptcourse.autograd;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code x @ W + b} computed a block of rows at a time, as {@code [x | 1] @ [W ; b]} (the bias rides
 * in the GEMM, as in {@link Tensor#linear}). A block is small enough to stay in the CPU's caches
 * while the softmax and the gradient GEMMs read it again, instead of streaming a 0.8 GB array through
 * memory several times.
 */
final class RowBlocks implements AutoCloseable {
    /** Bytes of logits per block (640 rows at d_vocab 50257; a whole batch-4 step's 508 rows in one
     *  block). The GEMMs with k = 33 run faster the more rows they get: LogitsBlockBench, the blocked loss
     *  forward and backward, rows interleaved, medians of 7-9: batch 32, 0.336 s with 320-row blocks and
     *  0.269 s with 640; batch 4, 58.5 ms and 45.6-51.0 ms (docs/performance.md). One block is in memory
     *  at a time; 1,016 rows were faster still (0.287 s against 0.311 s for 640 in one run) but would
     *  add 76 MB more to the peak. */
    static final long DEFAULT_BLOCK_BYTES = 128L << 20;
    /** {@code -Dgptcourse.logitsBlockRows=N} fixes the rows per block (for benchmarks and tests). */
    static final String BLOCK_ROWS_PROPERTY = "gptcourse.logitsBlockRows";

    private final INDArray x1;
    private final INDArray wb;
    private final long rows;
    private final long blockRows;
    /** One block's logits at a time, {@code [bufferRows(rows, blockRows), m]}: every block, the last and
     *  shorter one too, is computed into it, so no rows count leaves a buffer of its own size in {@link Buffers}. */
    private INDArray block;

    private RowBlocks(INDArray x1, INDArray wb, long blockRows) {
        this.x1 = x1;
        this.wb = wb;
        this.rows = x1.rows();
        this.blockRows = blockRows;
    }

    /** For {@code x [..., k]}, {@code weight [k, m]}, {@code bias [m]}; the rows are x's leading positions, in order. */
    static RowBlocks of(INDArray x, INDArray weight, INDArray bias) {
        return of(x, weight, bias, defaultBlockRows(weight.size(1)));
    }

    static RowBlocks of(INDArray x, INDArray weight, INDArray bias, long blockRows) {
        if (blockRows < 1) {
            throw new IllegalArgumentException("blockRows must be at least 1, got " + blockRows);
        }
        long k = weight.size(0);
        long m = weight.size(1);
        DataType type = x.dataType();
        INDArray x2 = Shapes.flatRows(x, k);
        INDArray x1 = Buffers.empty(type, x2.rows(), k + 1);
        x1.get(NDArrayIndex.all(), NDArrayIndex.interval(0, k)).assign(x2);
        x1.getColumn(k).assign(1.0);
        INDArray wb = Buffers.empty(type, k + 1, m);
        wb.get(NDArrayIndex.interval(0, k), NDArrayIndex.all()).assign(weight);
        wb.getRow(k).assign(bias);
        return new RowBlocks(x1, wb, blockRows);
    }

    /** Rows per block for {@code m} columns: {@link #BLOCK_ROWS_PROPERTY}, else about {@link #DEFAULT_BLOCK_BYTES}. */
    static long defaultBlockRows(long m) {
        String fixed = System.getProperty(BLOCK_ROWS_PROPERTY);
        if (fixed != null) {
            try {
                long r = Long.parseLong(fixed.trim());
                if (r >= 1) {
                    return r;
                }
            } catch (NumberFormatException ignored) {
                // the default below
            }
        }
        return Math.max(1, DEFAULT_BLOCK_BYTES / (4 * Math.max(1, m)));
    }

    long rows() {
        return rows;
    }

    long blockRows() {
        return blockRows;
    }

    /** {@code [x | 1]}, {@code [rows, k + 1]}. */
    INDArray x1() {
        return x1;
    }

    /** {@code [W ; b]}, {@code [k + 1, m]}. */
    INDArray wb() {
        return wb;
    }

    /** {@code W}, {@code [k, m]}: {@link #wb()} without the bias row, a view of its first k rows (made on
     *  request: the argmax and the sampler never need it). The GEMM for x's gradient uses it,
     *  not {@code [W ; b]}: with 33 output columns instead of 32 it ran about 40% slower (the GEMM
     *  kernels work in column tiles of 8 or 16), and the gradient of the constant 1 is never used. */
    INDArray w() {
        return wb.get(NDArrayIndex.interval(0, wb.rows() - 1), NDArrayIndex.all());
    }

    /** Rows {@code r0..r1-1} of {@code [x | 1]}, as their own array (the caller releases it). */
    INDArray x1Rows(long r0, long r1) {
        INDArray part = Buffers.empty(x1.dataType(), r1 - r0, x1.columns());
        part.assign(x1.get(NDArrayIndex.interval(r0, r1), NDArrayIndex.all()));
        return part;
    }

    /**
     * The logits of rows {@code r0..r1-1}, {@code [r1 - r0, m]}, in this object's one block buffer: valid
     * until the next call, {@link #releaseBlock()} or {@link #close()}; the caller does not release it.
     */
    INDArray block(long r0, long r1) {
        long n = r1 - r0;
        if (n < 1 || n > blockRows) {
            throw new IllegalArgumentException("internal error: a block of " + n + " rows, at most " + blockRows);
        }
        if (block == null) {
            block = Buffers.empty(wb.dataType(), bufferRows(rows, blockRows), wb.columns());
        }
        // the first n rows of a row-major array are contiguous: the GEMM writes them in place
        INDArray out = n == block.rows() ? block : block.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
        return logitsInto(r0, r1, out);
    }

    /** Rows of the block buffer for {@code rows} rows in blocks of {@code blockRows}: a full block, or for
     *  fewer rows the next power of two (so inputs of similar lengths, as a sampler's, share buffers). */
    static long bufferRows(long rows, long blockRows) {
        if (rows >= blockRows) {
            return blockRows;
        }
        return Math.min(blockRows, rows <= 1 ? 1 : Long.highestOneBit(rows - 1) << 1);
    }

    /** The logits of rows {@code r0..r1-1} in a new array of their own (the caller releases it), for when
     *  {@link #block}'s are still in use. */
    INDArray logitsCopy(long r0, long r1) {
        return logitsInto(r0, r1, Buffers.empty(wb.dataType(), r1 - r0, wb.columns()));
    }

    private INDArray logitsInto(long r0, long r1, INDArray out) {
        INDArray xs = x1Rows(r0, r1);
        Nd4j.gemm(xs, wb, out, false, false, 1.0, 0.0);
        Buffers.release(xs);
        return out;
    }

    /** Gives the block buffer back to {@link Buffers} until {@link #block} is called again. */
    void releaseBlock() {
        Buffers.release(block);
        block = null;
    }

    @Override
    public void close() {
        releaseBlock();
        Buffers.release(x1);
        Buffers.release(wb);
    }
}
