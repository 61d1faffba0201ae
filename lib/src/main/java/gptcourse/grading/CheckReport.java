package gptcourse.grading;

import java.util.ArrayList;
import java.util.List;

/**
 * The results of one check: a line per thing checked, each passed (✔) or failed (✘, with what
 * was wrong and a hint). Shown in a notebook as its one-line summary; {@link #lines()} has the rest.
 */
public final class CheckReport {
    /** One thing checked. */
    public record Result(boolean passed, String text) {
        @Override
        public String toString() {
            return (passed ? "✔ " : "✘ ") + text;
        }
    }

    private final String name;
    private final List<Result> results = new ArrayList<>();

    CheckReport(String name) {
        this.name = name;
    }

    CheckReport pass(String text) {
        results.add(new Result(true, text));
        return this;
    }

    CheckReport fail(String text) {
        results.add(new Result(false, text));
        return this;
    }

    /** {@code n} failed results with the same text: the sub-checks that could not run. */
    CheckReport failAll(int n, String text) {
        for (int i = 0; i < n; i++) {
            fail(text);
        }
        return this;
    }

    CheckReport check(boolean passed, String ifPassed, String ifFailed) {
        return passed ? pass(ifPassed) : fail(ifFailed);
    }

    /** The method checked, e.g. {@code "trainingStep"}. */
    public String name() {
        return name;
    }

    public List<Result> results() {
        return List.copyOf(results);
    }

    /** True if every result passed (and there is at least one). */
    public boolean passed() {
        return !results.isEmpty() && results.stream().allMatch(Result::passed);
    }

    public List<Result> failures() {
        return results.stream().filter(r -> !r.passed()).toList();
    }

    /** The results, one line each. */
    public List<String> lines() {
        return results.stream().map(Result::toString).toList();
    }

    /**
     * Does nothing if every result passed; otherwise throws {@link CheckFailed} listing every
     * failure (each once).
     */
    public void require() {
        if (results.isEmpty()) {
            throw new CheckFailed(name + ": nothing was checked");
        }
        List<String> failed = failures().stream().map(Result::text).distinct().toList();
        if (!failed.isEmpty()) {
            throw new CheckFailed(name + ": " + String.join("; ", failed));
        }
    }

    /** {@code trainingStep: 5 of 5 checks passed}. */
    @Override
    public String toString() {
        long ok = results.stream().filter(Result::passed).count();
        return name + ": " + ok + " of " + results.size() + " checks passed" + (passed() ? " ✔" : " ✘");
    }
}
