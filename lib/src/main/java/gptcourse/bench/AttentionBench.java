package gptcourse.bench;

import java.util.LinkedHashMap;
import java.util.Map;

import gptcourse.autograd.Backend;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The attention's products at the course's shapes (16 heads of d_head 2, 128 positions) and at GPT-2
 * small's (12 heads of 64, 1024 positions), each formulated several ways, in milliseconds (median of
 * the repetitions): the scores {@code q k^T} as libnd4j's batched matmul on the rank-4 arrays, as one on
 * rank-3 arrays with batch and heads merged, and, for d_head 2 only, as a sum of d_head broadcast
 * outer products; {@code pattern v}; and the backward's {@code pattern^T g} as a transposed batched
 * matmul and as {@code (g^T pattern)^T}.
 *
 * <pre>
 * java -cp ... gptcourse.bench.AttentionBench [--reps 9] [--batch 4,32]
 * </pre>
 */
public final class AttentionBench {
    private AttentionBench() {
    }

    public static void main(String[] args) {
        Backend.selectNatives();
        int reps = TrainStepBench.intArg(args, "--reps", 9);
        String batches = "4,32";
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--batch")) {
                batches = args[i + 1];
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bench", "attention");
        for (String b : batches.split(",")) {
            shapes(out, "course_b" + b.trim(), Integer.parseInt(b.trim()), 16, 128, 2, reps);
        }
        shapes(out, "gpt2small_b1", 1, 12, 1024, 64, Math.max(3, reps / 3));
        System.out.println(TrainStepBench.toJson(out));
    }

    private static void shapes(Map<String, Object> out, String name, int batch, int heads, int posn, int dHead, int reps) {
        INDArray q = Nd4j.rand(DataType.FLOAT, batch, heads, posn, dHead);
        INDArray k = Nd4j.rand(DataType.FLOAT, batch, heads, posn, dHead);
        INDArray pattern = Nd4j.rand(DataType.FLOAT, batch, heads, posn, posn);
        INDArray scores = Nd4j.create(DataType.FLOAT, batch, heads, posn, posn);
        INDArray z = Nd4j.create(DataType.FLOAT, batch, heads, posn, dHead);
        INDArray gv = Nd4j.create(DataType.FLOAT, batch, heads, posn, dHead);
        put(out, name, "scores_batched_ms", reps, () -> Nd4j.matmul(q, k, scores, false, true, false));
        INDArray q3 = q.reshape((long) batch * heads, posn, dHead);
        INDArray k3 = k.reshape((long) batch * heads, posn, dHead);
        INDArray s3 = scores.reshape((long) batch * heads, posn, posn);
        put(out, name, "scores_rank3_ms", reps, () -> Nd4j.matmul(q3, k3, s3, false, true, false));
        if (dHead == 2) {
            INDArray[] qd = new INDArray[dHead];
            INDArray[] kd = new INDArray[dHead];
            for (int d = 0; d < dHead; d++) {
                qd[d] = q.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(d, d + 1)).dup();
                kd[d] = k.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(d, d + 1))
                        .reshape(batch, heads, 1, posn).dup();
            }
            INDArray term = Nd4j.create(DataType.FLOAT, batch, heads, posn, posn);
            put(out, name, "scores_broadcast_ms", reps, () -> {
                Nd4j.exec(new MulOp(new INDArray[] {qd[0], kd[0]}, new INDArray[] {scores}));
                for (int d = 1; d < dHead; d++) {
                    Nd4j.exec(new MulOp(new INDArray[] {qd[d], kd[d]}, new INDArray[] {term}));
                    scores.addi(term);
                }
            });
        }
        put(out, name, "pattern_v_ms", reps, () -> Nd4j.matmul(pattern, k, z, false, false, false));
        put(out, name, "grad_v_transposed_ms", reps, () -> Nd4j.matmul(pattern, z, gv, true, false, false));
        INDArray zT = z.permute(0, 1, 3, 2).dup();
        INDArray gvT = Nd4j.create(DataType.FLOAT, batch, heads, dHead, posn);
        put(out, name, "grad_v_as_transpose_of_gT_pattern_ms", reps, () -> {
            Nd4j.matmul(zT, pattern, gvT, false, false, false);
            gv.assign(gvT.permute(0, 1, 3, 2));
        });
    }

    private static void put(Map<String, Object> out, String shapes, String what, int reps, Runnable r) {
        out.put(shapes + "_" + what, TrainStepBench.medianMillis(2, reps, r));
    }
}
