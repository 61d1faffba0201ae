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
    void residentMemoryStaysFlatOverManySteps() {
        // Leaking any [d_vocab, d_model] or larger array per step (as libnd4j's unsorted_segment_sum
        // does, 2.5 MB a step here) adds 350+ MB over these steps; libnd4j's own small per-op leak
        // (~1 KB per reduction call in 1.0.0-M2.1) stays far below the bound.
        Config cfg = Config.trainingDefaults(20000).withNCtx(64).withNLayers(1);
        MemorySoak.Sample[] s = MemorySoak.run(cfg, 200, 8, 200, false);
        double growthMb = (s[1].rssGb() - s[0].rssGb()) * 1024;
        assertTrue(growthMb < 200, "resident memory grew by " + growthMb + " MB between step " + s[0].step()
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
    void anArenaFreesWhatItDidNotKeep() {
        Tensor x = Tensor.of(Nd4j.rand(DataType.FLOAT, 4, 4));
        Tensor dropped;
        Tensor kept;
        try (var scope = GradMode.noGrad(); var arena = Tensor.arena()) {
            dropped = x.mul(2.0);
            kept = arena.keep(dropped.add(1.0));
        }
        assertThrows(IllegalStateException.class, dropped::data);
        assertTrue(kept.data().getDouble(0) == x.data().getDouble(0) * 2 + 1);
        assertTrue(x.data().length() == 16, "inputs made outside the arena are untouched");
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

    @Test
    void aSecondForwardPassWithoutAGraphReusesTheFirstOnesBuffers() {
        // four layers of 16 heads at 128 positions: each layer's scores and pattern are 4 MB at batch 4
        DemoTransformer model = new DemoTransformer(Config.trainingDefaults(1000), 0);
        INDArray tokens = Nd4j.rand(DataType.FLOAT, 4, 128).muli(1000).castTo(DataType.INT64);
        Buffers.clear();
        try (var scope = GradMode.inferenceMode()) {
            for (int pass = 0; pass < 3; pass++) {
                long before = Buffers.freshAllocations();
                try (Tensor logits = model.forward(tokens)) {
                    logits.argmax(-1);
                }
                long fresh = Buffers.freshAllocations() - before;
                // the first pass: one layer's scores and pattern at a time (each freed once the next
                // step has read it) and the logits' block, not every layer's (9 before)
                assertTrue(pass > 0 || fresh <= 4, "the first pass allocated " + fresh + " large arrays");
                assertTrue(pass == 0 || fresh == 0, "pass " + pass + " allocated " + fresh
                        + " large arrays afresh instead of reusing the previous pass's");
            }
        }
    }

    @Test
    void aTrainingStepLeavesLittleNativeMemoryToTheGarbageCollector() {
        // ND4J frees an array that nobody closes only when the garbage collector finds it; a batch-32
        // step left 25 MB so (layer norm's temporaries, 20 MB of it), which the process carried until
        // the next collection. What remains is ND4J's own small temporaries.
        DemoTransformer model = new DemoTransformer(Config.trainingDefaults(1000).withNLayers(2), 0);
        gptcourse.optim.AdamW opt = new gptcourse.optim.AdamW(model.parameters(), 1e-3, 1e-2);
        INDArray tokens = Nd4j.rand(DataType.FLOAT, 8, 128).muli(1000).castTo(DataType.INT64);
        Runnable step = () -> {
            LogProbs.getLogProbs(model.forward(tokens), tokens).mean().neg().backward();
            opt.step();
            opt.zeroGrad();
        };
        step.run();
        step.run();
        NativeAllocations.Report r = NativeAllocations.during(step);
        assertTrue(r.neither() < 0.1 * r.allocated(), "a training step left " + (r.neither() >> 10) + " KB of its "
                + (r.allocated() >> 10) + " KB to the garbage collector (" + r + ")");
    }
}
