package gptcourse.analysis;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;

/**
 * The loss curve with the three baselines of the tutorial's "note on this loss curve" drawn as
 * labelled horizontal lines (uniform {@code ln d_vocab}, unigram entropy, bigram entropy), so the
 * plateaus are visible at a glance; accuracy, when logged, on a right-hand axis.
 *
 * <pre>{@code
 * XYChart chart = LossCurveChart.of(tracker.metrics(), LossBaselines.compute(split.train()), "my run");
 * }</pre>
 */
public final class LossCurveChart {
    /** The metric drawn as the loss curve. */
    public static final String LOSS = "train_loss";
    /** The metric drawn on the right-hand axis. */
    public static final String ACCURACY = "accuracy";

    /** Tick label patterns: steps, losses (left axis), accuracy (right axis). */
    static final String STEP_PATTERN = "#,##0.#";
    static final String LOSS_PATTERN = "0.0#";
    static final String ACCURACY_PATTERN = "0.0##";

    private static final Color[] BASELINE_COLORS = {new Color(150, 150, 150), new Color(214, 120, 40),
            new Color(40, 140, 60)};

    private LossCurveChart() {
    }

    /**
     * @param metrics   a {@code step} column and metric columns (as {@code RunTracker.metrics()})
     * @param baselines lines to draw, or null for none
     * @param title     the chart's title
     */
    public static XYChart of(Table metrics, LossBaselines.Baselines baselines, String title) {
        XYChart chart = newChart(title);
        double[][] loss = points(metrics, LOSS);
        double minStep = loss[0].length > 0 ? loss[0][0] : 0;
        double maxStep = loss[0].length > 0 ? loss[0][loss[0].length - 1] : 1;
        if (loss[0].length > 0) {
            XYSeries s = chart.addSeries("train loss", loss[0], loss[1]);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(new Color(31, 119, 180));
        }
        if (baselines != null) {
            double[] xs = maxStep > minStep ? new double[] {minStep, maxStep} : new double[] {minStep, minStep + 1};
            addLine(chart, String.format(Locale.ROOT, "uniform ln(d_vocab) = %.3f", baselines.uniform()), xs,
                    baselines.uniform(), BASELINE_COLORS[0]);
            addLine(chart, String.format(Locale.ROOT, "unigram entropy = %.3f", baselines.unigram()), xs,
                    baselines.unigram(), BASELINE_COLORS[1]);
            addLine(chart, String.format(Locale.ROOT, "bigram entropy = %.3f", baselines.bigram()), xs,
                    baselines.bigram(), BASELINE_COLORS[2]);
        }
        double[][] acc = points(metrics, ACCURACY);
        if (acc[0].length > 0) {
            XYSeries s = chart.addSeries("accuracy (right axis)", acc[0], acc[1]);
            s.setYAxisGroup(1);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineColor(new Color(200, 60, 60));
            s.setMarkerColor(new Color(200, 60, 60));
            chart.setYAxisGroupTitle(1, "accuracy");
            chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
            // a fixed range from 0: one accuracy point alone made a zero-width axis whose only tick read
            // ".064116985376828"
            double top = 0;
            for (double a : acc[1]) {
                top = Math.max(top, a);
            }
            chart.getStyler().setYAxisMin(1, 0.0);
            chart.getStyler().setYAxisMax(1, Math.min(1.0, Math.max(0.1, Math.ceil(top * 10 + 1e-9) / 10)));
        }
        if (chart.getSeriesMap().isEmpty()) {
            // XChart cannot draw a chart without series: show an empty curve until the first step
            chart.addSeries("train loss (no steps yet)", new double[] {0}, new double[] {0}).setMarker(SeriesMarkers.NONE);
        }
        fitStepAxis(chart);
        return chart;
    }

    /** A loss curve from a list of losses (step 1, 2, …), with the baselines if not null. */
    public static XYChart of(List<Double> losses, LossBaselines.Baselines baselines, String title) {
        Table t = Table.create("losses");
        tech.tablesaw.api.LongColumn steps = tech.tablesaw.api.LongColumn.create("step");
        tech.tablesaw.api.DoubleColumn values = tech.tablesaw.api.DoubleColumn.create(LOSS);
        for (int i = 0; i < losses.size(); i++) {
            steps.append(i + 1);
            values.append(losses.get(i));
        }
        return of(t.addColumns(steps, values), baselines, title);
    }

    /** One chart with {@code metric} of every named run. */
    public static XYChart compare(Map<String, Table> runs, String metric) {
        XYChart chart = newChart("comparison of " + runs.size() + " runs: " + metric);
        runs.forEach((name, table) -> {
            double[][] p = points(table, metric);
            if (p[0].length > 0) {
                chart.addSeries(name, p[0], p[1]).setMarker(SeriesMarkers.NONE);
            }
        });
        if (chart.getSeriesMap().isEmpty()) {
            throw new IllegalArgumentException("none of the runs " + runs.keySet() + " logged " + metric);
        }
        fitStepAxis(chart);
        return chart;
    }

    private static XYChart newChart(String title) {
        XYChart chart = new XYChartBuilder().width(800).height(450).title(title).xAxisTitle("step")
                .yAxisTitle("loss (nats)").build();
        // beside the plot, one name a line: inside it, the legend hid the end of a falling loss curve, and
        // as one row under it, the five names were wider than the image and both ends were cut off
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        // tick labels with a leading zero and a few decimals (XChart's default pattern drops the zero)
        chart.getStyler().setLocale(Locale.ROOT);
        chart.getStyler().setXAxisDecimalPattern(STEP_PATTERN);
        chart.getStyler().setYAxisDecimalPattern(LOSS_PATTERN);
        chart.getStyler().putYAxisGroupDecimalPatternMap(1, ACCURACY_PATTERN);
        return chart;
    }

    /**
     * The step axis from 0 (when the run starts there) to half a step past the last step. XChart labels an
     * axis whose values are all equally spaced (a step every step, from the axis's start to its end) at data
     * points only, as close as the labels fit: 240 steps got a label every 10 from step 1, touching
     * ("91101111121…"). Ending the axis half a step past the last step breaks that spacing, so it picks
     * round ticks (0, 50, 100, …) instead.
     */
    private static void fitStepAxis(XYChart chart) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (XYSeries s : chart.getSeriesMap().values()) {
            for (double x : s.getXData()) {
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
        }
        if (!(max > min)) {
            return;
        }
        if (min <= 1) {
            chart.getStyler().setXAxisMin(0.0);
        }
        chart.getStyler().setXAxisMax(max + 0.5);
    }

    private static void addLine(XYChart chart, String name, double[] xs, double y, Color color) {
        XYSeries s = chart.addSeries(name, xs, new double[] {y, y});
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    }

    /** {x = step, y = value} for the rows where {@code metric} is a number. */
    private static double[][] points(Table metrics, String metric) {
        if (!metrics.containsColumn(metric) || !metrics.containsColumn("step")) {
            return new double[][] {{}, {}};
        }
        NumericColumn<?> steps = metrics.numberColumn("step");
        NumericColumn<?> values = metrics.numberColumn(metric);
        List<double[]> pts = new ArrayList<>();
        for (int r = 0; r < metrics.rowCount(); r++) {
            double v = values.isMissing(r) ? Double.NaN : values.getDouble(r);
            if (!Double.isNaN(v) && !Double.isInfinite(v)) {
                pts.add(new double[] {steps.getDouble(r), v});
            }
        }
        double[] x = new double[pts.size()];
        double[] y = new double[pts.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = pts.get(i)[0];
            y[i] = pts.get(i)[1];
        }
        return new double[][] {x, y};
    }
}
