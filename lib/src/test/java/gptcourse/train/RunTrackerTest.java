package gptcourse.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import gptcourse.analysis.LossBaselines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class RunTrackerTest {

    @Test
    void aRunIsAFolderWithConfigMetricsTablesAndSummary(@TempDir Path runs) throws Exception {
        RunTracker tracker = new RunTracker(runs);
        tracker.init("proj", "first", Map.of("lr", 0.001), Map.of("seed", 1));
        for (int step = 1; step <= 20; step++) {
            tracker.log(Map.of("train_loss", 10.0 - step * 0.2), step);
        }
        tracker.log(Map.of("accuracy", 0.25), 20);
        tracker.setBaselines(new LossBaselines.Baselines(10.825, 7.5, 4.2));
        Table completions = Table.create("completions", IntColumn.create("step", new int[] {10}),
                StringColumn.create("Once upon a time", new String[] {"Once upon a time there"}));
        tracker.logTable("completions", completions);
        tracker.finish();

        Path dir = runs.resolve("proj/first");
        assertEquals(dir, tracker.dir());
        String config = Files.readString(dir.resolve("config.json"));
        assertTrue(config.contains("\"lr\": 0.001") && config.contains("\"seed\": 1") && config.contains("\"name\": \"first\""),
                config);
        Table metrics = RunFolders.readMetrics(dir.resolve("metrics.csv"));
        assertEquals(20, metrics.rowCount());
        assertEquals(List.of("step", "train_loss", "accuracy"), metrics.columnNames());
        assertEquals(6.0, metrics.doubleColumn("train_loss").getDouble(19), 1e-9);
        assertEquals(0.25, metrics.doubleColumn("accuracy").getDouble(19), 1e-9);
        assertTrue(Files.readString(dir.resolve("completions.csv")).contains("Once upon a time there"));
        String summary = Files.readString(dir.resolve("summary.json"));
        assertTrue(summary.contains("\"train_loss\": 6.0") && summary.contains("\"_step\": 20"), summary);
        BufferedImage png = ImageIO.read(dir.resolve("loss.png").toFile());
        assertEquals(800, png.getWidth());
        String report = Files.readString(dir.resolve("report.html"));
        assertTrue(report.contains("data:image/png;base64,") && report.contains("Once upon a time there"));
        try (var s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.toString().endsWith(".tmp")), "no temporary files are left");
        }
    }

    @Test
    void namesAreCheckedAndNeverOverwriteARun(@TempDir Path runs) {
        new RunTracker(runs).init("proj", "taken", Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RunTracker(runs).init("proj", "taken", Map.of()));
        assertTrue(e.getMessage().contains("exists already"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RunTracker(runs).init("../up", null, Map.of()));
        assertTrue(e.getMessage().contains("\"../up\""), e.getMessage());
        RunTracker auto = new RunTracker(runs).init("proj", null, Map.of());
        assertTrue(auto.name().startsWith("run-"), auto.name());
        RunTracker second = new RunTracker(runs).init("proj", null, Map.of());
        assertFalse(second.name().equals(auto.name()), "automatic names are unique");
    }

    @Test
    void resumeDropsStepsAfterTheCheckpointAndKeepsTheRest(@TempDir Path runs) {
        RunTracker first = new RunTracker(runs).init("proj", "r", Map.of());
        for (int step = 1; step <= 30; step++) {
            first.log(Map.of("train_loss", (double) step), step);
        }
        first.finish();
        RunTracker resumed = new RunTracker(runs).resume("proj", "r", 20);
        assertEquals(20, resumed.values("train_loss").size());
        resumed.log(Map.of("train_loss", 99.0), 21);
        resumed.finish();
        Table metrics = RunFolders.readMetrics(runs.resolve("proj/r/metrics.csv"));
        assertEquals(21, metrics.rowCount());
        assertEquals(99.0, metrics.doubleColumn("train_loss").getDouble(20));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RunTracker(runs).resume("proj", "missing", 3));
        assertTrue(e.getMessage().contains("no run to resume"), e.getMessage());
    }

    @Test
    void aSecondRunOfTheSameTrackerHoldsOnlyItsOwnMetricsAndTables(@TempDir Path runs) {
        RunTracker tracker = new RunTracker(runs).init("proj", "one", Map.of());
        tracker.log(Map.of("train_loss", 1.0, "extra", 5.0), 1);
        tracker.logTable("completions", Table.create("completions", IntColumn.create("step", new int[] {1})));
        tracker.finish();
        tracker.init("proj", "two", Map.of());
        tracker.log(Map.of("train_loss", 2.0), 2);
        tracker.finish();
        Table metrics = RunFolders.readMetrics(runs.resolve("proj/two/metrics.csv"));
        assertEquals(List.of("step", "train_loss"), metrics.columnNames());
        assertEquals(1, metrics.rowCount());
        assertEquals(2L, metrics.longColumn("step").get(0));
        assertFalse(Files.exists(runs.resolve("proj/two/completions.csv")), "the first run's table stays with it");
    }

    @Test
    void logBeforeInitStaysInMemoryAndBadMetricsAreRefused(@TempDir Path runs) throws Exception {
        RunTracker tracker = new RunTracker(runs);
        tracker.log(Map.of("train_loss", 3.0), 1);
        assertEquals(List.of(3.0), tracker.values("train_loss"));
        try (var s = Files.list(runs)) {
            assertEquals(0, s.count(), "nothing is written before init");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tracker.log(Map.of("step", 1), 1));
        assertTrue(e.getMessage().contains("\"step\""), e.getMessage());
    }

    @Test
    void comparesTheLossCurvesOfSeveralRuns(@TempDir Path runs) {
        for (String name : List.of("a", "b")) {
            RunTracker t = new RunTracker(runs).init("proj", name, Map.of());
            for (int step = 1; step <= 5; step++) {
                t.log(Map.of("train_loss", name.equals("a") ? 5.0 - step : 6.0 - step), step);
            }
            t.finish();
        }
        XYChart chart = RunFolders.compare(runs.resolve("proj"));
        assertEquals(List.of("proj/a", "proj/b"), List.copyOf(chart.getSeriesMap().keySet()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunFolders.compare(runs.resolve("none")));
        assertTrue(e.getMessage().contains("neither a run folder"), e.getMessage());
    }
}
