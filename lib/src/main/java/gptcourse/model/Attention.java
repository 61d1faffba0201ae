package gptcourse.model;

import java.util.concurrent.ConcurrentHashMap;

import gptcourse.autograd.Functional;
import gptcourse.autograd.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Causal multi-head self-attention, with the tutorial's parameter shapes: {@code W_Q, W_K, W_V}
 * [n_heads, d_model, d_head], {@code W_O} [n_heads, d_head, d_model], biases per head.
 */
public class Attention extends Module {
    /** What masked scores are set to before the softmax (the tutorial's {@code IGNORE} buffer). */
    public static final double IGNORE_VALUE = -1e5;

    private final Config cfg;
    public final Tensor W_Q;
    public final Tensor W_K;
    public final Tensor W_V;
    public final Tensor W_O;
    public final Tensor b_Q;
    public final Tensor b_K;
    public final Tensor b_V;
    public final Tensor b_O;
    private final ConcurrentHashMap<Long, INDArray> masks = new ConcurrentHashMap<>();

    public Attention(Config cfg, Init init) {
        this.cfg = cfg;
        int h = cfg.nHeads();
        int d = cfg.dModel();
        int e = cfg.dHead();
        W_Q = parameter("W_Q", normal(init.rng(), init.dtype(), cfg.initRange(), h, d, e));
        W_K = parameter("W_K", normal(init.rng(), init.dtype(), cfg.initRange(), h, d, e));
        W_V = parameter("W_V", normal(init.rng(), init.dtype(), cfg.initRange(), h, d, e));
        W_O = parameter("W_O", normal(init.rng(), init.dtype(), cfg.initRange(), h, e, d));
        b_Q = parameter("b_Q", Nd4j.zeros(init.dtype(), h, e));
        b_K = parameter("b_K", Nd4j.zeros(init.dtype(), h, e));
        b_V = parameter("b_V", Nd4j.zeros(init.dtype(), h, e));
        b_O = parameter("b_O", Nd4j.zeros(init.dtype(), d));
        buffer("IGNORE", Nd4j.scalar(DataType.FLOAT, (float) IGNORE_VALUE));
    }

    /**
     * @param normalizedResidPre [batch, posn, d_model]
     * @return [batch, posn, d_model]
     */
    public Tensor forward(Tensor normalizedResidPre) {
        long batch = normalizedResidPre.size(0);
        long posn = normalizedResidPre.size(1);
        Tensor q = heads(normalizedResidPre, W_Q, b_Q, batch, posn);          // [batch, n_heads, posn_Q, d_head]
        Tensor k = heads(normalizedResidPre, W_K, b_K, batch, posn);          // [batch, n_heads, posn_K, d_head]
        Tensor v = heads(normalizedResidPre, W_V, b_V, batch, posn);          // [batch, n_heads, posn_K, d_head]
        // The tutorial divides the scores by sqrt(d_head); dividing q instead is the same product and
        // touches d_head values per query instead of posn_K (64x fewer here, forward and backward).
        Tensor attnScores = q.div(Math.sqrt(cfg.dHead())).matmul(k.transpose(-1, -2)); // [batch, n_heads, posn_Q, posn_K]
        // = applyCausalMask(attnScores).softmax(), fused into one pass (see Functional).
        Tensor attnPattern = Functional.maskedScaledSoftmax(attnScores, 1.0, causalMask(posn, posn), IGNORE_VALUE);
        // Nothing reads the raw scores again (the softmax's backward uses the pattern; the matmul's
        // uses q and k): free them now rather than after backward() or the forward pass's arena, 33 MB
        // per layer at the course size.
        if (attnScores.requiresGrad()) {
            attnScores.discardData();
        } else {
            attnScores.close();
        }
        Tensor z = attnPattern.matmul(v);                                     // [batch, n_heads, posn_Q, d_head]
        if (!attnPattern.requiresGrad()) {
            attnPattern.close(); // without a graph nothing needs it either: one pattern at a time, not one a layer
        }
        Tensor zFlat = z.permute(0, 2, 1, 3).reshape(batch, posn, (long) cfg.nHeads() * cfg.dHead());
        Tensor wO = W_O.reshape((long) cfg.nHeads() * cfg.dHead(), cfg.dModel());
        return zFlat.linear(wO, b_O);
    }

    /** x @ W + b for all heads as one GEMM, split into [batch, n_heads, posn, d_head]. */
    private Tensor heads(Tensor x, Tensor w, Tensor b, long batch, long posn) {
        int h = cfg.nHeads();
        int e = cfg.dHead();
        Tensor wAll = w.permute(1, 0, 2).reshape(cfg.dModel(), (long) h * e);   // [d_model, n_heads * d_head]
        Tensor bAll = b.reshape((long) h * e);
        // contiguous: libnd4j's batched matmul is several times slower on permuted (strided) inputs.
        return x.linear(wAll, bAll).reshape(batch, posn, h, e).permute(0, 2, 1, 3).contiguous();
    }

    /** Sets scores of keys after the query to {@link #IGNORE_VALUE}. */
    public Tensor applyCausalMask(Tensor attnScores) {
        long q = attnScores.size(-2);
        long k = attnScores.size(-1);
        return attnScores.maskedFill(causalMask(q, k), IGNORE_VALUE);
    }

    private INDArray causalMask(long q, long k) {
        return masks.computeIfAbsent(q * 1_000_003L + k, key -> {
            // Built once per shape, so a Java loop is fine here.
            INDArray m = Nd4j.zeros(DataType.FLOAT, q, k);
            for (long i = 0; i < q; i++) {
                for (long j = i + 1; j < k; j++) {
                    m.putScalar(i, j, 1.0);
                }
            }
            return m;
        });
    }
}
