package gptcourse.autograd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gptcourse.bench.MemorySoak;
import gptcourse.model.Config;
import gptcourse.model.DemoTransformer;
import gptcourse.model.LogProbs;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** backward() frees the graph: native memory stays flat over many steps, and freed tensors say so. */
class MemoryReleaseTest {

    @Test
    void nativeMemoryDoesNotGrowOverManySteps() {
        MemorySoak.Sample[] s = MemorySoak.run(600, 5000, 8, 64, 600, false);
        long growth = s[1].nativeBytes() - s[0].nativeBytes();
        assertTrue(growth < 8L << 20, "native memory grew by " + (growth >> 20) + " MB between step " + s[0].step()
                + " and step " + s[1].step());
    }

    @Test
    void intermediatesAreReleasedAfterBackwardWithAClearMessage() {
        DemoTransformer model = new DemoTransformer(Config.trainingDefaults(50).withNCtx(8).withNLayers(1), 0);
        INDArray tokens = Nd4j.createFromArray(new long[][] {{1, 2, 3, 4}});
        Tensor logits = model.forward(tokens);
        Tensor loss = LogProbs.getLogProbs(logits, tokens).mean().neg();
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, logits::data);
        assertTrue(e.getMessage().contains("backward()"), e.getMessage());
        loss.item(); // the tensor backward() was called on stays readable
        IllegalStateException again = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(again.getMessage().contains("already"), again.getMessage());
    }

    @Test
    void noGradBuildsNoGraph() {
        DemoTransformer model = new DemoTransformer(Config.trainingDefaults(50).withNCtx(8).withNLayers(1), 0);
        INDArray tokens = Nd4j.createFromArray(new long[][] {{1, 2, 3, 4}});
        try (var scope = GradMode.inferenceMode(); Tensor logits = model.forward(tokens)) {
            assertTrue(!logits.requiresGrad() && logits.isLeaf());
            assertThrows(IllegalStateException.class, logits::backward);
        }
        assertTrue(GradMode.isEnabled());
    }

    @Test
    void recycledBuffersComeBackWithTheRightShape() {
        INDArray a = Buffers.empty(DataType.FLOAT, 1024, 512);
        a.assign(3);
        Buffers.release(a);
        INDArray b = Buffers.empty(DataType.FLOAT, 512, 1024);
        assertTrue(java.util.Arrays.equals(new long[] {512, 1024}, b.shape()));
        b.assign(1);
        assertTrue(b.sumNumber().doubleValue() == 512 * 1024);
        Buffers.release(b);
    }
}
