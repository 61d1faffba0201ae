package gptcourse.model;

import gptcourse.autograd.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Learned positional embedding: row {@code p} of {@code W_pos} is added at position {@code p}. */
public class PosEmbed extends Module {
    public final Tensor W_pos;

    public PosEmbed(Config cfg, Init init) {
        this.W_pos = parameter("W_pos", normal(init.rng(), init.dtype(), cfg.initRange(), cfg.nCtx(), cfg.dModel()));
    }

    /**
     * @param tokens [batch, posn] (only the shape is used)
     * @return [batch, posn, d_model]
     */
    public Tensor forward(INDArray tokens) {
        long batch = tokens.size(0);
        long seqLen = tokens.size(1);
        return W_pos.slice(0, 0, seqLen).expand(batch, seqLen, W_pos.size(1));
    }
}
