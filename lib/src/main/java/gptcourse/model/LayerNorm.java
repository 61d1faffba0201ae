package gptcourse.model;

import gptcourse.autograd.Functional;
import gptcourse.autograd.Tensor;
import org.nd4j.linalg.factory.Nd4j;

/** Normalises each position's residual vector, then scales by {@code w} and shifts by {@code b}. */
public class LayerNorm extends Module {
    private final Config cfg;
    public final Tensor w;
    public final Tensor b;

    public LayerNorm(Config cfg, Init init) {
        this.cfg = cfg;
        this.w = parameter("w", Nd4j.ones(init.dtype(), cfg.dModel()));
        this.b = parameter("b", Nd4j.zeros(init.dtype(), cfg.dModel()));
    }

    /**
     * @param residual [batch, posn, d_model]
     * @return [batch, posn, d_model]
     */
    public Tensor forward(Tensor residual) {
        return Functional.layerNorm(residual, w, b, cfg.layerNormEps());
    }
}
