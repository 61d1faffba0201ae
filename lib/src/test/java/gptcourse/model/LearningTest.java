package gptcourse.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import gptcourse.autograd.Tensor;
import gptcourse.optim.AdamW;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The whole stack learns: on a sequence task with a simple rule, the loss falls far below uniform. */
class LearningTest {

    /** Sequences that count upwards modulo {@code vocab} from a random start: every next token is predictable. */
    static INDArray countingBatch(long seed, int batch, int seq, int vocab) {
        INDArray start = Nd4j.rand(seed, new long[] {batch, 1}).muli(vocab);
        INDArray steps = Nd4j.arange(0, seq).reshape(1, seq);
        INDArray values = org.nd4j.linalg.ops.transforms.Transforms.floor(start, false).add(steps.castTo(start.dataType()));
        return org.nd4j.linalg.ops.transforms.Transforms.floor(values.sub(
                org.nd4j.linalg.ops.transforms.Transforms.floor(values.div(vocab), true).muli(vocab)), false)
                .castTo(DataType.INT64);
    }

    @Test
    void lossFallsWellBelowUniformOnALearnableTask() {
        int vocab = 29;
        Config cfg = new Config().withDebug(false).withDModel(32).withNHeads(4).withDHead(8).withDMlp(64)
                .withNLayers(2).withNCtx(16).withDVocab(vocab);
        DemoTransformer model = new DemoTransformer(cfg, 3);
        AdamW opt = new AdamW(model.parameters(), 1e-2, 1e-2);
        double uniform = Math.log(vocab);
        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step < 250; step++) {
            INDArray tokens = countingBatch(step, 16, 16, vocab);
            Tensor loss = LogProbs.getLogProbs(model.forward(tokens), tokens).mean().neg();
            last = loss.item();
            if (step == 0) {
                first = last;
            }
            loss.backward();
            opt.step();
            opt.zeroGrad();
        }
        assertTrue(Math.abs(first - uniform) < 0.5, "an untrained model should start near ln(d_vocab) = " + uniform + ", got " + first);
        assertTrue(last < 0.25 * uniform, "after 250 steps the loss should be far below ln(d_vocab) = " + uniform + ", got " + last);
    }
}
