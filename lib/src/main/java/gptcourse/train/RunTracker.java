package gptcourse.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import gptcourse.analysis.LossBaselines;
import gptcourse.analysis.LossCurveChart;
import gptcourse.io.AtomicFiles;
import gptcourse.notebook.Notebook;
import gptcourse.notebook.Outputs;
import org.knowm.xchart.XYChart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

/**
 * The tutorial's Weights &amp; Biases calls, kept on this machine: {@code init(project, name,
 * config)}, {@code log(metrics, step)}, {@code finish()}. A run is a folder {@code
 * runs/<project>/<name>/} with {@code config.json} (config and provenance), {@code metrics.csv}
 * (one row per step), {@code completions.csv} (tables logged with {@link #logTable}) and, after
 * {@code finish()}, {@code summary.json}, {@code loss.png} and {@code report.html}.
 *
 * <p>In a notebook, {@code init} shows a loss/accuracy chart that {@code log} redraws in place
 * (at most every {@value #REDRAW_MILLIS} ms) and {@code finish} leaves it final with a summary
 * table under it. Outside a notebook {@code finish} prints the paths of the chart and report.
 * Metrics logged before {@code init} are kept in memory only; each run (a new {@code init} or
 * {@code resume}) starts from its own metrics and tables.
 *
 * <p>Durability: {@link #flush} writes {@code metrics.csv} and the tables (the trainer calls it
 * before each checkpoint), so after a crash they hold every row up to the last checkpoint; {@link
 * #resume} drops the rows logged after it and reloads the tables. A failed write is an {@link
 * java.io.UncheckedIOException} whose message names the file and the cause.
 */
public final class RunTracker {
    private static final Logger LOG = LoggerFactory.getLogger(RunTracker.class);
    static final long REDRAW_MILLIS = 1500;
    private static final long SAVE_MILLIS = 10_000;
    private static final java.util.regex.Pattern FOLDER_NAME =
            java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final DateTimeFormatter AUTO_NAME = DateTimeFormatter.ofPattern("'run-'yyyyMMdd-HHmmss");

    private final Path runsDir;
    private final TreeMap<Long, Map<String, Double>> history = new TreeMap<>();
    private final Set<String> metricNames = new LinkedHashSet<>();
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private final Map<String, String> tableDisplays = new LinkedHashMap<>();
    private String project;
    private String name;
    private Path dir;
    private Instant started;
    private LossBaselines.Baselines baselines;
    private String chartDisplay;
    private long lastRedraw;
    private long lastSave;
    private boolean finished;

    /** Runs go under {@link #defaultRunsDir()}. */
    public RunTracker() {
        this(defaultRunsDir());
    }

    /** Runs go under {@code runsDir}. */
    public RunTracker(Path runsDir) {
        this.runsDir = runsDir;
    }

