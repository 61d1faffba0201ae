package gptcourse.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

class LossCurveChartTest {
    static final LossBaselines.Baselines BASELINES = new LossBaselines.Baselines(10.825, 7.251, 4.5);

    @Test
    void drawsTheLossWithTheThreeBaselinesAsLabelledLinesAndAccuracyOnTheRight() {
        Table metrics = Table.create("m", LongColumn.create("step", 1, 2, 3, 4),
                DoubleColumn.create("train_loss", 10.8, 9.0, Double.NaN, 7.0),
                DoubleColumn.create("accuracy", Double.NaN, 0.1, Double.NaN, 0.2));
        XYChart chart = LossCurveChart.of(metrics, BASELINES, "run");
        Map<String, XYSeries> series = chart.getSeriesMap();
        assertEquals(List.of("train loss", "uniform ln(d_vocab) = 10.825", "unigram entropy = 7.251",
                "bigram entropy = 4.500", "accuracy (right axis)"), List.copyOf(series.keySet()));
        XYSeries loss = series.get("train loss");
        assertEquals(3, loss.getXData().length, "steps without a loss are skipped");
        XYSeries unigram = series.get("unigram entropy = 7.251");
        assertEquals(1.0, unigram.getXData()[0]);
        assertEquals(4.0, unigram.getXData()[1], "the baselines span the curve's steps");
        assertEquals(7.251, unigram.getYData()[1]);
        assertEquals(1, series.get("accuracy (right axis)").getYAxisGroup());
    }

    @Test
    void anEmptyRunStillDrawsAndComparingNothingIsAnError() {
        XYChart chart = LossCurveChart.of(List.of(), null, "nothing yet");
        assertEquals(1, chart.getSeriesMap().size());
        assertTrue(gptcourse.notebook.Outputs.png(chart).length > 0);
        Table noLoss = Table.create("m", LongColumn.create("step", 1), DoubleColumn.create("accuracy", 0.1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LossCurveChart.compare(Map.of("a", noLoss), "train_loss"));
        assertTrue(e.getMessage().contains("logged train_loss"), e.getMessage());
    }

    /** The tick labels XChart drew on an axis (0 = loss, 1 = accuracy), read after rendering. */
    @SuppressWarnings("unchecked")
    private static List<String> tickLabels(XYChart chart, int axis) throws ReflectiveOperationException {
        gptcourse.notebook.Outputs.png(chart); // lays the chart out
        java.lang.reflect.Method getYAxis = org.knowm.xchart.internal.chartpart.Chart.class
                .getDeclaredMethod("getYAxis", int.class);
        getYAxis.setAccessible(true);
        var y = (org.knowm.xchart.internal.chartpart.Axis<?, ?>) getYAxis.invoke(chart, axis);
        return y.getAxisTickCalculator().getTickLabels();
    }

    @Test
    void tickLabelsKeepTheirLeadingZeroAndAFewDecimals() throws ReflectiveOperationException {
        // one accuracy point, as after the first epoch: the right axis used to read ".064116985376828"
        Table metrics = Table.create("m", LongColumn.create("step", 1, 2, 3),
                DoubleColumn.create("train_loss", 10.8, 10.1, 9.7),
                DoubleColumn.create("accuracy", Double.NaN, Double.NaN, 0.064116985376828));
        XYChart chart = LossCurveChart.of(metrics, BASELINES, "run");
        List<String> accuracy = tickLabels(chart, 1);
        List<String> loss = tickLabels(chart, 0);
        assertTrue(accuracy.size() >= 2, "a real axis, not one tick: " + accuracy);
        for (String label : accuracy) {
            assertTrue(label.matches("-?\\d\\.\\d{1,3}|-?\\d"), "accuracy tick " + label + " in " + accuracy);
        }
        for (String label : loss) {
            assertTrue(label.matches("\\d+\\.\\d{1,2}"), "loss tick " + label + " in " + loss);
        }
        assertEquals("0.064", new java.text.DecimalFormat(LossCurveChart.ACCURACY_PATTERN,
                java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT)).format(0.064116985376828));
    }

