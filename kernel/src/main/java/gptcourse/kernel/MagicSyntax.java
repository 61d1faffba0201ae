package gptcourse.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How magics are written in a cell, as in IJava: {@code %%name args} on a cell's first line makes
 * the cell a cell magic; {@code %name args} alone on a line is a line magic; {@code %name args}
 * after an {@code =} is a magic used as an expression ({@code List<String> jars = %jars *.jar;}),
 * which becomes a call to {@link Magics#lineMagic}. Arguments are split at spaces; double quotes
 * keep spaces ({@code %jars "my dir/a.jar"}).
 */
final class MagicSyntax {
    private static final Pattern LINE_MAGIC = Pattern.compile("^\\s*%(\\w.*)$");
    private static final Pattern CELL_MAGIC = Pattern.compile("^%%(\\w[^\\n]*)(?:\\n(.*))?$", Pattern.DOTALL);
    private static final Pattern EXPRESSION_MAGIC = Pattern.compile("^([^\"%]*?[^=!<>+\\-*/%&|^\"]=)\\s*%(\\w.*?)\\s*(;?)\\s*$");
    private static final Pattern WORDS = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"|(\\S+)");

    /** A cell magic: its name, arguments and the rest of the cell. */
    record CellMagic(String name, List<String> args, String body) {
    }

    private MagicSyntax() {
    }

    /** @return the cell magic the cell is, or null */
    static CellMagic cellMagic(String cell) {
        Matcher m = CELL_MAGIC.matcher(cell);
        if (!m.matches()) return null;
        List<String> words = split(m.group(1));
        return new CellMagic(words.get(0), words.subList(1, words.size()), m.group(2) == null ? "" : m.group(2));
    }

    /** @return the magic's name and arguments if the line is a line magic, else null */
    static List<String> lineMagic(String line) {
        Matcher m = LINE_MAGIC.matcher(line);
        return m.matches() ? split(m.group(1)) : null;
    }

    /** @return the line with a magic after {@code =} turned into a {@code lineMagic(...)} call */
    static String magicsInExpressions(String line) {
        Matcher m = EXPRESSION_MAGIC.matcher(line);
        if (!m.matches()) return line;
        List<String> words = split(m.group(2));
        StringBuilder call = new StringBuilder(m.group(1)).append(" gptcourse.kernel.Magics.lineMagic(")
                .append(javaString(words.get(0))).append(", java.util.List.of(");
        for (int i = 1; i < words.size(); i++) {
            if (i > 1) call.append(", ");
            call.append(javaString(words.get(i)));
        }
        return call.append("))").append(m.group(3)).toString();
    }

    /** Splits magic arguments at spaces; {@code "..."} keeps spaces, {@code \"} is a quote inside. */
    static List<String> split(String raw) {
        List<String> out = new ArrayList<>();
        Matcher m = WORDS.matcher(raw);
        while (m.find()) out.add(m.group(1) != null ? m.group(1).replace("\\\"", "\"") : m.group(2));
        return out;
    }

    /** Blanks out magic lines so the analysis sees only Java, at the same offsets. */
    static String mask(String code) {
        String[] lines = code.split("\n", -1);
        StringBuilder out = new StringBuilder(code.length());
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) out.append('\n');
            out.append(lines[i].stripLeading().startsWith("%") ? " ".repeat(lines[i].length()) : lines[i]);
        }
        return out.toString();
    }

    /** @return {@code s} as a Java string literal */
    static String javaString(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    // control characters as octal escapes: a \\u000a would end the literal (unicode escapes come first)
                    if (c < 0x20) out.append(String.format("\\%03o", (int) c));
                    else if (c > 0x7E) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append('"').toString();
    }
}
