package gptcourse.autograd;

import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.Gather;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax;
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
        INDArray th = x.mul(x).muli(GELU_A).addi(1.0).muli(x).muli(GELU_C);
        Transforms.tanh(th, false);
        INDArray out = th.add(1.0).muli(x).muli(0.5);
        return Tensor.result(out, (g, o) -> {
            // d/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 a x^2)
            INDArray x2 = x.mul(x);
            INDArray d = x2.muli(3 * GELU_A).addi(1.0).muli(GELU_C).muli(x).muli(0.5);
            INDArray oneMinusT2 = th.mul(th).rsubi(1.0);
            d.muli(oneMinusT2).addi(th.add(1.0).muli(0.5)).muli(g);
            oneMinusT2.close();
            input.accumulate(d, d);
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
        INDArray mean = in.mean(true, last);
        INDArray xhat = in.sub(mean);
        mean.close();
        INDArray var = xhat.mul(xhat).mean(true, last);
        INDArray rstd = Transforms.pow(var.addi(eps), -0.5, false);
        xhat.muli(rstd);
        INDArray out = xhat.mul(weight.data()).addi(bias.data());
        return Tensor.result(out, (g, o) -> {
            long[] shape = in.shape();
            if (weight.requiresGrad()) {
                INDArray gw = Tensor.flatRows(g.mul(xhat), d).sum(0);
                weight.accumulate(gw, gw);
            }
            if (bias.requiresGrad()) {
                INDArray gb = Tensor.flatRows(g, d).sum(0);
                bias.accumulate(gb, gb);
            }
            if (x.requiresGrad()) {
                // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = g * w
                INDArray dxhat = g.mul(weight.data());
                INDArray m1 = dxhat.mean(true, last);
                INDArray m2 = dxhat.mul(xhat).mean(true, last);
                INDArray dx = dxhat.subi(m1).subi(xhat.mul(m2)).muli(rstd);
                m1.close();
                m2.close();
                assert Arrays.equals(dx.shape(), shape);
                x.accumulate(dx, dx);
            }
        }, List.of(xhat, rstd), x, weight, bias);
    }

    /**
     * The log-probability each position assigns to the next token: {@code log_softmax(logits)[:, :-1]}
     * gathered at {@code tokens[:, 1:]}, exactly the tutorial's {@code get_log_probs}, as one node.
     * The log-softmax is computed once into a buffer that the backward pass turns, in place, into the
     * gradient of the logits, so the 0.8 GB {@code [batch, seq, vocab]} array is never copied.
     *
     * @param logits [batch, seq, vocab]
     * @param tokens [batch, seq] integer token ids
     * @return [batch, seq - 1]
     */
    public static Tensor logProbsOfNextTokens(Tensor logits, INDArray tokens) {
        long[] ls = logits.shape();
        if (ls.length != 3) {
            throw new IllegalArgumentException("logits must be [batch, seq, vocab], got " + Arrays.toString(ls));
        }
        long batch = ls[0];
        long seq = ls[1];
        long vocab = ls[2];
        if (tokens.rank() != 2 || tokens.size(0) != batch || tokens.size(1) != seq) {
            throw new IllegalArgumentException("tokens must be [batch, seq] = [" + batch + ", " + seq + "] to match the logits, got "
                    + Arrays.toString(tokens.shape()));
        }
        if (seq < 2) {
            throw new IllegalArgumentException("need at least 2 positions to predict a next token, got seq = " + seq);
        }
        INDArray next = tokens.get(Tensor.sliceIndex(2, 1, 1, seq)).castTo(DataType.INT64); // [batch, seq-1]
        // Row r = b*seq + t of the [batch*seq, vocab] log-softmax holds position t of sequence b.
        INDArray rows = Nd4j.arange(0, batch).castTo(DataType.INT64).muli(seq).reshape(batch, 1)
                .add(Nd4j.arange(0, seq - 1).castTo(DataType.INT64).reshape(1, seq - 1));
        rows.muli(vocab).addi(next);
        INDArray flatIdx = rows.reshape(batch * (seq - 1));
        Tensor.checkIndexRange(next, vocab, "tokens");
        INDArray lsm = Nd4j.createUninitialized(logits.dtype(), ls);
        Nd4j.exec(new LogSoftMax(logits.data(), lsm));
        INDArray picked = Nd4j.exec(new Gather(lsm.reshape(lsm.length()), flatIdx, 0))[0];
        INDArray out = picked.reshape(batch, seq - 1);
        return Tensor.result(out, picked, (g, o) -> {
            // d logp[b,t] / d logits[b,t,:] = onehot(next) - softmax; the last position gets no gradient.
            INDArray p = Transforms.exp(lsm, false);
            INDArray gRows = Nd4j.zeros(g.dataType(), batch, seq);
            gRows.get(Tensor.sliceIndex(2, 1, 0, seq - 1)).assign(g);
            p.reshape(batch * seq, vocab).muliColumnVector(gRows.reshape(batch * seq, 1).negi());
            gRows.close();
            Tensor.scatterAddInPlace(p.reshape(p.length()), flatIdx, g.reshape(g.length()));
            logits.accumulate(p, p);
        }, List.of(rows), logits);
    }
}
