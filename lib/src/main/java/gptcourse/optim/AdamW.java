package gptcourse.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import gptcourse.autograd.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;

/**
 * Adam with decoupled weight decay, computing exactly what {@code torch.optim.AdamW} computes:
 *
 * <pre>
 * p   = p * (1 - lr * weight_decay)
 * m   = beta1 * m + (1 - beta1) * g
 * v   = beta2 * v + (1 - beta2) * g^2
 * p   = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * Like PyTorch's default, weight decay applies to every parameter (biases and LayerNorm weights
 * too), and a parameter without a gradient is skipped: a frozen one ({@code requiresGrad(false)},
 * which PyTorch accepts in the list too) is never changed, and is updated again once unfrozen.
 */
public class AdamW {
    private final List<Tensor> params;
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final INDArray[] expAvg;
    private final INDArray[] expAvgSq;
    /** Per-parameter scratch space, allocated once: fresh temporaries every step fragment the native heap. */
    private final INDArray[] scratch;
    private final long[] steps;

    /** Torch's defaults for everything but the learning rate and weight decay: betas (0.9, 0.999), eps 1e-8. */
    public AdamW(List<Tensor> params, double lr, double weightDecay) {
        this(params, lr, 0.9, 0.999, 1e-8, weightDecay);
    }

    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        check(lr >= 0 && Double.isFinite(lr), "lr", lr, "a finite number >= 0");
        check(beta1 >= 0 && beta1 < 1, "beta1", beta1, "a number in [0, 1)");
        check(beta2 >= 0 && beta2 < 1, "beta2", beta2, "a number in [0, 1)");
        check(eps >= 0 && Double.isFinite(eps), "eps", eps, "a finite number >= 0");
        check(weightDecay >= 0 && Double.isFinite(weightDecay), "weight_decay", weightDecay, "a finite number >= 0");
        if (params == null || params.isEmpty()) {
            throw new IllegalArgumentException("AdamW got an empty parameter list");
        }
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p == null) {
                throw new IllegalArgumentException("AdamW parameter " + i + " is null");
            }
            if (!p.isLeaf()) {
                throw new IllegalArgumentException("AdamW can only optimise leaf tensors (model parameters), as"
                        + " torch.optim does (\"can't optimize a non-leaf Tensor\"); parameter " + i + " "
                        + Arrays.toString(p.shape()) + " was computed from others");
            }
        }
        this.params = new ArrayList<>(params);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.expAvg = new INDArray[params.size()];
        this.expAvgSq = new INDArray[params.size()];
        this.scratch = new INDArray[params.size()];
        this.steps = new long[params.size()];
    }

    private static void check(boolean ok, String name, double value, String accepted) {
        if (!ok) {
            throw new IllegalArgumentException("AdamW " + name + " must be " + accepted + ", got " + value);
        }
    }

    public double lr() {
        return lr;
    }

    public double weightDecay() {
        return weightDecay;
    }

    /** Updates every parameter that has a gradient. */
    public void step() {
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            INDArray g = p.grad();
            if (g == null) {
                continue;
            }
            INDArray w = p.data();
            if (expAvg[i] == null) {
                expAvg[i] = Nd4j.zeros(w.dataType(), w.shape());
                expAvgSq[i] = Nd4j.zeros(w.dataType(), w.shape());
            }
            if (scratch[i] == null) {
                scratch[i] = Nd4j.createUninitialized(w.dataType(), w.shape());
            }
            long t = ++steps[i];
            w.muli(1.0 - lr * weightDecay);
            // m, v and the step in one pass (libnd4j's adam_updater, three arrays instead of fifteen
            // passes). It computes lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps'), which
            // is the formula above with eps' = eps * sqrt(1 - beta2^t). (It would replace an eps' of 0 by
            // 1e-7: the smallest normal float stands for 0, which only matters where v is 0 and PyTorch
            // itself divides 0 by 0.)
            double epsPrime = Math.max(eps * Math.sqrt(1.0 - Math.pow(beta2, t)), Float.MIN_NORMAL);
            INDArray update = scratch[i];
            Nd4j.exec(new AdamUpdater(g, expAvgSq[i], expAvg[i], update, expAvgSq[i], expAvg[i], lr, beta1, beta2,
                    epsPrime, Math.toIntExact(t - 1)));
            w.subi(update);
        }
    }

    /** Frees every parameter's gradient ({@code zero_grad(set_to_none=True)}, PyTorch 2's default). */
    public void zeroGrad() {
        for (Tensor p : params) {
            p.zeroGrad();
        }
    }

    /**
     * The optimizer state as arrays, keyed like PyTorch's {@code optimizer.state_dict()["state"]}:
     * {@code state.<i>.exp_avg}, {@code state.<i>.exp_avg_sq}, {@code state.<i>.step} for parameter {@code i}.
     */
    public Map<String, INDArray> stateDict() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            if (expAvg[i] != null) {
                out.put("state." + i + ".exp_avg", expAvg[i]);
                out.put("state." + i + ".exp_avg_sq", expAvgSq[i]);
                out.put("state." + i + ".step", Nd4j.scalar(steps[i]));
            }
        }
        return out;
    }

    /** Restores state saved by {@link #stateDict()} for the same parameter list. */
    public void loadStateDict(Map<String, INDArray> state) {
        for (String key : state.keySet()) {
            String[] parts = key.split("\\.");
            if (parts.length != 3 || !parts[0].equals("state") || !parts[1].matches("\\d+")
                    || Integer.parseInt(parts[1]) >= params.size()
                    || !List.of("exp_avg", "exp_avg_sq", "step").contains(parts[2])) {
                throw new IllegalArgumentException("unexpected optimizer state entry '" + key + "'; expected state.<i>.exp_avg, "
                        + "state.<i>.exp_avg_sq or state.<i>.step with i < " + params.size());
            }
        }
        for (int i = 0; i < params.size(); i++) {
            INDArray m = state.get("state." + i + ".exp_avg");
            INDArray v = state.get("state." + i + ".exp_avg_sq");
            INDArray s = state.get("state." + i + ".step");
            if (m == null && v == null && s == null) {
                expAvg[i] = null;
                expAvgSq[i] = null;
                steps[i] = 0;
                continue;
            }
            long[] shape = params.get(i).shape();
            if (m == null || v == null || s == null || !Arrays.equals(m.shape(), shape) || !Arrays.equals(v.shape(), shape)) {
                throw new IllegalArgumentException("optimizer state for parameter " + i + " is incomplete or does not "
                        + "match its shape " + Arrays.toString(shape));
            }
            expAvg[i] = m.castTo(params.get(i).dtype()).dup();
            expAvgSq[i] = v.castTo(params.get(i).dtype()).dup();
            steps[i] = s.getLong(0);
        }
    }
}
