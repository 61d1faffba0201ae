package gptcourse.bench;

import java.util.LinkedHashMap;
import java.util.Map;

import gptcourse.autograd.ProcessMemory;
import gptcourse.autograd.Tensor;
import gptcourse.model.Config;
import gptcourse.model.DemoTransformer;
import gptcourse.model.LogProbs;
import gptcourse.optim.AdamW;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs many training steps and reports whether memory grows: the resident set size (ND4J's native
 * buffers live outside the Java heap, so this is the figure that counts) and the Java heap after a
 * collection, sampled along the run.
 * A healthy run is flat after the first steps (buffers are recycled, graphs freed by backward()).
 *
 * <pre>
 * java -cp ... gptcourse.bench.MemorySoak [--steps 5000] [--vocab 50257] [--batch 8] [--seq 64]
 * </pre>
 */
public final class MemorySoak {
    private MemorySoak() {
    }

    /** Memory after a step: resident set size and Java heap in use. */
    public record Sample(int step, double rssGb, long heapBytes) {
    }

    public static void main(String[] args) {
        int steps = TrainStepBench.intArg(args, "--steps", 5000);
        int vocab = TrainStepBench.intArg(args, "--vocab", 50257);
        int batch = TrainStepBench.intArg(args, "--batch", 8);
        int seq = TrainStepBench.intArg(args, "--seq", 64);
        var samples = run(Config.trainingDefaults(vocab).withNCtx(seq), steps, batch, Math.max(1, steps / 10), true);
        Sample early = samples[0];
        Sample end = samples[1];
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bench", "memory_soak");
        out.put("steps", steps);
        out.put("rss_gb_after_warmup", early.rssGb());
        out.put("rss_gb_end", end.rssGb());
        out.put("heap_mb_after_warmup", early.heapBytes() / (1 << 20));
        out.put("heap_mb_end", end.heapBytes() / (1 << 20));
        out.put("peak_rss_gb", ProcessMemory.peakResidentGb());
        System.out.println(TrainStepBench.toJson(out));
    }

    /**
     * Trains for {@code steps} steps; returns the sample taken after the first tenth of the steps
     * (when every buffer size has been seen) and the sample at the end.
     */
    public static Sample[] run(Config cfg, int steps, int batch, int printEvery, boolean print) {
        int seq = cfg.nCtx();
        int vocab = cfg.dVocab();
        DemoTransformer model = new DemoTransformer(cfg, 0);
        AdamW optimizer = new AdamW(model.parameters(), 1e-3, 1e-2);
        INDArray tokens = Nd4j.rand(5, new long[] {batch, seq}).muli(vocab - 1).castTo(DataType.INT64);
        Sample early = null;
        Sample last = null;
        int warm = Math.max(1, steps / 10);
        for (int step = 1; step <= steps; step++) {
            Tensor loss = LogProbs.getLogProbs(model.forward(tokens), tokens).mean().neg();
            loss.backward();
            optimizer.step();
            optimizer.zeroGrad();
            if (step == warm || step == steps || step % printEvery == 0) {
                last = sample(step);
                if (step == warm) {
                    early = last;
                }
                if (print) {
                    System.out.printf("step %d: loss %.4f, rss %.3f GB, heap %d MB, recycled buffers %d MB%n", step,
                            loss.item(), last.rssGb(), last.heapBytes() >> 20, gptcourse.autograd.Buffers.pooledBytes() >> 20);
                }
            }
        }
        return new Sample[] {early, last};
    }

    static Sample sample(int step) {
        System.gc();
        try {
            Thread.sleep(50); // ND4J frees collected arrays on its own thread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime rt = Runtime.getRuntime();
        return new Sample(step, ProcessMemory.residentGb(), rt.totalMemory() - rt.freeMemory());
    }
}