    /**
     * {@code runs/} in the working directory, or the system property {@code gptcourse.runsDir}, or
     * the environment variable {@code GPTCOURSE_RUNS_DIR}, when set.
     */
    public static Path defaultRunsDir() {
        String prop = System.getProperty("gptcourse.runsDir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("GPTCOURSE_RUNS_DIR");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of("runs");
    }

    /**
     * Starts a new run in {@code runs/<project>/<name>/}.
     *
     * @param name the run's name, or null for one made from the time ({@code run-20261127-221500})
     * @param config what the run was started with (the training args); written to config.json
     * @throws IllegalArgumentException if a run of that name exists already (resume it instead)
     */
    public RunTracker init(String project, String name, Map<String, ?> config) {
        return init(project, name, config, Map.of());
    }

    /** As {@link #init(String, String, Map)}, recording {@code provenance} (model, data, versions) too. */
    public RunTracker init(String project, String name, Map<String, ?> config, Map<String, ?> provenance) {
        Path projectDir = runsDir.resolve(checkName("project", project));
        String runName = name != null ? checkName("name", name) : freeName(projectDir);
        Path runDir = projectDir.resolve(runName);
        if (Files.exists(runDir)) {
            throw new IllegalArgumentException("a run named \"" + runName + "\" exists already in " + projectDir
                    + ": choose another name, or resume its checkpoint");
        }
        start(project, runName, runDir);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("project", project);
        doc.put("name", runName);
        doc.put("created", started.toString());
        doc.put("config", config);
        doc.put("provenance", provenance);
        writeAtomically(dir.resolve("config.json"), Json.GSON.toJson(doc));
        return this;
    }

    /**
     * Continues the run in {@code runs/<project>/<name>/} from {@code step}: its metrics after that
     * step (logged after the checkpoint was saved) are dropped, so the curve continues as if
     * uninterrupted.
     */
    public RunTracker resume(String project, String name, long step) {
        Path runDir = runsDir.resolve(checkName("project", project)).resolve(checkName("name", name));
        if (!Files.isRegularFile(runDir.resolve("config.json"))) {
            throw new IllegalArgumentException("no run to resume at " + runDir + " (it has no config.json)");
        }
        start(project, name, runDir);
        loadTables(step);
        Path csv = dir.resolve("metrics.csv");
        if (Files.exists(csv)) {
            Table old = RunFolders.readMetrics(csv);
            for (int r = 0; r < old.rowCount(); r++) {
                long s = old.longColumn("step").get(r);
                if (s > step) {
                    continue;
                }
                for (String col : old.columnNames()) {
                    if (!col.equals("step")) {
                        double v = old.doubleColumn(col).getDouble(r);
                        if (!Double.isNaN(v)) {
                            metricNames.add(col);
                            history.computeIfAbsent(s, k -> new LinkedHashMap<>()).put(col, v);
                        }
                    }
                }
            }
        }
        flush();
        return this;
    }

    /** Reloads the run's tables ({@code <key>.csv}), without the rows logged after {@code step}. */
    private void loadTables(long step) {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path csv : files.filter(p -> p.getFileName().toString().endsWith(".csv")).sorted().toList()) {
                String key = csv.getFileName().toString().replaceAll("\\.csv$", "");
                if (key.equals("metrics") || !isFolderName(key)) {
                    continue;
                }
                Table t = Table.read().usingOptions(tech.tablesaw.io.csv.CsvReadOptions.builder(csv.toFile())
                        .columnTypes(c -> tech.tablesaw.api.ColumnType.STRING).tableName(key));
                if (t.columnNames().contains("step")) {
                    tech.tablesaw.api.StringColumn steps = t.stringColumn("step");
                    t = t.where(steps.eval(v -> {
                        try {
                            return Long.parseLong(v.trim()) <= step;
                        } catch (NumberFormatException e) {
                            return false;
                        }
                    }));
                }
                tables.put(key, t);
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("could not reload the tables of the run " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A table logged with {@link #logTable} (or reloaded by {@link #resume}), or null. */
    public synchronized Table table(String key) {
        return tables.get(key);
    }

    private void start(String project, String runName, Path runDir) {
        if (dir != null && !finished) {
            finish();
        }
        try {
            Files.createDirectories(runDir);
            if (!Files.isWritable(runDir)) {
                throw new java.nio.file.AccessDeniedException(runDir.toString());
            }
        } catch (IOException e) {
            throw AtomicFiles.failure("create the run folder", runDir, e);
        }
        this.project = project;
        this.name = runName;
        this.dir = runDir;
        this.started = Instant.now();
        this.finished = false;
        // a run holds its own metrics and tables only, not those of an earlier run of this tracker
        history.clear();
        metricNames.clear();
        tables.clear();
        this.chartDisplay = Notebook.display(Outputs.chart(chart()));
        this.lastRedraw = System.currentTimeMillis();
        this.lastSave = lastRedraw;
        tableDisplays.clear();
    }

    /** Draws these baselines as labelled lines on the run's loss chart. */
    public RunTracker setBaselines(LossBaselines.Baselines baselines) {
        this.baselines = baselines;
        return this;
    }

    /**
     * Records {@code metrics} (e.g. {@code Map.of("train_loss", 5.1)}) at {@code step}; several
     * calls with the same step merge.
     */
    public synchronized void log(Map<String, ? extends Number> metrics, long step) {
        for (Map.Entry<String, ? extends Number> e : metrics.entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank() || e.getKey().equals("step") || e.getValue() == null) {
                throw new IllegalArgumentException("a metric needs a name other than \"step\" and a value, got "
                        + e.getKey() + "=" + e.getValue());
            }
            metricNames.add(e.getKey());
            history.computeIfAbsent(step, k -> new LinkedHashMap<>()).put(e.getKey(), e.getValue().doubleValue());
        }
        if (metrics.containsKey("train_loss")) {
            FaultPoints.stepLogged.accept(step);
        }
        if (dir == null) {
            return;
        }
        long now = System.currentTimeMillis();
        if (chartDisplay != null && now - lastRedraw >= REDRAW_MILLIS) {
            lastRedraw = now;
            Notebook.update(chartDisplay, Outputs.chart(chart()));
        }
        if (now - lastSave >= SAVE_MILLIS) {
            lastSave = now;
            saveMetrics();
        }
    }

    /** Records a table (e.g. the completions), shown in the notebook and saved as {@code <key>.csv}. */
    public synchronized void logTable(String key, Table table) {
        checkName("table key", key);
        tables.put(key, table);
        if (dir == null) {
            return;
        }
        Object shown = Outputs.table(table, 50);
        if (tableDisplays.containsKey(key)) {
            Notebook.update(tableDisplays.get(key), shown);
        } else {
            String id = Notebook.display(shown);
            if (id != null) {
                tableDisplays.put(key, id);
            }
        }
        writeCsv(table, dir.resolve(key + ".csv"));
    }

    /**
     * Writes {@code metrics.csv} and the tables now (atomically): after this, a crash loses no row
     * logged so far.
     *
     * @throws java.io.UncheckedIOException naming the file and the cause if a write fails
     */
    public synchronized void flush() {
        if (dir == null) {
            return;
        }
        saveMetrics();
        tables.forEach((key, table) -> writeCsv(table, dir.resolve(key + ".csv")));
        lastSave = System.currentTimeMillis();
    }

    /**
     * Ends a run that failed (training stopped by an error): saves the metrics and tables if it
     * can, but writes no summary and does not report the run as finished. A later {@link #resume}
     * continues it.
     */
    public synchronized void abandon() {
        if (dir == null || finished) {
            return;
        }
        finished = true;
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.debug("could not save the failed run's metrics: {}", e.toString());
        }
    }

    /**
     * Ends the run: saves metrics and tables, writes summary.json, loss.png and report.html; in a
     * notebook leaves the final chart and shows a summary table, elsewhere prints the file paths.
     */
    public synchronized void finish() {
        if (dir == null || finished) {
            return;
        }
        flush();
        finished = true;
        Map<String, Object> summary = new LinkedHashMap<>(lastValues());
        summary.put("_step", history.isEmpty() ? 0 : history.lastKey());
        summary.put("_runtime_s", (System.currentTimeMillis() - started.toEpochMilli()) / 1000.0);
        summary.put("_finished", Instant.now().toString());
        writeAtomically(dir.resolve("summary.json"), Json.GSON.toJson(summary));
        XYChart chart = chart();
        byte[] png = Outputs.png(chart);
        writeAtomically(dir.resolve("loss.png"), png);
        writeAtomically(dir.resolve("report.html"), report(png).getBytes(StandardCharsets.UTF_8));
        if (chartDisplay != null) {
            Notebook.update(chartDisplay, Outputs.chart(chart));
            Notebook.display(Outputs.table(summaryTable(), 50));
        } else {
            System.out.println("Run " + project + "/" + name + " finished: " + summaryLine());
            System.out.println("  loss chart: " + dir.resolve("loss.png").toAbsolutePath());
            System.out.println("  report:     " + dir.resolve("report.html").toAbsolutePath());
        }
    }

    /** The run's folder, or null before {@code init}. */
    public Path dir() {
        return dir;
    }

    /** The run's name, or null before {@code init}. */
    public String name() {
        return name;
    }

    /** Every logged metric: a {@code step} column and one column per metric (NaN where not logged). */
    public synchronized Table metrics() {
        Table t = Table.create("metrics");
        LongColumn steps = LongColumn.create("step");
        history.keySet().forEach(steps::append);
        t.addColumns(steps);
        for (String m : metricNames) {
            DoubleColumn col = DoubleColumn.create(m);
            history.values().forEach(row -> col.append(row.getOrDefault(m, Double.NaN)));
            t.addColumns(col);
        }
        return t;
    }

    /**
     * The values of {@code metric} in step order, skipping steps where it was not logged; read-only. Reading
     * past its end (e.g. {@code get(0)} when nothing was logged because a training cell failed) throws an
     * {@link IndexOutOfBoundsException} whose message says so in one line.
     */
    public synchronized List<Double> values(String metric) {
        List<Double> out = new ArrayList<>();
        history.values().forEach(row -> {
            if (row.containsKey(metric)) {
                out.add(row.get(metric));
            }
        });
        return new MetricValues(metric, out, metricNames);
    }

    /** The chart of this run so far: the loss (and accuracy), with the baselines if set. */
    public synchronized XYChart chart() {
        return LossCurveChart.of(metrics(), baselines, name == null ? "training" : project + "/" + name);
    }

    /** The last value of each metric and the step count, one row per metric. */
    public synchronized Table summaryTable() {
        Table t = Table.create("summary of " + (name == null ? "the run" : project + "/" + name));
        tech.tablesaw.api.StringColumn keys = tech.tablesaw.api.StringColumn.create("metric");
        DoubleColumn values = DoubleColumn.create("last value");
        lastValues().forEach((k, v) -> {
            keys.append(k);
            values.append(v);
        });
        return t.addColumns(keys, values);
    }

    private Map<String, Double> lastValues() {
        Map<String, Double> last = new LinkedHashMap<>();
        for (String m : metricNames) {
            List<Double> v = values(m);
            if (!v.isEmpty()) {
                last.put(m, v.get(v.size() - 1));
            }
        }
        return last;
    }

    private String summaryLine() {
        StringBuilder sb = new StringBuilder();
        lastValues().forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ')
                .append(String.format(java.util.Locale.ROOT, "%.4f", v)));
        return sb.append(" after ").append(history.isEmpty() ? 0 : history.lastKey()).append(" steps").toString();
    }

    private String report(byte[] png) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
                .append(project).append('/').append(name).append("</title></head><body><h1>")
                .append(project).append('/').append(name).append("</h1><img alt=\"loss curve\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\">")
                .append(Outputs.html(summaryTable(), 100));
        tables.forEach((key, table) -> html.append("<h2>").append(key).append("</h2>").append(Outputs.html(table, 1000)));
        return html.append("</body></html>").toString();
    }

