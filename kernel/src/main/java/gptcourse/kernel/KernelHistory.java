package gptcourse.kernel;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import io.github.spencerpark.jupyter.kernel.history.HistoryEntry;
import io.github.spencerpark.jupyter.kernel.history.HistoryManager;

/**
 * This session's executed cells, for {@code history_request} (tail, range and glob search).
 * Kept in memory: a restarted kernel starts a new, empty history.
 */
final class KernelHistory implements HistoryManager {
    /** The only session this kernel knows: the current one. */
    static final int SESSION = 1;

    private record Cell(int number, String input, String output) {
    }

    private final List<Cell> cells = new ArrayList<>();

    synchronized void add(int number, String input, String output) {
        cells.add(new Cell(number, input, output == null ? "" : output));
    }

    @Override
    public synchronized List<HistoryEntry> lookupRange(int session, int start, int stop, Set<ResultFlag> flags) {
        List<HistoryEntry> out = new ArrayList<>();
        if (session != 0 && session != SESSION) return out;
        for (Cell c : cells) {
            if (c.number() >= start && (stop <= 0 || c.number() < stop)) out.add(entry(c, flags));
        }
        return out;
    }

    @Override
    public synchronized List<HistoryEntry> lookupTail(int length, Set<ResultFlag> flags) {
        int from = Math.max(0, cells.size() - Math.max(0, length));
        List<HistoryEntry> out = new ArrayList<>();
        for (Cell c : cells.subList(from, cells.size())) out.add(entry(c, flags));
        return out;
    }

    @Override
    public synchronized List<HistoryEntry> search(String pattern, int length, Set<ResultFlag> flags) {
        Pattern glob = globToRegex(pattern == null ? "*" : pattern);
        boolean unique = flags.contains(ResultFlag.UNIQUE);
        List<Cell> hits = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int i = cells.size() - 1; i >= 0; i--) {
            Cell c = cells.get(i);
            if (!glob.matcher(c.input()).matches()) continue;
            if (unique && !seen.add(c.input())) continue;
            hits.add(0, c);
        }
        if (length > 0 && hits.size() > length) hits = hits.subList(hits.size() - length, hits.size());
        List<HistoryEntry> out = new ArrayList<>();
        for (Cell c : hits) out.add(entry(c, flags));
        return out;
    }

    private static HistoryEntry entry(Cell c, Set<ResultFlag> flags) {
        return flags.contains(ResultFlag.INCLUDE_OUTPUT)
                ? new HistoryEntry(SESSION, c.number(), c.input(), c.output())
                : new HistoryEntry(SESSION, c.number(), c.input());
    }

    /** sqlite GLOB syntax: {@code *}, {@code ?}, {@code [a-z]}, {@code [^a-z]}. */
    static Pattern globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        boolean inClass = false;
        for (char ch : glob.toCharArray()) {
            if (inClass) {
                if (ch == ']') inClass = false;
                re.append(ch == '\\' ? "\\\\" : String.valueOf(ch));
                continue;
            }
            switch (ch) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    inClass = true;
                    re.append('[');
                }
                default -> re.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
