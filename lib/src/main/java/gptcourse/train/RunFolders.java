package gptcourse.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import gptcourse.analysis.LossCurveChart;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * Reads run folders written by {@link RunTracker}: their metrics, and a chart comparing the loss
 * curves of several runs, e.g. {@code RunFolders.compare(Path.of("runs/day1-demotransformer"))}.
 */
public final class RunFolders {
    private RunFolders() {
    }

    /** A run's {@code metrics.csv}: a {@code step} column and one double column per metric. */
    public static Table readMetrics(Path metricsCsv) {
        if (!Files.isRegularFile(metricsCsv)) {
            throw new IllegalArgumentException("no metrics file at " + metricsCsv);
        }
        try {
            String firstLine;
            try (var reader = Files.newBufferedReader(metricsCsv)) {
                firstLine = reader.readLine();
            }
            if (firstLine == null) {
                throw new IOException("it is empty");
            }
            List<String> header = List.of(firstLine.split(","));
            ColumnType[] types = new ColumnType[header.size()];
            for (int i = 0; i < types.length; i++) {
                types[i] = header.get(i).equals("step") ? ColumnType.LONG : ColumnType.DOUBLE;
            }
            return Table.read().usingOptions(CsvReadOptions.builder(metricsCsv.toFile()).columnTypes(types)
                    .missingValueIndicator("", "NaN").tableName(metricsCsv.getParent().getFileName().toString()));
        } catch (IOException e) {
            throw new IllegalArgumentException("could not read the metrics file " + metricsCsv + ": " + e, e);
        }
    }

    /** The run folders (those with a metrics.csv) in a project folder, by name. */
    public static List<Path> runs(Path projectDir) {
        if (!Files.isDirectory(projectDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(projectDir)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("metrics.csv"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not list the runs in " + projectDir, e);
        }
    }

    /**
     * One chart with the {@code train_loss} curve of every run given: run folders, or project
     * folders (all their runs).
     */
    public static XYChart compare(Path... runOrProjectDirs) {
        Map<String, Table> curves = new LinkedHashMap<>();
        for (Path p : runOrProjectDirs) {
            List<Path> runs = Files.isRegularFile(p.resolve("metrics.csv")) ? List.of(p) : runs(p);
            if (runs.isEmpty()) {
                throw new IllegalArgumentException(p + " is neither a run folder (with metrics.csv) nor a project"
                        + " folder holding runs");
            }
            for (Path run : runs) {
                curves.put(run.getParent().getFileName() + "/" + run.getFileName(), readMetrics(run.resolve("metrics.csv")));
            }
        }
        return LossCurveChart.compare(curves, "train_loss");
    }

    /** The names of the runs {@link #compare} would draw. */
    public static List<String> names(Path projectDir) {
        List<String> out = new ArrayList<>();
        runs(projectDir).forEach(r -> out.add(r.getFileName().toString()));
        return out;
    }
}
