package gptcourse.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import gptcourse.autograd.Functional;
import gptcourse.autograd.Tensor;
import gptcourse.optim.AdamW;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Compares the Java transformer with the PyTorch tutorial's, on fixtures written by
 * {@code tools/golden/make_fixtures.py} (tiny config, every weight random): logits, log-probs, loss,
 * every gradient, and the weights after three AdamW steps.
 */
class GoldenParityTest {
    static Map<String, INDArray> fx;
    static Config cfg;

    @BeforeAll
    static void load() throws Exception {
        SafeTensors.Contents c = SafeTensors.load(Path.of(GoldenParityTest.class
                .getResource("/gptcourse/golden/demo_transformer.safetensors").toURI()));
        fx = c.tensors();
        Map<String, Object> m = new Gson().fromJson(c.metadata().get("config"), new TypeToken<Map<String, Object>>() { }.getType());
        cfg = Config.fromMap(m);
    }

    static DemoTransformer modelFromFixture() {
        DemoTransformer model = new DemoTransformer(cfg, 0);
        Map<String, INDArray> state = new LinkedHashMap<>();
        fx.forEach((k, v) -> {
            if (k.startsWith("param.")) {
                state.put(k.substring("param.".length()), v);
            }
        });
        model.loadStateDict(state);
        return model;
    }

    static void assertClose(INDArray expected, INDArray actual, double atol, double rtol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        INDArray e = expected.castTo(DataType.DOUBLE);
        INDArray a = actual.castTo(DataType.DOUBLE);
        INDArray diff = e.sub(a);
        INDArray tol = org.nd4j.linalg.ops.transforms.Transforms.abs(e).muli(rtol).addi(atol);
        INDArray excess = org.nd4j.linalg.ops.transforms.Transforms.abs(diff).subi(tol);
        double worst = excess.maxNumber().doubleValue();
        assertTrue(worst <= 0, what + ": max |diff| = " + org.nd4j.linalg.ops.transforms.Transforms.abs(diff).maxNumber()
                + " exceeds atol " + atol + " + rtol " + rtol + " * |expected|");
    }

    @Test
    void parameterNamesAndShapesMatchPyTorchStateDict() {
        DemoTransformer model = new DemoTransformer(cfg, 0);
        var expected = fx.keySet().stream().filter(k -> k.startsWith("param.")).map(k -> k.substring(6)).sorted().toList();
        var actual = model.namedParameters().keySet().stream().sorted().toList();
        assertEquals(expected, actual);
        model.namedParameters().forEach((n, p) -> assertArrayEquals(fx.get("param." + n).shape(), p.shape(), n));
        long count = fx.entrySet().stream().filter(e -> e.getKey().startsWith("param.")).mapToLong(e -> e.getValue().length()).sum();
        assertEquals(count, model.parameterCount());
    }

    @Test
    void forwardLossAndGradientsMatchPyTorch() {
        DemoTransformer model = modelFromFixture();
        INDArray tokens = fx.get("tokens.0");
        Tensor logits = model.forward(tokens);
        assertClose(fx.get("logits"), logits.data(), 2e-5, 1e-4, "logits");
        Tensor logProbs = LogProbs.getLogProbs(logits, tokens);
        assertClose(fx.get("log_probs"), logProbs.data(), 2e-5, 1e-4, "log_probs");
        Tensor loss = logProbs.mean().neg();
        assertEquals(fx.get("loss").getDouble(0), loss.item(), 1e-5, "loss");
        loss.backward();
        StringBuilder failures = new StringBuilder();
        model.namedParameters().forEach((n, p) -> {
            try {
                assertClose(fx.get("grad." + n), p.grad(), 1e-6, 1e-3, "grad of " + n);
            } catch (AssertionError e) {
                failures.append(e.getMessage()).append('\n');
            }
        });
        assertEquals("", failures.toString());
    }

    @Test
    void threeAdamWStepsMatchPyTorch() {
        DemoTransformer model = modelFromFixture();
        AdamW opt = new AdamW(model.parameters(), 1e-3, 1e-2);
        for (int i = 0; i < 3; i++) {
            INDArray tokens = fx.get("tokens." + i);
            Tensor loss = LogProbs.getLogProbs(model.forward(tokens), tokens).mean().neg();
            assertEquals(fx.get("step_loss." + i).getDouble(0), loss.item(), 2e-5, "loss at step " + i);
            loss.backward();
            opt.step();
            opt.zeroGrad();
        }
        model.namedParameters().forEach((n, p) -> {
            if (n.endsWith("attn.b_K")) {
                // b_K's true gradient is exactly zero (it shifts every key's score for a query by the same
                // amount, which softmax ignores), so both frameworks see only float32 rounding noise, which
                // Adam normalises into steps of up to lr. Only that bound is framework-independent.
                assertClose(fx.get("after3." + n), p.data(), 3 * 1e-3, 0, "weights after 3 steps: " + n);
            } else {
                assertClose(fx.get("after3." + n), p.data(), 2e-6, 1e-4, "weights after 3 steps: " + n);
            }
        });
        assertClose(fx.get("after3.exp_avg.embed.W_E"), opt.stateDict().get("state.0.exp_avg"), 1e-8, 1e-3, "exp_avg");
        assertClose(fx.get("after3.exp_avg_sq.embed.W_E"), opt.stateDict().get("state.0.exp_avg_sq"), 1e-10, 1e-3, "exp_avg_sq");
    }

    @Test
    void geluNewAndLayerNormEpsMatchPyTorch() {
        Tensor y = Functional.geluNew(Tensor.of(fx.get("gelu.x")));
        assertClose(fx.get("gelu.y"), y.data(), 1e-12, 1e-12, "gelu_new");
        Config c = cfg;
        LayerNorm ln = new LayerNorm(c, Init.seeded(0, DataType.DOUBLE));
        assertClose(fx.get("layernorm.y"), ln.forward(Tensor.of(fx.get("layernorm.x"))).data(), 1e-9, 1e-9, "layer norm with eps");
    }
}
