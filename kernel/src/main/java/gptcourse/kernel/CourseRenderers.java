package gptcourse.kernel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

import io.github.spencerpark.jupyter.kernel.display.RenderContext;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.tablesaw.api.Table;

/**
 * How the course's objects look in a notebook: XChart charts as PNG (SVG on request), Tablesaw
 * tables as HTML with a text fallback, ND4J arrays and the course's autograd {@code Tensor} as
 * shape + values. {@code BufferedImage} (PNG) comes with the base library.
 */
final class CourseRenderers {
    private static final Logger LOG = LoggerFactory.getLogger(CourseRenderers.class);
    /** The lead's autograd tensor; registered only if it is on the classpath. */
    static final String TENSOR_CLASS = "gptcourse.autograd.Tensor";
    /** Tables longer than this show their first and last rows. */
    static final int TABLE_MAX_ROWS = 20;
    /** Arrays with more elements than this are summarised. */
    static final long ARRAY_MAX_ELEMENTS = 1000;

    private CourseRenderers() {
    }

    static void registerAll(Renderer renderer) {
        renderer.createRegistration(Chart.class)
                .preferring(MIMEType.IMAGE_PNG)
                .supporting(MIMEType.IMAGE_SVG)
                .register(CourseRenderers::renderChart);
        renderer.createRegistration(Table.class)
                .preferring(MIMEType.TEXT_HTML)
                .register(CourseRenderers::renderTable);
        renderer.createRegistration(INDArray.class)
                .preferring(MIMEType.TEXT_PLAIN)
                .register((arr, ctx) -> ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> describeArray("INDArray", arr)));
        registerTensor(renderer, TENSOR_CLASS);
    }

    /**
     * Registers the Tensor renderer by class name, so the kernel builds before the class exists.
     *
     * @param className a class with {@code long[] shape()} and {@code INDArray data()}
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static void registerTensor(Renderer renderer, String className) {
        Class tensor;
        try {
            tensor = Class.forName(className, false, CourseRenderers.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            LOG.debug("{} is not on the classpath; no Tensor renderer", className);
            return;
        }
        Method shape;
        Method data;
        try {
            shape = tensor.getMethod("shape");
            data = tensor.getMethod("data");
        } catch (NoSuchMethodException e) {
            LOG.warn("{} has no shape()/data(); it is shown with toString()", className);
            return;
        }
        renderer.createRegistration(tensor)
                .preferring(MIMEType.TEXT_PLAIN)
                .register((t, ctx) -> ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> describeTensor(t, shape, data)));
    }

    private static String describeTensor(Object t, Method shape, Method data) {
        try {
            Object d = data.invoke(t);
            if (d instanceof INDArray arr) return describeArray("Tensor", arr);
            return "Tensor " + Arrays.toString((long[]) shape.invoke(t));
        } catch (ReflectiveOperationException e) {
            return String.valueOf(t);
        }
    }

    /** Shape, type and values; big arrays show their statistics and a few values. */
    static String describeArray(String kind, INDArray arr) {
        StringBuilder out = new StringBuilder();
        out.append(kind).append(' ').append(arr.dataType().toString().toLowerCase(java.util.Locale.ROOT))
                .append(' ').append(Arrays.toString(arr.shape()));
        if (arr.isEmpty()) return out.append(" (empty)").toString();
        if (arr.length() > ARRAY_MAX_ELEMENTS && arr.dataType().isFPType()) {
            out.append(String.format(java.util.Locale.ROOT, "  min %.4g  mean %.4g  max %.4g",
                    arr.minNumber().doubleValue(), arr.meanNumber().doubleValue(), arr.maxNumber().doubleValue()));
        }
        out.append('\n').append(arr.toString(ARRAY_MAX_ELEMENTS, false, 4));
        return out.toString();
    }

    private static void renderChart(Chart<?, ?> chart, RenderContext ctx) {
        ctx.renderIfRequested(MIMEType.IMAGE_PNG, () -> {
            try {
                return Base64.getEncoder().encodeToString(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        ctx.renderIfRequested(MIMEType.IMAGE_SVG, () -> {
            ByteArrayOutputStream svg = new ByteArrayOutputStream();
            try {
                VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return svg.toString(StandardCharsets.UTF_8);
        });
        ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> chart.getClass().getSimpleName() + " \"" + chart.getTitle()
                + "\" (" + chart.getWidth() + "x" + chart.getHeight() + ")");
    }

    private static void renderTable(Table table, RenderContext ctx) {
        ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> tableHtml(table));
        ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> table.print(TABLE_MAX_ROWS));
    }

    /** An HTML table; long tables keep their first and last rows with a "… n more rows …" row between. */
    static String tableHtml(Table table) {
        int rows = table.rowCount();
        int cols = table.columnCount();
        StringBuilder html = new StringBuilder("<div class=\"gptcourse-table\">");
        if (table.name() != null && !table.name().isBlank()) {
            html.append("<p><b>").append(escape(table.name())).append("</b></p>");
        }
        html.append("<table border=\"1\" class=\"dataframe\"><thead><tr><th></th>");
        for (String name : table.columnNames()) html.append("<th>").append(escape(name)).append("</th>");
        html.append("</tr></thead><tbody>");
        int head = rows > TABLE_MAX_ROWS ? TABLE_MAX_ROWS / 2 : rows;
        int tailStart = rows > TABLE_MAX_ROWS ? rows - TABLE_MAX_ROWS / 2 : rows;
        for (int r = 0; r < rows; r++) {
            if (r == head && r < tailStart) {
                html.append("<tr><td colspan=\"").append(cols + 1).append("\">… ").append(tailStart - head)
                        .append(" more rows …</td></tr>");
                r = tailStart - 1;
                continue;
            }
            html.append("<tr><th>").append(r).append("</th>");
            for (int c = 0; c < cols; c++) html.append("<td>").append(escape(table.getString(r, c))).append("</td>");
            html.append("</tr>");
        }
        html.append("</tbody></table><p>").append(rows).append(" rows × ").append(cols).append(" columns</p></div>");
        return html.toString();
    }

    static String escape(String s) {
        if (s == null) return "";
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
