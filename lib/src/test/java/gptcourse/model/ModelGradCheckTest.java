package gptcourse.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import gptcourse.autograd.GradMode;
import gptcourse.autograd.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Finite differences through the whole DemoTransformer (double precision), for every parameter tensor. */
class ModelGradCheckTest {

    @Test
    void everyParameterGradientMatchesCentralDifferences() {
        Config cfg = new Config().withDebug(false).withDVocab(11).withDModel(8).withNHeads(2).withDHead(4)
                .withDMlp(16).withNLayers(2).withNCtx(6);
        DemoTransformer model = new DemoTransformer(cfg, Init.seeded(1, DataType.DOUBLE));
        // Random values everywhere (not the zero/one init) so that every gradient is exercised.
        long seed = 100;
        for (Tensor p : model.parameters()) {
            p.data().addi(Nd4j.randn(seed++, p.shape()).castTo(DataType.DOUBLE).muli(0.3));
        }
        INDArray tokens = Nd4j.createFromArray(new long[][] {{3, 1, 4, 1, 5, 9}, {2, 6, 5, 3, 5, 8}});
        Tensor loss = LogProbs.getLogProbs(model.forward(tokens), tokens).mean().neg();
        loss.backward();
        double eps = 1e-6;
        java.util.Random pick = new java.util.Random(7);
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            INDArray flat = p.data().reshape(p.length());
            INDArray grad = p.grad().reshape(p.length());
            for (int k = 0; k < Math.min(6, p.length()); k++) {
                long i = pick.nextInt((int) p.length());
                double orig = flat.getDouble(i);
                flat.putScalar(i, orig + eps);
                double plus = lossOf(model, tokens);
                flat.putScalar(i, orig - eps);
                double minus = lossOf(model, tokens);
                flat.putScalar(i, orig);
                double numeric = (plus - minus) / (2 * eps);
                double analytic = grad.getDouble(i);
                assertTrue(Math.abs(analytic - numeric) < 1e-6 + 1e-5 * Math.abs(numeric),
                        e.getKey() + "[" + i + "]: analytic " + analytic + " vs numeric " + numeric);
            }
        }
    }

    private static double lossOf(DemoTransformer model, INDArray tokens) {
        try (var scope = GradMode.noGrad()) {
            return LogProbs.getLogProbs(model.forward(tokens), tokens).mean().neg().item();
        }
    }
}
