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
}
