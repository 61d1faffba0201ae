package gptcourse.kernel;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each JShell snippet came from: the cell (by execution count) or file, the line of that
 * cell where the snippet starts, and its source. JShell reports an exception's frames as
 * {@code #<snippet id>:<line in snippet>}; this turns them back into the student's cells and lines,
 * for methods and classes declared in earlier cells too. A redefined method keeps its snippet id,
 * so the newest definition replaces the entry.
 */
final class SnippetSources {
    /**
     * @param where     {@code "In[5]"} for a cell, or a file or script name
     * @param firstLine the 1-based line of {@code where} on which the snippet's first line is
     * @param lines     the snippet's source lines
     */
    record Origin(String where, int firstLine, List<String> lines) {
        /** @return the 1-based line of {@code where} for a 1-based line of the snippet */
        int lineOf(int snippetLine) {
            return firstLine + snippetLine - 1;
        }

        /** @return the snippet's source on that line, stripped, or "" */
        String source(int snippetLine) {
            return snippetLine >= 1 && snippetLine <= lines.size() ? lines.get(snippetLine - 1).strip() : "";
        }

        /** @return {@code "Cell In[5], line 3"} or {@code "helper.jsh, line 3"} */
        String describe(int snippetLine) {
            String place = where.startsWith("In[") ? "Cell " + where : where;
            return place + ", line " + lineOf(snippetLine);
        }
    }

    private final Map<String, Origin> origins = new ConcurrentHashMap<>();

    void record(String snippetId, String where, int firstLine, String source) {
        origins.put(snippetId, new Origin(where, firstLine, source.lines().toList()));
    }

    /** @return the snippet's origin, or null for one the kernel didn't record */
    Origin find(String snippetId) {
        return origins.get(snippetId);
    }

    /** Names a cell the way the notebook shows it. */
    static String cell(int executionCount) {
        return "In[" + executionCount + "]";
    }
}
