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
 * The forward pass computes one block of rows of logits at a time, soft-maxes it in place and keeps
 * only the log-probability of each row's target. With a graph, it also feeds the block's softmax,
 * while it is in cache, straight into the two GEMMs that give the gradients of {@code x} and of
 * {@code [W ; b]} for an incoming gradient of 1 ({@code onehot(target) - softmax}: 1 is subtracted at
 * each row's target, one element a row, and the GEMMs subtract the result).
 * The loss's {@code mean()} gives every row the same incoming gradient, so {@code backward()} only
 * scales them.
 * For any other incoming gradient the backward pass computes each block again
 * ({@code g * (onehot(target) - softmax)}) and runs the same GEMMs. Only the positions that have a
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
        Indexing.checkIndexRange(next, vocab, "tokens");
        RowBlocks blocks = RowBlocks.of(used, weight.data(), bias.data(), blockRows);
        boolean grad = GradMode.isEnabled() && l.requiresGrad();
        // With a graph, each block's gradient for an incoming gradient of 1 on every row is formed
        // while the block is in cache: the loss's mean gives every row the same gradient, and then
        // backward() only scales these (no second pass over the logits).
        long k = weight.size(0);
        INDArray unitGx = grad ? Buffers.empty(type, rows, k) : null;
        INDArray unitGwb = grad ? Buffers.empty(type, k + 1, vocab) : null; // the first block's GEMM writes it

        INDArray out = Nd4j.create(type, rows);
        for (long r0 = 0; r0 < rows; r0 += blockRows) {
            long r1 = Math.min(rows, r0 + blockRows);
            INDArray p = blocks.block(r0, r1);
            softmaxRows(p, p);
            INDArray at = targetsInBlock(next, r0, r1, vocab);
            INDArray picked = Nd4j.exec(new Gather(p.reshape(p.length()), at, 0))[0];
            INDArray logp = Transforms.log(picked, true);
            if (picked.minNumber().doubleValue() < Functional.MIN_EXACT_PROBABILITY) {
                // rare: the block's logits again, for logit - logsumexp where the probability underflowed
                INDArray z = blocks.logitsCopy(r0, r1);
                INDArray rowIdx = Nd4j.arange(0, r1 - r0).castTo(DataType.INT64);
                Functional.exactWhereUnderflowed(logp, picked, z, rowIdx, at, vocab);
                Buffers.release(z);
            }
            out.get(NDArrayIndex.interval(r0, r1)).assign(logp);
            if (grad) {
                // d logp[r] / d z[r, :] = onehot(target) - softmax = -(softmax - onehot(target)), while the
                // block is in cache: one element a row, then GEMMs that subtract
                INDArray minusOne = Nd4j.createUninitialized(type, at.length()).assign(-1.0);
                Indexing.scatterAddInPlace(p.reshape(p.length()), at, minusOne);
                minusOne.close();
                gradientGemms(p, -1.0, blocks, r0, r1, unitGx, unitGwb, r0 == 0 ? 0.0 : 1.0);
            }
        }
        blocks.releaseBlock();
        INDArray logProbs = out.reshape(batch, seq - 1);
        if (!grad) {
            blocks.close();
            return Tensor.of(logProbs);
        }
        return Recording.result(logProbs, out, (g, o) -> {
            double g0 = g.getDouble(0);
            if (g.minNumber().doubleValue() == g0 && g.maxNumber().doubleValue() == g0) {
                return gradients(unitGx.muli(g0), unitGwb.muli(g0), x, batch, seq);
            }
            Buffers.release(unitGx);
            Buffers.release(unitGwb);
            return backward(g, blocks, next, x, weight, bias, batch, seq);
        }, List.of(blocks.x1(), blocks.wb()), x, weight, bias);
    }

    /** Adds a block's logit gradient {@code alpha * gz} into {@code gx [rows, k]} ({@code gz @ W^T}, its rows
     *  r0..r1-1) and {@code gwb [k+1, v]} ({@code = [x | 1]^T @ gz + beta * gwb}); either may be null. */
    private static void gradientGemms(INDArray gz, double alpha, RowBlocks blocks, long r0, long r1, INDArray gx,
                                      INDArray gwb, double beta) {
        DataType type = gz.dataType();
        if (gx != null) {
            INDArray gxs = Buffers.empty(type, r1 - r0, blocks.w().rows());
            Nd4j.gemm(gz, blocks.w(), gxs, false, true, alpha, 0.0);
            gx.get(NDArrayIndex.interval(r0, r1), NDArrayIndex.all()).assign(gxs);
            Buffers.release(gxs);
        }
        if (gwb != null) {
            INDArray xs = blocks.x1Rows(r0, r1);
            Nd4j.gemm(xs, gz, gwb, true, false, alpha, beta);
            Buffers.release(xs);
        }
    }

    /** The gradients of x, weight and bias from those of x's rows with a next token ({@code [rows, k]}) and
     *  of {@code [W ; b]}, either null if not needed; gives away gxRows's memory. */
    private static Grad[] gradients(INDArray gxRows, INDArray gwb, Tensor x, long batch, long seq) {
        Grad gx = null;
        if (gxRows != null && x.requiresGrad()) {
            long k = gxRows.columns();
            // the last position of each row had no target: its gradient is zero
            INDArray full = Buffers.zeros(gxRows.dataType(), batch, seq, k);
            full.get(NDArrayIndex.all(), NDArrayIndex.interval(0, seq - 1), NDArrayIndex.all())
                    .assign(gxRows.reshape(batch, seq - 1, k));
            gx = Grad.fresh(full);
        }
        Buffers.release(gxRows);
        if (gwb == null) {
            return new Grad[] {gx, null, null};
        }
        long k = gwb.rows() - 1;
        return new Grad[] {gx, Grad.view(gwb.get(NDArrayIndex.interval(0, k), NDArrayIndex.all()), gwb),
            Grad.view(gwb.getRow(k).reshape(gwb.columns()), gwb)};
    }

    /** The backward pass for any incoming gradient: each block's logits again, turned into their gradient. */
    private static Grad[] backward(INDArray g, RowBlocks blocks, INDArray next, Tensor x, Tensor weight, Tensor bias,
                                 long batch, long seq) {
        INDArray wb = blocks.wb();
        DataType type = wb.dataType();
        long rows = blocks.rows();
        long vocab = wb.columns();
        long blockRows = blocks.blockRows();
        INDArray gFlat = g.dup('c').reshape(rows);
        INDArray negG = gFlat.neg();
        INDArray gx = x.requiresGrad() ? Buffers.empty(type, rows, blocks.w().rows()) : null;
        INDArray gwb = weight.requiresGrad() || bias.requiresGrad() ? Buffers.zeros(type, wb.rows(), vocab) : null;
        for (long r0 = 0; r0 < rows; r0 += blockRows) {
            long r1 = Math.min(rows, r0 + blockRows);
            INDArray gz = blocks.block(r0, r1);
            softmaxRows(gz, gz);
            // d logp[r] / d z[r, :] = onehot(target) - softmax, times the incoming g[r]
            gz.muliColumnVector(negG.get(NDArrayIndex.interval(r0, r1)).reshape(r1 - r0, 1));
            Indexing.scatterAddInPlace(gz.reshape(gz.length()), targetsInBlock(next, r0, r1, vocab),
                    gFlat.get(NDArrayIndex.interval(r0, r1)).dup());
            gradientGemms(gz, 1.0, blocks, r0, r1, gx, gwb, 1.0);
        }
        blocks.releaseBlock();
        return gradients(gx, gwb, x, batch, seq);
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
