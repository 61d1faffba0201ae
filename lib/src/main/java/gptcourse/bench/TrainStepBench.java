package gptcourse.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import gptcourse.autograd.GradMode;
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
 * Times training steps of the tutorial's training model (d_model 32, 16 heads of 2, d_mlp 128,
 * 4 layers, n_ctx 128, d_vocab 50257, batch 32, AdamW lr 1e-3 wd 1e-2) on random tokens, and prints
 * per-phase medians, the time of a no-grad forward pass with the argmax of its logits (as evaluate()
 * does) and the peak RSS, then one JSON line.
 *
 * <pre>
 * java -cp ... gptcourse.bench.TrainStepBench [--steps 20] [--warmup 3] [--batch 32]
 * </pre>
 */
public final class TrainStepBench {
    private TrainStepBench() {
    }

    @SuppressWarnings("try") // the inference-mode scope is used for its effect, not read
    public static void main(String[] args) throws IOException {
        int steps = intArg(args, "--steps", 20);
        int warmup = intArg(args, "--warmup", 3);
        int batch = intArg(args, "--batch", 32);
        Config cfg = Config.trainingDefaults(50257);
        DemoTransformer model = new DemoTransformer(cfg, 0);
        AdamW optimizer = new AdamW(model.parameters(), 1e-3, 1e-2);
        INDArray tokens = Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.random.impl.UniformDistribution(
                Nd4j.createUninitialized(DataType.FLOAT, batch, cfg.nCtx()), 0, cfg.dVocab()),
                Nd4j.getRandomFactory().getNewRandomInstance(1));
        tokens = org.nd4j.linalg.ops.transforms.Transforms.floor(tokens, false).castTo(DataType.INT64);

        List<Double> total = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        Map<String, List<Double>> phases = new LinkedHashMap<>();
        for (String p : List.of("forward", "loss", "backward", "optimizer")) {
            phases.put(p, new ArrayList<>());
        }
        double firstLoss = Double.NaN;
        double lastLoss = Double.NaN;
        for (int i = 0; i < warmup + steps; i++) {
            long c0 = processCpuNanos();
            long t0 = System.nanoTime();
            Tensor logits = model.forward(tokens);
            long t1 = System.nanoTime();
            Tensor loss = LogProbs.getLogProbs(logits, tokens).mean().neg();
            double lossValue = loss.item();
            long t2 = System.nanoTime();
            loss.backward();
            long t3 = System.nanoTime();
            optimizer.step();
            optimizer.zeroGrad();
            long t4 = System.nanoTime();
            long c4 = processCpuNanos();
            if (i == 0) {
                firstLoss = lossValue;
            }
            lastLoss = lossValue;
            if (i >= warmup) {
                total.add((t4 - t0) / 1e9);
                cpu.add((c4 - c0) / 1e9);
                phases.get("forward").add((t1 - t0) / 1e9);
                phases.get("loss").add((t2 - t1) / 1e9);
                phases.get("backward").add((t3 - t2) / 1e9);
                phases.get("optimizer").add((t4 - t3) / 1e9);
            }
            System.out.printf("step %d: %.3f s, cpu %.3f s (forward %.3f, loss %.3f, backward %.3f, optimizer %.3f) loss %.4f "
                            + "rss %.2f GB (peak %.2f), recycled buffers %d MB%n",
                    i, (t4 - t0) / 1e9, (c4 - c0) / 1e9, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9, lossValue,
                    ProcessMemory.residentGb(), ProcessMemory.peakResidentGb(), gptcourse.autograd.Buffers.pooledBytes() >> 20);
        }
        List<Double> fwd = new ArrayList<>();
        try (var scope = GradMode.inferenceMode()) {
            for (int i = 0; i < Math.max(3, steps / 2); i++) {
                long t0 = System.nanoTime();
                try (Tensor logits = model.forward(tokens)) {
                    logits.argmax(-1).getLong(0); // what evaluate() does with them (the logits are lazy)
                }
                fwd.add((System.nanoTime() - t0) / 1e9);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bench", "train_step");
        out.put("backend", gptcourse.autograd.Backend.describe());
        out.put("threads", Runtime.getRuntime().availableProcessors());
        out.put("batch", batch);
        out.put("steps", steps);
        out.put("median_s", median(total));
        out.put("p10_s", pct(total, 10));
        out.put("p90_s", pct(total, 90));
        out.put("cpu_median_s", median(cpu));
        phases.forEach((k, v) -> out.put(k + "_median_s", median(v)));
        out.put("forward_argmax_median_s", median(fwd));
        out.put("peak_rss_gb", ProcessMemory.peakResidentGb());
        out.put("first_loss", firstLoss);
        out.put("last_loss", lastLoss);
        System.out.println(toJson(out));
    }

    static int intArg(String[] args, String name, int def) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                try {
                    int v = Integer.parseInt(args[i + 1]);
                    if (v > 0) {
                        return v;
                    }
                } catch (NumberFormatException ignored) {
                    // fall through to the error below
                }
                throw new IllegalArgumentException(name + " must be a positive integer, got '" + args[i + 1] + "'");
            }
        }
        return def;
    }

    static double median(List<Double> xs) {
        return pct(xs, 50);
    }

    /** The median milliseconds of {@code reps} runs of {@code r} after {@code warmups} untimed ones, to 0.01 ms. */
    static double medianMillis(int warmups, int reps, Runnable r) {
        for (int i = 0; i < warmups; i++) {
            r.run();
        }
        List<Double> ms = new java.util.ArrayList<>();
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            r.run();
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        return Math.round(median(ms) * 100) / 100.0;
    }

    static double pct(List<Double> xs, int p) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (s.length == 0) {
            return Double.NaN;
        }
        double pos = (s.length - 1) * p / 100.0;
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return Math.round((s[lo] + (s[hi] - s[lo]) * (pos - lo)) * 10000) / 10000.0;
    }

    /**
     * CPU time of the whole process (all threads, native ones included), in nanoseconds: on a shared
     * machine it varies much less with the other load than the wall-clock time does.
     */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return 0;
    }

    static String toJson(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder("{");
        m.forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append('"').append(k).append("\": ");
            sb.append(v instanceof String ? "\"" + v + "\"" : String.valueOf(v));
        });
        return sb.append('}').toString();
    }
}
