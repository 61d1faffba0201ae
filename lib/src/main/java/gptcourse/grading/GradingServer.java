package gptcourse.grading;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import gptcourse.grading.Checks.Method;

/**
 * The grader's judge, a JVM no student code runs in. It computes the reference solution's
 * observations on the check's models and data (the same seeds and weights as in the students'
 * kernels), then judges the observations the grader sends it, one request per line on standard
 * input:
 *
 * <pre>
 * java -cp ... gptcourse.grading.GradingServer
 *   &lt;- {"ready": true, "parts": {"trainingStep": 5, ...}}
 *   -&gt; {"method": "trainingStep", "problem": null, "observation": {...}}
 *   &lt;- {"method": "trainingStep", "results": [{"passed": true, "text": "..."}, ...]}
 * </pre>
 *
 * The grader (tools/grading/channel.py) has already parsed the student's file strictly; a request
 * this class cannot read gets {"error": ...}.
 */
public final class GradingServer {
    private final Map<Method, Object> references = new EnumMap<>(Method.class);
    private Map<String, Double> mistakes;

    private GradingServer() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err); // the library's own output must not mix with the answers
        GradingServer server = prepared();
        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("ready", true);
        Map<String, Integer> parts = new LinkedHashMap<>();
        for (Method m : Method.values()) {
            parts.put(m.label, m.parts);
        }
        ready.put("parts", parts);
        out.println(GradingChannel.GSON.toJson(ready));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            out.println(GradingChannel.GSON.toJson(server.answer(line)));
        }
    }

    /** A judge with the reference observations computed. */
    static GradingServer prepared() {
        GradingServer server = new GradingServer();
        server.prepare();
        return server;
    }

    private void prepare() {
        try (TinySetup setup = TinySetup.open()) {
            for (Method m : List.of(Method.TRAINING_STEP, Method.EVALUATE)) {
                references.put(m, Checks.observe(m, setup, setup.track(Checks.reference(m, setup))));
            }
            mistakes = EvaluateCheck.mistakes(setup.evaluateModel(),
                    setup.reference(setup.evaluateModel(), TinySetup.evaluateSplit()).testLoader);
        }
    }

    Map<String, Object> answer(String line) {
        Map<String, Object> answer = new LinkedHashMap<>();
        try {
            JsonObject request = JsonParser.parseString(line).getAsJsonObject();
            Method method = Method.of(request.get("method").getAsString());
            answer.put("method", method.label);
            JsonElement problem = request.get("problem");
            JsonElement observation = request.get("observation");
            CheckReport report;
            if (problem != null && !problem.isJsonNull()) {
                report = new CheckReport(method.label).fail(problem.getAsString()).failAll(method.parts - 1,
                        "not checked: the trainer could not be made");
            } else {
                Object student = GradingChannel.GSON.fromJson(observation, switch (method) {
                    case TRAINING_STEP -> TrainingStepCheck.Observation.class;
                    case EVALUATE -> EvaluateCheck.Observation.class;
                    case TRAIN -> TrainCheck.Observation.class;
                });
                report = Checks.judge(method, student, references.get(method), mistakes);
            }
            answer.put("results", report.results());
        } catch (RuntimeException e) {
            answer.clear();
            answer.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return answer;
    }
}
