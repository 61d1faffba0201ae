package gptcourse.kernel;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import jdk.jshell.JShell;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.SourceCodeAnalysis.Documentation;
import jdk.jshell.SourceCodeAnalysis.Suggestion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completion (Tab), inspection (Shift-Tab) and is-complete checks, from JShell's source analysis.
 * Magic lines are blanked out first so the analysis sees only Java, at the same offsets.
 * Inspection shows signatures with their Javadoc where JShell finds the sources (the course
 * library's sources jar is on the kernel's classpath; the JDK's come from its {@code lib/src.zip}).
 */
final class CodeInspector {
    static final String IS_COMPLETE_YES = "complete";
    static final String IS_COMPLETE_BAD = "invalid";
    static final String IS_COMPLETE_MAYBE = "unknown";

    private static final Logger LOG = LoggerFactory.getLogger(CodeInspector.class);
    private static final int MAX_DOCS = 8;

    private final CodeEvaluator evaluator;
    private final SourceDocs sourceDocs = new SourceDocs();

    CodeInspector(CodeEvaluator evaluator) {
        this.evaluator = evaluator;
    }

    /** @return {start offset, end offset} of the snippet containing {@code at} */
    private static int[] snippetAround(SourceCodeAnalysis analysis, String code, int at) {
        int start = 0;
        String rest = code;
        while (true) {
            CompletionInfo info = analysis.analyzeCompletion(rest);
            int consumed = rest.length() - info.remaining().length();
            if (!info.completeness().isComplete() || consumed <= 0 || start + consumed >= at
                    || info.remaining().isBlank()) {
                return new int[] {start, code.length()};
            }
            start += consumed;
            rest = info.remaining();
        }
    }

    ReplacementOptions complete(String code, int at) {
        JShell shell = evaluator.shellIfReady();
        if (shell == null) return null;
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String masked = MagicSyntax.mask(code);
        int[] range = snippetAround(analysis, masked, at);
        String snippet = masked.substring(range[0], range[1]);
        int[] anchor = new int[1];
        List<Suggestion> suggestions = analysis.completionSuggestions(snippet, at - range[0], anchor);
        Set<String> matches = new LinkedHashSet<>();
        suggestions.stream().filter(Suggestion::matchesType).forEach(s -> matches.add(s.continuation()));
        suggestions.forEach(s -> matches.add(s.continuation()));
        return new ReplacementOptions(new ArrayList<>(matches), range[0] + anchor[0], at);
    }

    DisplayData inspect(String code, int at) {
        JShell shell = evaluator.shellIfReady();
        if (shell == null) return null;
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String masked = MagicSyntax.mask(code);
        int[] range = snippetAround(analysis, masked, Math.min(at, masked.length()));
        String snippet = masked.substring(range[0], range[1]);
        int cursor = Math.min(at - range[0], snippet.length());
        int end = cursor;
        while (end < snippet.length() && Character.isJavaIdentifierPart(snippet.charAt(end))) end++;
        int begin = cursor;
        while (begin > 0 && Character.isJavaIdentifierPart(snippet.charAt(begin - 1))) begin--;
        String word = snippet.substring(begin, end);

        List<Documentation> docs = documentation(analysis, snippet, end);
        if (docs.isEmpty()) docs = documentation(analysis, snippet.substring(0, end) + "(", end + 1);
        StringBuilder text = new StringBuilder();
        for (Documentation d : docs.subList(0, Math.min(MAX_DOCS, docs.size()))) {
            if (text.length() > 0) text.append("\n\n");
            text.append(ErrorFormatter.scrub(d.signature()));
            String doc = d.javadoc() != null && !d.javadoc().isBlank() ? d.javadoc() : sourceDocs.find(d.signature());
            if (doc != null) text.append("\n").append(doc.strip());
        }
        if (text.length() == 0 && !word.isEmpty()) text.append(describeDeclared(shell, word));
        if (text.length() == 0) return null;
        return new DisplayData(text.toString());
    }

    private static List<Documentation> documentation(SourceCodeAnalysis analysis, String code, int cursor) {
        try {
            return analysis.documentation(code, cursor, true);
        } catch (RuntimeException e) {
            LOG.debug("documentation({}) failed: {}", code, e.toString());
            return List.of();
        }
    }

    /** A variable, method or class the notebook declared, by name. */
    private String describeDeclared(JShell shell, String name) {
        StringBuilder out = new StringBuilder();
        CellExecutionControl control = evaluator.control();
        shell.variables().filter(v -> v.name().equals(name) && shell.status(v).isActive()).forEach(v -> {
            String value;
            try {
                Object obj = control.takeResult(shell.varValue(v));
                value = obj == CodeEvaluator.NO_VALUE ? "" : " = " + ErrorFormatter.abbreviate(String.valueOf(obj), 300);
            } catch (RuntimeException e) {
                value = "";
            }
            out.append(v.typeName()).append(' ').append(v.name()).append(value).append('\n');
        });
        shell.methods().filter(m -> m.name().equals(name) && shell.status(m).isActive())
                .forEach(m -> out.append(m.signature()).append(' ').append(m.name()).append('\n'));
        shell.types().filter(t -> t.name().equals(name) && shell.status(t).isActive())
                .forEach(t -> out.append(t.source().strip().lines().findFirst().orElse("")).append('\n'));
        return out.toString().strip();
    }

    String isComplete(String code) {
        JShell shell = evaluator.shellIfReady();
        if (shell == null) return IS_COMPLETE_MAYBE;
        if (MagicSyntax.cellMagic(code) != null) return IS_COMPLETE_YES;
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String rest = MagicSyntax.mask(code);
        while (true) {
            CompletionInfo info = analysis.analyzeCompletion(rest);
            switch (info.completeness()) {
                case EMPTY:
                    return IS_COMPLETE_YES;
                case COMPLETE:
                case COMPLETE_WITH_SEMI:
                    if (info.remaining().isBlank()) return IS_COMPLETE_YES;
                    rest = info.remaining();
                    break;
                case DEFINITELY_INCOMPLETE:
                case CONSIDERED_INCOMPLETE:
                    return indentFor(code);
                case UNKNOWN:
                default:
                    return IS_COMPLETE_BAD;
            }
        }
    }

    /** Four spaces per unclosed bracket (ignoring strings and comments roughly). */
    static String indentFor(String code) {
        int depth = 0;
        boolean inString = false;
        char quote = 0;
        for (int i = 0; i < code.length(); i++) {
            char ch = code.charAt(i);
            if (inString) {
                if (ch == '\\') i++;
                else if (ch == quote) inString = false;
            } else if (ch == '"' || ch == '\'') {
                inString = true;
                quote = ch;
            } else if (ch == '{' || ch == '(' || ch == '[') {
                depth++;
            } else if (ch == '}' || ch == ')' || ch == ']') {
                depth = Math.max(0, depth - 1);
            }
        }
        return "    ".repeat(Math.max(1, depth));
    }
}