    private void saveMetrics() {
        if (dir != null) {
            writeCsv(metrics(), dir.resolve("metrics.csv"));
        }
    }

    private static void writeCsv(Table table, Path file) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        table.write().csv(out);
        writeAtomically(file, out.toByteArray());
    }

    private static void writeAtomically(Path file, String text) {
        writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeAtomically(Path file, byte[] bytes) {
        try {
            AtomicFiles.write(file, bytes);
        } catch (IOException e) {
            throw AtomicFiles.failure("write", file, e);
        }
    }

    private static String freeName(Path projectDir) {
        String base = LocalDateTime.now().format(AUTO_NAME);
        String candidate = base;
        for (int i = 2; Files.exists(projectDir.resolve(candidate)); i++) {
            candidate = base + "-" + i;
        }
        return candidate;
    }

    private static String checkName(String what, String value) {
        if (!isFolderName(value)) {
            throw new IllegalArgumentException("the run's " + what + " must be " + FOLDER_NAME_RULE
                    + " (it names a folder), got " + (value == null ? "null" : "\"" + value + "\""));
        }
        return value;
    }

    /** What a project, run or table name may be, in words. */
    static final String FOLDER_NAME_RULE = "1-100 letters, digits, '.', '_' or '-'";

    /** Whether {@code value} can name a folder under runs/ without leaving it (no "..", no separators). */
    static boolean isFolderName(String value) {
        return value != null && FOLDER_NAME.matcher(value).matches() && !value.contains("..");
    }
}
