package gptcourse.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finite-difference gradient checks in double precision: the analytic gradient of
 * {@code sum(f(inputs) * R)} (R a fixed random array, so every output element matters with its own
 * weight) must match central differences for every element of every input.
 */
public final class GradCheck {
    private GradCheck() {
    }

    public static INDArray randn(long seed, long... shape) {
        return Nd4j.randn(seed, shape).castTo(DataType.DOUBLE);
    }

    /** Checks all inputs; {@code f} must build a fresh graph from them on each call. */
    public static void check(String what, Function<List<Tensor>, Tensor> f, INDArray... inputs) {
        check(what, f, 1e-6, 1e-5, inputs);
    }

    public static void check(String what, Function<List<Tensor>, Tensor> f, double eps, double tol, INDArray... inputs) {
        List<Tensor> params = java.util.Arrays.stream(inputs).map(a -> Tensor.parameter(a.castTo(DataType.DOUBLE).dup())).toList();
        Tensor out = f.apply(params);
        INDArray weights = Nd4j.randn(7, out.shape()).castTo(DataType.DOUBLE);
        out.backward(weights);
        for (int p = 0; p < params.size(); p++) {
            Tensor t = params.get(p);
            INDArray analytic = t.grad();
            assertTrue(analytic != null, what + ": input " + p + " got no gradient");
            INDArray flat = t.data().reshape(t.length());
            for (long i = 0; i < t.length(); i++) {
                double orig = flat.getDouble(i);
                flat.putScalar(i, orig + eps);
                double plus = weighted(f, params, weights);
                flat.putScalar(i, orig - eps);
                double minus = weighted(f, params, weights);
                flat.putScalar(i, orig);
                double numeric = (plus - minus) / (2 * eps);
                double a = analytic.reshape(t.length()).getDouble(i);
                double err = Math.abs(a - numeric) / Math.max(1.0, Math.abs(numeric));
                assertTrue(err < tol, what + ": d/d input" + p + "[" + i + "] analytic " + a + " vs numeric " + numeric);
            }
        }
    }

    private static double weighted(Function<List<Tensor>, Tensor> f, List<Tensor> params, INDArray weights) {
        try (var scope = GradMode.noGrad()) {
            return f.apply(params).data().mul(weights).sumNumber().doubleValue();
        }
    }
}
