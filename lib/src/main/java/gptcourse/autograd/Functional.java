package gptcourse.autograd;

import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.Gather;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Fused operations of the transformer ({@code torch.nn.functional} in spirit): each is one graph node
 * with a hand-derived backward pass, which saves memory and passes over the data compared with
 * composing elementwise ops. libnd4j has built-ins for some of these, but in 1.0.0-M2.1 its
 * {@code layer_norm} has no epsilon and neither of its GELUs is the tanh form, so they are written here.
 */
public final class Functional {
    private static final double GELU_C = Math.sqrt(2.0 / Math.PI);
    private static final double GELU_A = 0.044715;

    private Functional() {
    }

    /**
     * GPT-2's GELU, the tanh approximation ({@code gelu_new} in transformer_lens):
     * {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}.
     */
    public static Tensor geluNew(Tensor input) {
        INDArray x = input.data();
        INDArray x2 = Elementwise.binary(Elementwise.Op.MUL, x, x);
        INDArray th = Elementwise.binary(Elementwise.Op.MUL, x2.muli(GELU_A).addi(1.0), x).muli(GELU_C);
        Buffers.release(x2);
        Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh(th, th));
        INDArray onePlusTh = th.add(1.0, Buffers.empty(th.dataType(), th.shape()));
        INDArray out = Elementwise.binary(Elementwise.Op.MUL, onePlusTh, x).muli(0.5);
        Buffers.release(onePlusTh);
        return Recording.result(out, (g, o) -> {
            // d/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 a x^2)
            INDArray d = Elementwise.binary(Elementwise.Op.MUL, x, x).muli(3 * GELU_A).addi(1.0).muli(GELU_C * 0.5);
            d.muli(x);
            INDArray oneMinusT2 = Elementwise.binary(Elementwise.Op.MUL, th, th).rsubi(1.0);
            d.muli(oneMinusT2);
            Buffers.release(oneMinusT2);
            INDArray half = th.add(1.0, Buffers.empty(th.dataType(), th.shape())).muli(0.5);
            d.addi(half);
            Buffers.release(half);
            return Grad.of(d.muli(g));
        }, List.of(th), input);
    }

    /**
     * Layer normalisation over the last dimension, as in the tutorial's {@code LayerNorm}:
     * {@code (x - mean) / sqrt(var + eps) * w + b}, with the biased variance.
     *
     * @param x      [..., d]
     * @param weight [d]
     * @param bias   [d]
     */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        INDArray in = x.data();
        long d = in.size(in.rank() - 1);
        if (weight.rank() != 1 || weight.size(0) != d || bias.rank() != 1 || bias.size(0) != d) {
            throw new IllegalArgumentException("layerNorm: weight and bias must have shape [" + d + "], got "
                    + Arrays.toString(weight.shape()) + " and " + Arrays.toString(bias.shape()));
        }
        int last = in.rank() - 1;
        // every temporary is freed here: a batch-32 step made 20 MB of them, left to the garbage collector
        INDArray mean = in.mean(true, last);
        INDArray xhat = in.sub(mean);
        mean.close();
        INDArray squares = xhat.mul(xhat);
        INDArray rstd = Transforms.pow(squares.mean(true, last).addi(eps), -0.5, false);
        squares.close();
        xhat.muli(rstd);
        INDArray out = xhat.mul(weight.data()).addi(bias.data());
        return Recording.result(out, (g, o) -> {
            long[] shape = in.shape();
            INDArray gw = null;
            if (weight.requiresGrad()) {
                INDArray gXhat = g.mul(xhat);
                gw = columnSums(gXhat, d);
                gXhat.close();
            }
            INDArray gb = bias.requiresGrad() ? columnSums(g, d) : null;
            INDArray dx = null;
            if (x.requiresGrad()) {
                // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = g * w
                INDArray dxhat = g.mul(weight.data());
                INDArray m1 = dxhat.mean(true, last);
                INDArray product = dxhat.mul(xhat);
                INDArray m2 = product.mean(true, last);
                product.close();
                INDArray xhatM2 = xhat.mul(m2);
                dx = dxhat.subi(m1).subi(xhatM2).muli(rstd);
                xhatM2.close();
                m1.close();
                m2.close();
                assert Arrays.equals(dx.shape(), shape);
            }
            return Grad.of(dx, gw, gb);
        }, List.of(xhat, rstd), x, weight, bias);
    }

    /** The sum over all leading dimensions of {@code a [..., d]}: {@code [d]}, in a new array. */
    private static INDArray columnSums(INDArray a, long d) {
        INDArray rows = Shapes.flatRows(a, d);
        INDArray sums = rows.sum(0);
        Shapes.releaseFlatRows(rows, a);
        return sums;
    }

    /**
     * The log-probability each position assigns to the next token: {@code log_softmax(logits)[:, :-1]}
     * gathered at {@code tokens[:, 1:]}, exactly the tutorial's {@code get_log_probs}, as one node.
     * Forward keeps the softmax in one buffer, which the backward pass turns in place into the
     * gradient of the logits, so the 0.8 GB {@code [batch, seq, vocab]} array is neither recomputed
     * nor copied, and the exponentials are computed once per step. The log-probability is
     * {@code log(softmax)} at the target, recomputed exactly where that probability underflows.
     *
     * @param logits [batch, seq, vocab]
     * @param tokens [batch, seq] integer token ids
     * @return [batch, seq - 1]
     */
    public static Tensor logProbsOfNextTokens(Tensor logits, INDArray tokens) {
        if (logits.isLazy()) {
            return BlockedLogProbs.logProbsOfNextTokens(logits, tokens);
        }
        long[] ls = logits.shape();
        checkLogProbsArgs(ls, tokens);
        long batch = ls[0];
        long seq = ls[1];
        long vocab = ls[2];
        DataType type = logits.dtype();
        long n = batch * seq;
        INDArray next = tokens.get(Shapes.sliceIndex(2, 1, 1, seq)).castTo(DataType.INT64); // [batch, seq-1]
        Indexing.checkIndexRange(next, vocab, "tokens");
        // Row r = b*seq + t of the [batch*seq, vocab] logits holds position t of sequence b.
        INDArray rowIdx = Nd4j.arange(0, batch).castTo(DataType.INT64).muli(seq).reshape(batch, 1)
                .add(Nd4j.arange(0, seq - 1).castTo(DataType.INT64).reshape(1, seq - 1)).reshape(batch * (seq - 1));
        INDArray flatIdx = rowIdx.mul(vocab).addi(next.reshape(batch * (seq - 1)));

        INDArray l2 = Shapes.flatRows(logits.data(), vocab);
        // libnd4j's softmax along the last axis of a rank-3 array runs on oneDNN where available
        // (4x faster than the rank-2 path or a separate exp pass with the AVX-512 natives).
        INDArray p = Buffers.empty(type, ls);
        Nd4j.exec(new SoftMax(l2.reshape(ls), p, 2));
        INDArray p2 = p.reshape(n, vocab);
        INDArray picked = Nd4j.exec(new Gather(p2.reshape(n * vocab), flatIdx, 0))[0];  // softmax at the targets
        INDArray out = Transforms.log(picked, true);
        if (picked.minNumber().doubleValue() < MIN_EXACT_PROBABILITY) {
            exactWhereUnderflowed(out, picked, l2, rowIdx, flatIdx, vocab);
        }
        picked.close();
        INDArray logProbs = out.reshape(batch, seq - 1);
        if (!Recording.needsGrad(logits)) {
            Buffers.release(p);
            return Tensor.of(logProbs);
        }
        return Recording.result(logProbs, out, (g, o) -> {
            // d logp[b,t] / d logits[b,t,:] = onehot(next) - softmax; the last position gets no gradient.
            INDArray gFlat = g.reshape(batch * (seq - 1));
            INDArray coef = Nd4j.zeros(type, n);
            Indexing.scatterAddInPlace(coef, rowIdx, gFlat.neg());
            p2.muliColumnVector(coef.reshape(n, 1));
            Indexing.scatterAddInPlace(p2.reshape(n * vocab), flatIdx, gFlat);
            coef.close();
            return Grad.of(p);
        }, List.of(), logits);
    }

    /** The log-probabilities' argument checks: logits {@code [batch, seq, vocab]}, tokens {@code [batch, seq]}, seq at least 2. */
    static void checkLogProbsArgs(long[] ls, INDArray tokens) {
        if (ls.length != 3) {
            throw new IllegalArgumentException("logits must be [batch, seq, vocab], got " + Arrays.toString(ls));
        }
        long batch = ls[0];
        long seq = ls[1];
        if (tokens.rank() != 2 || tokens.size(0) != batch || tokens.size(1) != seq) {
            throw new IllegalArgumentException("tokens must be [batch, seq] = [" + batch + ", " + seq + "] to match the logits, got "
                    + Arrays.toString(tokens.shape()));
        }
        if (seq < 2) {
            throw new IllegalArgumentException("need at least 2 positions to predict a next token, got seq = " + seq);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("need at least one row of tokens, got an empty batch (batch = 0)");
        }
    }

    /** Below this a float32 probability has lost precision (or is 0); its log is recomputed exactly. */
    static final double MIN_EXACT_PROBABILITY = 1e-30;

    /**
     * For targets whose softmax probability underflowed (a prediction wrong by more than ~70 nats),
     * {@code log(p)} is recomputed as {@code logit - logsumexp(row)}. Rare, so done row by row.
     */
    static void exactWhereUnderflowed(INDArray out, INDArray picked, INDArray l2, INDArray rowIdx,
                                              INDArray flatIdx, long vocab) {
        double[] probs = Layouts.values(picked);
        for (int j = 0; j < probs.length; j++) {
            if (probs[j] >= MIN_EXACT_PROBABILITY) {
                continue;
            }
            INDArray row = l2.getRow(rowIdx.getLong(j)).castTo(DataType.DOUBLE);
            double max = row.maxNumber().doubleValue();
            double lse = max + Math.log(Transforms.exp(row.sub(max), false).sumNumber().doubleValue());
            double target = row.getDouble(flatIdx.getLong(j) % vocab);
            out.putScalar(j, target - lse);
        }
    }

    /**
     * {@code softmax(masked_fill(scores * scale, mask, fill))} over the last dimension, as one node: the
     * attention pattern from raw scores. Equal to the tutorial's
     * {@code apply_causal_mask(scores / sqrt(d_head)).softmax(-1)}: the mask is applied by adding
     * {@code fill} (e.g. -1e5) rather than overwriting, which gives bit-identical patterns because
     * {@code exp} of either value underflows to exactly 0, but needs one pass over the scores instead
     * of three, and one saved array (the pattern) instead of three.
     *
     * @param scores [..., q, k]
     * @param mask   [q, k], 1 where a key must be ignored
     */
    public static Tensor maskedScaledSoftmax(Tensor scores, double scale, INDArray mask, double fill) {
        INDArray x = scores.data();
        if (mask.rank() != 2 || mask.size(0) != x.size(x.rank() - 2) || mask.size(1) != x.size(x.rank() - 1)) {
            throw new IllegalArgumentException("mask must be [q, k] = [" + x.size(x.rank() - 2) + ", "
                    + x.size(x.rank() - 1) + "], got " + Arrays.toString(mask.shape()));
        }
        INDArray additive = mask.castTo(x.dataType()).mul(fill);
        INDArray y = Buffers.empty(x.dataType(), x.shape());
        if (scale == 1.0) {
            Nd4j.exec(new AddOp(new INDArray[] {x, additive}, new INDArray[] {y}));
        } else {
            x.mul(scale, y);
            Nd4j.exec(new AddOp(new INDArray[] {y, additive}, new INDArray[] {y}));
        }
        additive.close();
        Nd4j.exec(new SoftMax(y, y, y.rank() - 1));
        return Recording.result(y, (g, o) -> new Grad[] {SoftmaxOps.softmaxBackward(o.values(), g, scale)}, scores);
    }
}
