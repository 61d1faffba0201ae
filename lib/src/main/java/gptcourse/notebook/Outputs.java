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

    /**
     * A table as HTML (and as text), showing at most {@code maxRows} rows; decimal numbers are shown
     * rounded ({@link #number(double)}), not with every digit of the double.
     */
    public static DisplayDataRenderable table(Table source, int maxRows) {
        Table table = rounded(source);
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

    /**
     * How tables show a decimal number: up to four decimals ({@code 10.8251}, {@code 0.0641}, {@code 3}),
     * scientific below 0.001 ({@code 3E-4}) so small values never show as 0.
     */
    public static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        if (v != 0 && Math.abs(v) < 1e-3) {
            return new java.text.DecimalFormat("0.###E0", java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT))
                    .format(v);
        }
        return new java.text.DecimalFormat("#,##0.####", java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT))
                .format(v);
    }

    /** A copy whose decimal columns print {@link #number}. */
    static Table rounded(Table source) {
        Table table = source.copy();
        table.setName(source.name());
        for (tech.tablesaw.columns.Column<?> column : table.columns()) {
            if (column instanceof tech.tablesaw.api.DoubleColumn d) {
                d.setPrintFormatter(new tech.tablesaw.columns.numbers.NumberColumnFormatter(ROUNDED));
            } else if (column instanceof tech.tablesaw.api.FloatColumn f) {
                f.setPrintFormatter(new tech.tablesaw.columns.numbers.NumberColumnFormatter(ROUNDED));
            }
        }
        return table;
    }

    /** {@link #number(double)} as a {@link java.text.NumberFormat}, for tablesaw's column formatters. */
    private static final java.text.NumberFormat ROUNDED = new java.text.NumberFormat() {
        @Override
        public StringBuffer format(double number, StringBuffer out, java.text.FieldPosition pos) {
            return out.append(number(number));
        }

        @Override
        public StringBuffer format(long number, StringBuffer out, java.text.FieldPosition pos) {
            return out.append(number);
        }

        @Override
        public Number parse(String source, java.text.ParsePosition pos) {
            throw new UnsupportedOperationException("display only");
        }
    };

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
        Table shown = rounded(table.rowCount() > rows ? table.first(rows) : table);
        for (int r = 0; r < rows; r++) {
            out.append("<tr>");
            for (int c = 0; c < table.columnCount(); c++) {
                out.append("<td>").append(escape(shown.getString(r, c))).append("</td>");
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
