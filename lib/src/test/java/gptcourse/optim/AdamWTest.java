package gptcourse.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import gptcourse.autograd.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** AdamW by hand-computed values, decay on every parameter, skipped parameters and state round-trip. */
class AdamWTest {

    @Test
    void firstStepMatchesTheFormula() {
        Tensor p = Tensor.parameter(Nd4j.createFromArray(1.0, -2.0));
        p.mul(Tensor.of(Nd4j.createFromArray(3.0, 0.5))).sum().backward(); // grad = [3, 0.5]
        AdamW opt = new AdamW(List.of(p), 0.1, 0.01);
        opt.step();
        // step 1: m = 0.1 g, v = 0.001 g^2, m_hat = g, v_hat = g^2 -> update = lr * g / (|g| + eps)
        double[] w = {1.0, -2.0};
        double[] g = {3.0, 0.5};
        for (int i = 0; i < 2; i++) {
            double expected = w[i] * (1 - 0.1 * 0.01) - 0.1 * g[i] / (Math.abs(g[i]) + 1e-8);
            assertEquals(expected, p.data().getDouble(i), 1e-12);
        }
    }

    @Test
    void anEpsOfZeroStillStepsByTheFormulaAndLeavesAZeroGradientFinite() {
        // libnd4j's adam_updater replaces an eps of 0 by 1e-7; AdamW passes the smallest normal float
        // instead, so a step is lr * g / |g| as with eps 0, and an element whose gradient is 0 (where
        // PyTorch divides 0 by 0) is only decayed
        Tensor p = Tensor.parameter(Nd4j.createFromArray(1.0, -2.0));
        p.mul(Tensor.of(Nd4j.createFromArray(3.0, 0.0))).sum().backward(); // grad = [3, 0]
        AdamW opt = new AdamW(List.of(p), 0.1, 0.9, 0.999, 0.0, 0.01);
        opt.step();
        assertEquals(1.0 * (1 - 0.1 * 0.01) - 0.1, p.data().getDouble(0), 1e-12);
        assertEquals(-2.0 * (1 - 0.1 * 0.01), p.data().getDouble(1), 1e-12);
    }

    @Test
    void parametersWithoutGradientsAreLeftAlone() {
        Tensor a = Tensor.parameter(Nd4j.ones(DataType.DOUBLE, 2));
        Tensor b = Tensor.parameter(Nd4j.ones(DataType.DOUBLE, 2));
        a.sum().backward();
        AdamW opt = new AdamW(List.of(a, b), 0.1, 0.5);
        opt.step();
        assertEquals(Nd4j.ones(DataType.DOUBLE, 2), b.data(), "no grad: no update, no decay (as in torch)");
        assertTrue(a.data().getDouble(0) < 1.0);
        opt.zeroGrad();
        assertEquals(null, a.grad());
    }

    @Test
    void frozenParametersAreAcceptedAndLeftAloneLikeTorch() {
        Tensor trained = Tensor.parameter(Nd4j.ones(DataType.DOUBLE, 2));
        Tensor frozen = Tensor.parameter(Nd4j.ones(DataType.DOUBLE, 2)).requiresGrad(false);
        AdamW opt = new AdamW(List.of(trained, frozen), 0.1, 0.5); // torch.optim.AdamW accepts it too
        trained.mul(frozen).sum().backward();
        assertEquals(null, frozen.grad(), "no gradient flows into a frozen parameter");
        opt.step();
        assertEquals(Nd4j.ones(DataType.DOUBLE, 2), frozen.data(), "frozen: no update, no weight decay");
        assertTrue(trained.data().getDouble(0) < 1.0);
        opt.zeroGrad();
        assertFalse(opt.stateDict().containsKey("state.1.exp_avg"), "no optimizer state for the frozen parameter");
        // unfrozen later, it is optimised from then on (as in torch)
        frozen.requiresGrad(true);
        trained.mul(frozen).sum().backward();
        opt.step();
        assertTrue(frozen.data().getDouble(0) < 1.0);
        assertEquals(1L, opt.stateDict().get("state.1.step").getLong(0));
    }

    @Test
    void computedTensorsAndNullsAreRejected() {
        Tensor p = Tensor.parameter(Nd4j.ones(DataType.DOUBLE, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AdamW(List.of(p, p.mul(p)), 0.1, 0.0));
        assertTrue(e.getMessage().contains("non-leaf") && e.getMessage().contains("parameter 1"), e.getMessage());
        java.util.List<Tensor> withNull = new java.util.ArrayList<>();
        withNull.add(null);
        assertThrows(IllegalArgumentException.class, () -> new AdamW(withNull, 0.1, 0.0));
        assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(), 0.1, 0.0));
    }

    @Test
    void stateRoundTripContinuesIdentically() {
        Tensor p1 = Tensor.parameter(Nd4j.createFromArray(0.5, 1.5, -1.0));
        Tensor p2 = Tensor.parameter(Nd4j.createFromArray(0.5, 1.5, -1.0));
        AdamW o1 = new AdamW(List.of(p1), 0.01, 0.01);
        AdamW o2 = new AdamW(List.of(p2), 0.01, 0.01);
        for (int s = 0; s < 3; s++) {
            p1.mul(p1).sum().backward();
            o1.step();
            o1.zeroGrad();
        }
        p2.data().assign(p1.data());
        o2.loadStateDict(o1.stateDict());
        for (int s = 0; s < 2; s++) {
            p1.mul(p1).sum().backward();
            o1.step();
            o1.zeroGrad();
            p2.mul(p2).sum().backward();
            o2.step();
            o2.zeroGrad();
        }
        assertEquals(p1.data(), p2.data());
        Map<String, INDArray> state = o1.stateDict();
        assertEquals(5L, state.get("state.0.step").getLong(0));
    }

    @Test
    void badSettingsAreRejectedWithTheValue() {
        Tensor p = Tensor.parameter(Nd4j.ones(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(p), -1, 0.01));
        assertTrue(e.getMessage().contains("lr") && e.getMessage().contains("-1"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> new AdamW(List.of(p), 1e-3, 0.9, 1.0, 1e-8, 0.01));
        assertTrue(e2.getMessage().contains("beta2"), e2.getMessage());
        IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class,
                () -> new AdamW(List.of(p), 1e-3, 0.01).loadStateDict(Map.of("state.7.exp_avg", Nd4j.ones(2))));
        assertTrue(e3.getMessage().contains("state.7.exp_avg"), e3.getMessage());
    }
}
