package gptcourse.kernel;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's settings, read from the same environment variables as IJava so that a notebook
 * set up for IJava behaves the same here.
 *
 * <ul>
 *   <li>{@code IJAVA_CLASSPATH}: extra classpath entries (path-separated; globs allowed).</li>
 *   <li>{@code IJAVA_STARTUP_SCRIPTS_PATH}: {@code .jsh} files run at start (path-separated; globs allowed).</li>
 *   <li>{@code IJAVA_STARTUP_SCRIPT}: Java code run at start, after the scripts.</li>
 *   <li>{@code IJAVA_COMPILER_OPTS}: extra javac options, space-separated.</li>
 *   <li>{@code IJAVA_TIMEOUT}: per-statement time limit, in milliseconds or as {@code "<n> <TimeUnit>"};
 *       less than 1 means no limit.</li>
 *   <li>{@code GPTCOURSE_IJAVA_ONLY=1} (the course's own, for tests): the kernel behaves as a plain IJava
 *       install would with the course's IJava setup ({@code environment/ijava-setup.sh}): none of the
 *       course kernel's renderers, and IJava's own start-up instead of the course's; see {@link BuiltInStartup}.</li>
 * </ul>
 *
 * @param classpath           extra classpath entries, possibly globs
 * @param startupScriptsPaths startup script files, possibly globs
 * @param startupScript       inline startup code, or empty
 * @param compilerOptions     extra javac options
 * @param timeoutMillis       per-statement limit in ms, or -1 for none
 * @param problems            settings that could not be used, as sentences for the student
 * @param ijavaOnly           true to stand in for a plain IJava install ({@value #IJAVA_ONLY})
 */
public record KernelConfig(List<String> classpath, List<String> startupScriptsPaths, String startupScript,
                           List<String> compilerOptions, long timeoutMillis, List<String> problems,
                           boolean ijavaOnly) {
    /** The variable that switches the IJava-only mode on ({@code 1} or {@code true}). */
    public static final String IJAVA_ONLY = "GPTCOURSE_IJAVA_ONLY";

    /** @return the settings from this process's environment */
    public static KernelConfig fromEnvironment() {
        return fromMap(System.getenv());
    }

    /**
     * @param env environment variables
     * @return the settings they describe; an unreadable {@code IJAVA_TIMEOUT} means no timeout and a
     *         problem, so that a typo doesn't stop the kernel from starting
     */
    public static KernelConfig fromMap(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        long timeout;
        try {
            timeout = parseTimeout(env.get("IJAVA_TIMEOUT"));
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage() + " Running without a timeout.");
            timeout = -1;
        }
        String ijavaOnly = env.getOrDefault(IJAVA_ONLY, "").trim();
        boolean on = ijavaOnly.equals("1") || ijavaOnly.equalsIgnoreCase("true");
        if (!on && !ijavaOnly.isEmpty() && !ijavaOnly.equals("0") && !ijavaOnly.equalsIgnoreCase("false")) {
            problems.add(IJAVA_ONLY + " is '" + ijavaOnly + "'; use 1 or 0. Running as the course kernel.");
        }
        return new KernelConfig(
                splitPath(env.get("IJAVA_CLASSPATH")),
                splitPath(env.get("IJAVA_STARTUP_SCRIPTS_PATH")),
                env.getOrDefault("IJAVA_STARTUP_SCRIPT", ""),
                splitWords(env.get("IJAVA_COMPILER_OPTS")),
                timeout,
                List.copyOf(problems),
                on);
    }

    static List<String> splitPath(String value) {
        if (value == null || value.isBlank()) return List.of();
        List<String> parts = new ArrayList<>();
        for (String part : value.split(File.pathSeparator)) {
            if (!part.isBlank()) parts.add(part.trim());
        }
        return parts;
    }

    static List<String> splitWords(String value) {
        if (value == null || value.isBlank()) return List.of();
        return Arrays.asList(value.trim().split("\\s+"));
    }

    /**
     * @param value {@code "5000"}, {@code "5 SECONDS"}, or blank
     * @return milliseconds, or -1 for no limit
     */
    static long parseTimeout(String value) {
        if (value == null || value.isBlank()) return -1;
        String[] parts = value.trim().split("\\s+");
        try {
            long amount = Long.parseLong(parts[0]);
            TimeUnit unit = parts.length > 1 ? TimeUnit.valueOf(parts[1].toUpperCase(Locale.ROOT)) : TimeUnit.MILLISECONDS;
            long millis = unit.toMillis(amount);
            return millis < 1 ? -1 : millis;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("IJAVA_TIMEOUT is '" + value + "'; use milliseconds (e.g. 30000) "
                    + "or an amount and a TimeUnit (e.g. '30 SECONDS'), or -1 for no limit.", e);
        }
    }
}
