package gptcourse.autograd;

import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.Gather;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link Functional#logProbsOfNextTokens} on lazy logits {@code x @ W + b} ({@link Tensor#lazyLinear}),
 * without ever holding them: the way "cut cross-entropy" / fused linear-cross-entropy kernels work.
 * The forward pass computes one block of rows of logits at a time, soft-maxes it and keeps only the
 * log-probability of each row's target. The backward pass computes each block again, turns it in
 * place into its gradient ({@code g * (onehot(target) - softmax)}) and feeds it straight into the two
 * GEMMs that give the gradients of {@code x} and of {@code [W ; b]}. Only the positions that have a
 * next token are computed at all (the last position of each row gets no gradient).
 */
final class BlockedLogProbs {
    private BlockedLogProbs() {
    }

    static Tensor logProbsOfNextTokens(Tensor logits, INDArray tokens) {
        LazyLinear l = logits.lazy();
        return logProbsOfNextTokens(logits, tokens, RowBlocks.defaultBlockRows(l.weight().size(1)));
    }

    /** The same with a given number of rows per block (tests use blocks that do not divide the rows). */
    static Tensor logProbsOfNextTokens(Tensor logits, INDArray tokens, long blockRows) {
        LazyLinear l = logits.lazy();
        if (l == null) {
            throw new IllegalArgumentException("internal error: blocked log-probabilities need lazy logits");
        }
        l.checkOpen();
        long[] ls = l.shape();
        Functional.checkLogProbsArgs(ls, tokens);
        long batch = ls[0];
        long seq = ls[1];
        long vocab = ls[2];
        long rows = batch * (seq - 1);
        Tensor x = l.input();
        Tensor weight = l.weight();
        Tensor bias = l.bias();
        INDArray xd = x.data();
        DataType type = xd.dataType();
        // the positions that have a next token, row r = b * (seq - 1) + t; their targets tokens[b, t + 1]
        INDArray used = xd.get(NDArrayIndex.all(), NDArrayIndex.interval(0, seq - 1), NDArrayIndex.all());
        INDArray next = tokens.get(NDArrayIndex.all(), NDArrayIndex.interval(1, seq)).castTo(DataType.INT64)
                .dup('c').reshape(rows);
        Tensor.checkIndexRange(next, vocab, "tokens");
        RowBlocks blocks = RowBlocks.of(used, weight.data(), bias.data(), blockRows);

        INDArray out = Nd4j.create(type, rows);
        for (long r0 = 0; r0 < rows; r0 += blockRows) {
            long r1 = Math.min(rows, r0 + blockRows);
            INDArray z = blocks.logits(r0, r1);
            INDArray p = Buffers.empty(type, r1 - r0, vocab);
            softmaxRows(z, p);
            INDArray at = targetsInBlock(next, r0, r1, vocab);
            INDArray picked = Nd4j.exec(new Gather(p.reshape(p.length()), at, 0))[0];
            INDArray logp = Transforms.log(picked, true);
            if (picked.minNumber().doubleValue() < Functional.MIN_EXACT_PROBABILITY) {
                INDArray rowIdx = Nd4j.arange(0, r1 - r0).castTo(DataType.INT64);
                Functional.exactWhereUnderflowed(logp, picked, z, rowIdx, at, vocab);
            }
            out.get(NDArrayIndex.interval(r0, r1)).assign(logp);
            Buffers.release(z);
            Buffers.release(p);
        }
        INDArray logProbs = out.reshape(batch, seq - 1);
        if (!(GradMode.isEnabled() && l.requiresGrad())) {
            blocks.close();
            return Tensor.of(logProbs);
        }
        return Tensor.result(logProbs, out, (g, o) -> backward(g, blocks, next, x, weight, bias, batch, seq),
                List.of(blocks.x1(), blocks.wb()), x, weight, bias);
    }

    private static void backward(INDArray g, RowBlocks blocks, INDArray next, Tensor x, Tensor weight, Tensor bias,
                                 long batch, long seq) {
        INDArray x1 = blocks.x1();
        INDArray wb = blocks.wb();
        DataType type = x1.dataType();
        long rows = blocks.rows();
        long k = x1.columns() - 1;
        long vocab = wb.columns();
        long blockRows = blocks.blockRows();
        boolean needX = x.requiresGrad();
        boolean needW = weight.requiresGrad() || bias.requiresGrad();
        INDArray gFlat = g.dup('c').reshape(rows);
        INDArray negG = gFlat.neg();
        INDArray gx1 = needX ? Buffers.empty(type, rows, k + 1) : null;
        INDArray gwb = needW ? Buffers.zeros(type, k + 1, vocab) : null;
        for (long r0 = 0; r0 < rows; r0 += blockRows) {
            long r1 = Math.min(rows, r0 + blockRows);
            INDArray xs = blocks.x1Rows(r0, r1);
            INDArray gz = blocks.logits(xs);
            softmaxRows(gz, gz);
            // d logp[r] / d z[r, :] = onehot(target) - softmax, times the incoming g[r]
            gz.muliColumnVector(negG.get(NDArrayIndex.interval(r0, r1)).reshape(r1 - r0, 1));
            Tensor.scatterAddInPlace(gz.reshape(gz.length()), targetsInBlock(next, r0, r1, vocab),
                    gFlat.get(NDArrayIndex.interval(r0, r1)).dup());
            if (needX) {
                INDArray gxs = Buffers.empty(type, r1 - r0, k + 1);
                Nd4j.gemm(gz, wb, gxs, false, true, 1.0, 0.0);
                gx1.get(NDArrayIndex.interval(r0, r1), NDArrayIndex.all()).assign(gxs);
                Buffers.release(gxs);
            }
            if (needW) {
                Nd4j.gemm(xs, gz, gwb, true, false, 1.0, 1.0);
            }
            Buffers.release(gz);
            Buffers.release(xs);
        }
        if (needX) {
            // the last position of each row had no target: its gradient is zero
            INDArray full = Buffers.zeros(type, batch, seq, k);
            full.get(NDArrayIndex.all(), NDArrayIndex.interval(0, seq - 1), NDArrayIndex.all())
                    .assign(gx1.get(NDArrayIndex.all(), NDArrayIndex.interval(0, k)).reshape(batch, seq - 1, k));
            Buffers.release(gx1);
            x.accumulate(full, full);
        }
        if (needW) {
            bias.accumulate(gwb.getRow(k).reshape(vocab), null);
            weight.accumulate(gwb.get(NDArrayIndex.interval(0, k), NDArrayIndex.all()), gwb);
        }
    }

    /** Softmax of each row of {@code z [rows, v]} into {@code out} (may be z itself). As a rank-3 array,
     *  libnd4j runs it on oneDNN where available (4x faster than its rank-2 path with the AVX-512 natives). */
    private static void softmaxRows(INDArray z, INDArray out) {
        long[] s3 = {1, z.rows(), z.columns()};
        Nd4j.exec(new SoftMax(z.reshape(s3), out.reshape(s3), 2));
    }

    /** Flat positions {@code (r - r0) * v + next[r]} of rows r0..r1-1's targets in a {@code [r1 - r0, v]} block. */
    private static INDArray targetsInBlock(INDArray next, long r0, long r1, long v) {
        return Nd4j.arange(0, r1 - r0).castTo(DataType.INT64).muli(v).addi(next.get(NDArrayIndex.interval(r0, r1)));
    }
}