    /** Notebook 03's quick run: 240 steps, an accuracy every 24. */
    static Table quickRun(int steps) {
        LongColumn step = LongColumn.create("step");
        DoubleColumn loss = DoubleColumn.create("train_loss");
        DoubleColumn accuracy = DoubleColumn.create("accuracy");
        for (int i = 1; i <= steps; i++) {
            step.append(i);
            loss.append(10.8 * Math.exp(-i / 60.0) + 2.9);
            accuracy.append(i % 24 == 0 ? 0.3 * i / steps : Double.NaN);
        }
        return Table.create("m", step, loss, accuracy);
    }

    /** A chart part's bounds after rendering ("legend", "plot"), read from XChart's internals. */
    private static java.awt.geom.Rectangle2D bounds(XYChart chart, String part) throws ReflectiveOperationException {
        gptcourse.notebook.Outputs.png(chart); // lays the chart out
        java.lang.reflect.Method getPart = org.knowm.xchart.internal.chartpart.Chart.class
                .getDeclaredMethod("get" + Character.toUpperCase(part.charAt(0)) + part.substring(1));
        getPart.setAccessible(true);
        return ((org.knowm.xchart.internal.chartpart.ChartPart) getPart.invoke(chart)).getBounds();
    }

    @Test
    void theLegendFitsInsideTheImageWithEveryNameWhole() throws ReflectiveOperationException {
        XYChart chart = LossCurveChart.of(quickRun(240), BASELINES, "training loss and the three baselines");
        java.awt.geom.Rectangle2D legend = bounds(chart, "legend");
        assertTrue(legend.getWidth() > 0, "a legend is drawn");
        // the legend used to be one row under the plot, wider than the image: both ends were cut off
        assertTrue(legend.getWidth() < chart.getWidth(), "legend " + legend + " in a " + chart.getWidth() + " px chart");
        assertTrue(legend.getHeight() < chart.getHeight(), "legend " + legend);
        // and the plot keeps most of the width
        assertTrue(bounds(chart, "plot").getWidth() > chart.getWidth() / 2.0, "plot " + bounds(chart, "plot"));
    }

    @Test
    void stepTicksAreRoundNumbersThatDoNotCrowd() throws ReflectiveOperationException {
        for (int steps : new int[] {24, 100, 240, 250, 1000, 5000}) {
            XYChart chart = LossCurveChart.of(quickRun(steps), BASELINES, "run");
            gptcourse.notebook.Outputs.png(chart);
            java.lang.reflect.Method getXAxis = org.knowm.xchart.internal.chartpart.Chart.class.getDeclaredMethod("getXAxis");
            getXAxis.setAccessible(true);
            var x = (org.knowm.xchart.internal.chartpart.Axis<?, ?>) getXAxis.invoke(chart);
            List<String> labels = x.getAxisTickCalculator().getTickLabels();
            // 240 steps used to get a tick every 10 from step 1, labels touching: "91101111121131..."
            assertTrue(labels.size() >= 3 && labels.size() <= 11, steps + " steps: " + labels);
            long first = Long.parseLong(labels.get(0).replace(",", ""));
            long second = Long.parseLong(labels.get(1).replace(",", ""));
            long spacing = second - first;
            long unit = (long) Math.pow(10, Math.floor(Math.log10(spacing)));
            assertTrue(spacing % unit == 0 && java.util.Set.of(1L, 2L, 5L).contains(spacing / unit)
                    && first % spacing == 0, steps + " steps: " + labels);
            double last = Double.parseDouble(labels.get(labels.size() - 1).replace(",", ""));
            assertTrue(last >= steps - spacing, steps + " steps: the axis reaches the last step: " + labels);
        }
    }
}
