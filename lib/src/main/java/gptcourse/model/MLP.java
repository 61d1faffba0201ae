package gptcourse.model;

import gptcourse.autograd.Functional;
import gptcourse.autograd.Tensor;
import org.nd4j.linalg.factory.Nd4j;

/** The feed-forward layer: d_model -> d_mlp, GELU (tanh form), d_mlp -> d_model. */
public class MLP extends Module {
    public final Tensor W_in;
    public final Tensor b_in;
    public final Tensor W_out;
    public final Tensor b_out;

    public MLP(Config cfg, Init init) {
        W_in = parameter("W_in", normal(init.rng(), init.dtype(), cfg.initRange(), cfg.dModel(), cfg.dMlp()));
        W_out = parameter("W_out", normal(init.rng(), init.dtype(), cfg.initRange(), cfg.dMlp(), cfg.dModel()));
        b_in = parameter("b_in", Nd4j.zeros(init.dtype(), cfg.dMlp()));
        b_out = parameter("b_out", Nd4j.zeros(init.dtype(), cfg.dModel()));
    }

    /**
     * @param normalizedResidMid [batch, posn, d_model]
     * @return [batch, posn, d_model]
     */
    public Tensor forward(Tensor normalizedResidMid) {
        Tensor pre = normalizedResidMid.linear(W_in, b_in);
        Tensor post = Functional.geluNew(pre);
        return post.linear(W_out, b_out);
    }
}
