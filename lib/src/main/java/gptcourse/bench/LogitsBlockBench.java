package gptcourse.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import gptcourse.autograd.Functional;
import gptcourse.autograd.ProcessMemory;
import gptcourse.autograd.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fused loss on lazy logits alone (forward and backward of {@code getLogProbs(x @ W_U + b_U,
 * tokens).mean().neg()} at the tutorial's size: 32 x 128 rows, d_model 32, d_vocab 50257; {@code --batch 4}
 * for the quick run's) for several block sizes, in process CPU seconds (steadier than wall time on a
 * shared machine) and wall seconds, interleaved.
 *
 * <pre>
 * java -cp ... gptcourse.bench.LogitsBlockBench [--reps 5] [--rows 10,20,40,80,160] [--batch 32]
 * </pre>
 */
public final class LogitsBlockBench {
    private LogitsBlockBench() {
    }

    public static void main(String[] args) {
        int reps = TrainStepBench.intArg(args, "--reps", 5);
        int batch = TrainStepBench.intArg(args, "--batch", 32);
        String rowsArg = "10,20,40,80,160";
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--rows")) {
                rowsArg = args[i + 1];
            }
        }
        List<Long> sizes = new ArrayList<>();
        for (String r : rowsArg.split(",")) {
            long v = Long.parseLong(r.trim());
            if (v < 1) {
                throw new IllegalArgumentException("--rows needs positive block sizes, got " + r);
            }
            sizes.add(v);
        }
        Nd4j.getRandom().setSeed(1);
        Tensor x = Tensor.parameter(Nd4j.randn(DataType.FLOAT, batch, 128, 32));
        Tensor w = Tensor.parameter(Nd4j.randn(DataType.FLOAT, 32, 50257).muli(0.02));
        Tensor b = Tensor.parameter(Nd4j.zeros(DataType.FLOAT, 50257));
        INDArray tokens = Nd4j.rand(DataType.FLOAT, batch, 128).muli(50257).castTo(DataType.INT64);
        Map<Long, List<Double>> cpu = new LinkedHashMap<>();
        Map<Long, List<Double>> wall = new LinkedHashMap<>();
        for (int rep = -1; rep < reps; rep++) {
            for (long rows : sizes) {
                System.setProperty("gptcourse.logitsBlockRows", String.valueOf(rows));
                long c0 = TrainStepBench.processCpuNanos();
                long t0 = System.nanoTime();
                Tensor loss = Functional.logProbsOfNextTokens(Tensor.lazyLinear(x, w, b), tokens).mean().neg();
                loss.backward();
                double c = (TrainStepBench.processCpuNanos() - c0) / 1e9;
                double t = (System.nanoTime() - t0) / 1e9;
                x.zeroGrad();
                w.zeroGrad();
                b.zeroGrad();
                if (rep >= 0) {
                    cpu.computeIfAbsent(rows, k -> new ArrayList<>()).add(c);
                    wall.computeIfAbsent(rows, k -> new ArrayList<>()).add(t);
                }
                System.out.printf("rows %d: cpu %.3f s, wall %.3f s%n", rows, c, t);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bench", "logits_block");
        out.put("batch", batch);
        for (long rows : sizes) {
            out.put("cpu_median_s_" + rows, TrainStepBench.median(cpu.get(rows)));
            out.put("wall_median_s_" + rows, TrainStepBench.median(wall.get(rows)));
        }
        out.put("peak_rss_gb", ProcessMemory.peakResidentGb());
        System.out.println(TrainStepBench.toJson(out));
    }
}
