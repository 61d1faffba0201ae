package gptcourse.model;

import gptcourse.autograd.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Token embedding: row {@code t} of {@code W_E} is the vector of token {@code t}. */
public class Embed extends Module {
    public final Tensor W_E;

    public Embed(Config cfg, Init init) {
        this.W_E = parameter("W_E", normal(init.rng(), init.dtype(), cfg.initRange(), cfg.dVocab(), cfg.dModel()));
    }

    /**
     * @param tokens [batch, posn] token ids
     * @return [batch, posn, d_model]
     */
    public Tensor forward(INDArray tokens) {
        return W_E.gatherRows(tokens);
    }
}
