package gptcourse.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import gptcourse.autograd.Backend;
import gptcourse.autograd.GradMode;
import gptcourse.autograd.Tensor;
import gptcourse.model.Config;
import gptcourse.model.DemoTransformer;
import gptcourse.sample.SamplingArgs;
import gptcourse.sample.SamplingMethods;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One generated token's cost at the course's size, in milliseconds (medians): choosing the token from
 * the 50,257 logits of the last position with the tutorial's settings (temperature 0.7, top-p 0.95),
 * with top-k 40, and with plain sampling, each on flat logits (an untrained model: top-p keeps most of
 * the vocabulary) and on peaked ones; and, for scale, the model's no-grad forward pass over a 16-token
 * prompt, which the sampler runs once a token.
 *
 * <pre>
 * java -cp ... gptcourse.bench.SamplerBench [--reps 200]
 * </pre>
 */
public final class SamplerBench {
    private SamplerBench() {
    }

    public static void main(String[] args) {
        Backend.selectNatives();
        int reps = TrainStepBench.intArg(args, "--reps", 200);
        int vocab = 50257;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bench", "sampler");
        Random rng = new Random(0);
        int[] ids = {464, 3290, 373, 845};
        Map<String, SamplingArgs> settings = new LinkedHashMap<>();
        settings.put("top_p", SamplingArgs.of(SamplingArgs.temperature(0.7), SamplingArgs.topP(0.95)));
        settings.put("top_k", SamplingArgs.of(SamplingArgs.temperature(0.7), SamplingArgs.topK(40)));
        settings.put("basic", SamplingArgs.DEFAULTS);
        Map<String, INDArray> logits = new LinkedHashMap<>();
        logits.put("flat", Nd4j.randn(DataType.FLOAT, vocab).muli(0.1));
        logits.put("peaked", Nd4j.randn(DataType.FLOAT, vocab).muli(3.0));
        for (int round = 0; round < 2; round++) {   // the first round warms up the JIT for all of them
            for (var s : settings.entrySet()) {
                for (var l : logits.entrySet()) {
                    double ms = medianMs(reps, () -> SamplingMethods.sampleNextToken(ids, l.getValue(), s.getValue(), rng));
                    if (round == 1) {
                        out.put(s.getKey() + "_" + l.getKey() + "_ms", ms);
                    }
                }
            }
        }
        DemoTransformer model = new DemoTransformer(Config.trainingDefaults(vocab), 42);
        INDArray prompt = Nd4j.createFromArray(new long[16]).reshape(1, 16);
        try (var noGrad = GradMode.inferenceMode()) {
            out.put("model_forward_16_tokens_ms", medianMs(Math.max(10, reps / 4), () -> {
                try (Tensor l = model.forward(prompt)) {
                    l.slice(1, 15, 16).data().dup().close();
                }
            }));
        }
        System.out.println(TrainStepBench.toJson(out));
    }

    private static double medianMs(int reps, Runnable r) {
        return TrainStepBench.medianMillis(Math.max(5, reps / 10), reps, r);
    }
}
