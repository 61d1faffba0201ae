package gptcourse.model;

import gptcourse.autograd.Tensor;
import org.nd4j.linalg.factory.Nd4j;

/** Maps the final residual stream to one logit per vocabulary entry. */
public class Unembed extends Module {
    public final Tensor W_U;
    public final Tensor b_U;

    public Unembed(Config cfg, Init init) {
        W_U = parameter("W_U", normal(init.rng(), init.dtype(), cfg.initRange(), cfg.dModel(), cfg.dVocab()));
        b_U = parameter("b_U", Nd4j.zeros(init.dtype(), cfg.dVocab()));
    }

    /**
     * The logits, computed only when someone reads them ({@link Tensor#lazyLinear}): the loss
     * ({@code LogProbs.getLogProbs}) and {@code argmax(-1)} work through them a block of rows at a time
     * without ever holding the whole {@code [batch, posn, d_vocab]} array; reading the values computes it.
     *
     * @param normalizedResidFinal [batch, posn, d_model]
     * @return logits [batch, posn, d_vocab]
     */
    public Tensor forward(Tensor normalizedResidFinal) {
        return Tensor.lazyLinear(normalizedResidFinal, W_U, b_U);
    }
}
