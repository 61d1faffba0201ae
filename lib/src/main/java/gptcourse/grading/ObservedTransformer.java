package gptcourse.grading;

import java.util.Map;

import gptcourse.autograd.Tensor;
import gptcourse.model.DemoTransformer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The check's model, which counts its forward passes and those that built a graph for backward:
 * an {@code evaluate()} without inference mode keeps every activation of every test batch alive
 * (about 7x the memory on the course's model), a mistake no accuracy shows.
 */
final class ObservedTransformer extends DemoTransformer {
    private int forwards;
    private int withGraph;

    /** The evaluate check's model with {@code weights}. */
    ObservedTransformer(Map<String, INDArray> weights) {
        super(TinySetup.config(), TinySetup.MODEL_SEED);
        loadStateDict(weights);
    }

    @Override
    public Tensor forward(INDArray tokens) {
        Tensor logits = super.forward(tokens);
        forwards++;
        if (logits.requiresGrad()) {
            withGraph++;
        }
        return logits;
    }

    /** Forward passes so far. */
    int forwards() {
        return forwards;
    }

    /** Forward passes that recorded a graph (gradients on). */
    int withGraph() {
        return withGraph;
    }

    /** Starts counting again. */
    void resetCounts() {
        forwards = 0;
        withGraph = 0;
    }
}
