package gptcourse.notebook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Set;
import java.util.function.Supplier;

import io.github.spencerpark.jupyter.kernel.display.DisplayDataRenderable;
import io.github.spencerpark.jupyter.kernel.display.RenderContext;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;

/**
 * Charts, tables and text lines that render themselves in any kernel built on
 * jupyter-jvm-basekernel (the course kernel and IJava), so the library's live outputs need no
 * renderer registered by the kernel.
 */
public final class Outputs {

    private Outputs() {
    }

    /** A chart as PNG (and a one-line text description). */
    public static DisplayDataRenderable chart(Chart<?, ?> chart) {
        return new DisplayDataRenderable() {
            @Override
            public Set<MIMEType> getSupportedRenderTypes() {
                return Set.of(MIMEType.IMAGE_PNG, MIMEType.TEXT_PLAIN);
            }

            @Override
            public void render(RenderContext ctx) {
                ctx.renderIfRequested(MIMEType.IMAGE_PNG, () -> Base64.getEncoder().encodeToString(png(chart)));
                ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> "chart \"" + chart.getTitle() + "\"");
            }

            @Override
            public String toString() {
                return "chart \"" + chart.getTitle() + "\"";
            }
        };
    }

    /** A table as HTML (and as text), showing at most {@code maxRows} rows. */
    public static DisplayDataRenderable table(Table table, int maxRows) {
        return new DisplayDataRenderable() {
            @Override
            public Set<MIMEType> getSupportedRenderTypes() {
                return Set.of(MIMEType.TEXT_HTML, MIMEType.TEXT_PLAIN);
            }

            @Override
            public void render(RenderContext ctx) {
                ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> html(table, maxRows));
                ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> table.print(maxRows));
            }

            @Override
            public String toString() {
                return table.print(maxRows);
            }
        };
    }

    /** A line of text computed when shown, e.g. a progress bar. */
    public static DisplayDataRenderable text(Supplier<String> line) {
        return new DisplayDataRenderable() {
            @Override
            public Set<MIMEType> getSupportedRenderTypes() {
                return Set.of(MIMEType.TEXT_PLAIN);
            }

            @Override
            public void render(RenderContext ctx) {
                ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> line.get());
            }

            @Override
            public String toString() {
                return line.get();
            }
        };
    }

    /** The chart's PNG bytes. */
    public static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("could not draw the chart \"" + chart.getTitle() + "\"", e);
        }
    }

    /** An HTML table of the first {@code maxRows} rows, with a "… more rows" line when cut. */
    public static String html(Table table, int maxRows) {
        StringBuilder out = new StringBuilder("<table class=\"gptcourse-table\">");
        if (table.name() != null && !table.name().isEmpty()) {
            out.append("<caption>").append(escape(table.name())).append("</caption>");
        }
        out.append("<thead><tr>");
        for (String name : table.columnNames()) {
            out.append("<th>").append(escape(name)).append("</th>");
        }
        out.append("</tr></thead><tbody>");
        int rows = Math.min(maxRows, table.rowCount());
        for (int r = 0; r < rows; r++) {
            out.append("<tr>");
            for (int c = 0; c < table.columnCount(); c++) {
                out.append("<td>").append(escape(table.getString(r, c))).append("</td>");
            }
            out.append("</tr>");
        }
        out.append("</tbody></table>");
        if (table.rowCount() > rows) {
            out.append("<p>… ").append(table.rowCount() - rows).append(" more rows</p>");
        }
        return out.toString();
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }
}
