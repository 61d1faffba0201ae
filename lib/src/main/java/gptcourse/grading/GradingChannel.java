package gptcourse.grading;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import gptcourse.io.AtomicFiles;

/**
 * How a graded check's observations leave the student's kernel when the autograder runs it: as
 * one JSON file per check in the folder named by {@value #ENV}, which the grader reads, parses
 * strictly and judges in its own JVM ({@link GradingServer}). Nothing printed decides a grade.
 */
final class GradingChannel {
    /** The environment variable the grader sets to the sandbox's channel folder. */
    static final String ENV = "GPTCOURSE_GRADING_OUT";
    /** The format tag of each file; the grader refuses any other. */
    static final String FORMAT = "gptcourse-check/1";
    static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

    private GradingChannel() {
    }

    /** The channel folder, or null outside the grader. */
    static Path folder() {
        String dir = System.getenv(ENV);
        return dir == null || dir.isBlank() ? null : Path.of(dir);
    }

    /** Writes {@code method}'s observation (or the problem that stopped it) as {@code <method>.json}. */
    static void write(Path folder, String method, String problem, Object observation) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("format", FORMAT);
        record.put("method", method);
        record.put("problem", problem);
        record.put("observation", observation);
        try {
            AtomicFiles.write(folder.resolve(method + ".json"), GSON.toJson(record).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not hand the check's result to the grader", e);
        }
    }
}
