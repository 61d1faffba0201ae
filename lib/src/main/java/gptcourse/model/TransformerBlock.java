package gptcourse.model;

import gptcourse.autograd.Tensor;

/** One pre-LayerNorm residual block: attention, then MLP, each added to the residual stream. */
public class TransformerBlock extends Module {
    public final LayerNorm ln1;
    public final Attention attn;
    public final LayerNorm ln2;
    public final MLP mlp;

    public TransformerBlock(Config cfg, Init init) {
        ln1 = child("ln1", new LayerNorm(cfg, init));
        attn = child("attn", new Attention(cfg, init));
        ln2 = child("ln2", new LayerNorm(cfg, init));
        mlp = child("mlp", new MLP(cfg, init));
    }

    /**
     * @param residPre [batch, posn, d_model]
     * @return [batch, posn, d_model]
     */
    public Tensor forward(Tensor residPre) {
        Tensor residMid = attn.forward(ln1.forward(residPre)).add(residPre);
        return mlp.forward(ln2.forward(residMid)).add(residMid);
    }
}
