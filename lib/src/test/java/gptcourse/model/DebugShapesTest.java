package gptcourse.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import gptcourse.autograd.GradMode;
import gptcourse.autograd.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** Config.debug prints the shapes, as the tutorial's debug=True does; off, a forward pass prints nothing. */
class DebugShapesTest {

    @SuppressWarnings("try") // the inference-mode scope is used for its effect
    private static List<String> printedBy(Config cfg) {
        DemoTransformer model = new DemoTransformer(cfg, 3);
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try (GradMode.Scope scope = GradMode.inferenceMode(); Tensor logits = model.forward(Nd4j.createFromArray(new long[][] {{1, 2, 3}, {4, 5, 6}}))) {
            assertEquals(List.of(2L, 3L, 50L), java.util.Arrays.stream(logits.shape()).boxed().toList());
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void debugPrintsEveryModulesShapeAndOffPrintsNothing() {
        Config cfg = Config.trainingDefaults(50).withNCtx(8).withNLayers(2).withDModel(8).withNHeads(2).withDHead(4)
                .withDMlp(16);
        assertEquals(List.of(), printedBy(cfg.withDebug(false)));
        assertEquals(List.of(
                "[debug] tokens: [2, 3]",
                "[debug] embed: [2, 3, 8]",
                "[debug] pos_embed: [2, 3, 8]",
                "[debug] blocks.0: [2, 3, 8]",
                "[debug] blocks.1: [2, 3, 8]",
                "[debug] ln_final: [2, 3, 8]",
                "[debug] unembed (logits): [2, 3, 50]"), printedBy(cfg.withDebug(true)));
    }
}
