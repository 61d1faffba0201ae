package gptcourse.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import gptcourse.autograd.GradMode;
import gptcourse.autograd.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code model.eval()} and {@code model.train()}, as the tutorial's evaluate() calls them. */
class TrainEvalModeTest {

    private static DemoTransformer tiny() {
        return new DemoTransformer(Config.trainingDefaults(50).withNCtx(8).withNLayers(2).withDModel(8)
                .withNHeads(2).withDHead(4).withDMlp(16), 3);
    }

    private static List<Module> everyModule(DemoTransformer m) {
        return List.of(m, m.embed, m.posEmbed, m.blocks.get(0), m.blocks.get(1), m.lnFinal, m.unembed);
    }

    @Test
    void aModelStartsInTrainingModeAndEvalAndTrainReachEverySubModule() {
        DemoTransformer model = tiny();
        everyModule(model).forEach(m -> assertTrue(m.isTraining(), m.getClass().getSimpleName()));
        assertSame(model, model.eval(), "eval() returns the module, as in PyTorch");
        everyModule(model).forEach(m -> assertFalse(m.isTraining(), m.getClass().getSimpleName()));
        model.train();
        everyModule(model).forEach(m -> assertTrue(m.isTraining(), m.getClass().getSimpleName()));
        model.train(false);
        assertFalse(model.blocks.get(1).isTraining());
    }

    @Test
    void theModeChangesNoOutputOfThisModel() {
        DemoTransformer model = tiny();
        INDArray tokens = Nd4j.createFromArray(new long[][] {{1, 4, 9, 16, 25, 36, 49, 0}}).castTo(DataType.INT64);
        try (var mode = GradMode.inferenceMode()) {
            INDArray training = model.forward(tokens).data().dup();
            model.eval();
            Tensor evaluating = model.forward(tokens);
            assertEquals(training, evaluating.data(), "no dropout here: eval() and train() give the same logits");
        }
    }
}
