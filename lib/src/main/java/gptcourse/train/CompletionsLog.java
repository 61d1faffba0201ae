package gptcourse.train;

import java.util.List;

import gptcourse.sample.SamplingArgs;
import gptcourse.sample.TransformerSampler;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The optional exercise's completions table: every so often, sample each prompt and add a row
 * (epoch, step, one completion per prompt), so you can read how the model's text improves.
 *
 * <pre>{@code
 * var completions = new CompletionsLog(trainer.sampler, CompletionsLog.PROMPTS, 16, 0.7, 0.95, 1);
 * completions.log(epoch, step);
 * tracker.logTable("completions", completions.table());
 * }</pre>
 */
public final class CompletionsLog {
    /** The prompts the course samples. */
    public static final List<String> PROMPTS = List.of("Once upon a time", "One day, a little girl named Lily",
            "The dog was very");

    private final TransformerSampler sampler;
    private final List<String> prompts;
    private final int maxTokens;
    private final double temperature;
    private final double topP;
    private final long seed;
    private final Table table;

    /**
     * @param maxTokens   tokens generated per completion (the tutorial: 16)
     * @param temperature sampling temperature (0.7)
     * @param topP        nucleus threshold (0.95)
     * @param seed        the sampling seed (each row uses seed + step, so rows differ but reruns agree)
     */
    public CompletionsLog(TransformerSampler sampler, List<String> prompts, int maxTokens, double temperature,
            double topP, long seed) {
        if (prompts == null || prompts.isEmpty()) {
            throw new IllegalArgumentException("the completions log needs at least one prompt");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
        }
        this.sampler = sampler;
        this.prompts = List.copyOf(prompts);
        this.maxTokens = maxTokens;
        this.temperature = temperature;
        this.topP = topP;
        this.seed = seed;
        this.table = Table.create("completions", IntColumn.create("epoch"), IntColumn.create("step"));
        for (int i = 0; i < prompts.size(); i++) {
            table.addColumns(StringColumn.create(columnName(i)));
        }
    }

    /** The tutorial's settings: the course prompts, 16 tokens, temperature 0.7, top-p 0.95. */
    public static CompletionsLog tutorialDefaults(TransformerSampler sampler, long seed) {
        return new CompletionsLog(sampler, PROMPTS, 16, 0.7, 0.95, seed);
    }

    private String columnName(int i) {
        String p = prompts.get(i);
        String name = p.length() > 40 ? p.substring(0, 40) + "…" : p;
        return table == null || !table.containsColumn(name) ? name : name + " (" + (i + 1) + ")";
    }

    /** Samples every prompt and adds a row; returns the completions. */
    public List<String> log(int epoch, int step) {
        List<String> texts = prompts.stream()
                .map(p -> sampler.sample(p, maxTokens, SamplingArgs.temperature(temperature), SamplingArgs.topP(topP),
                        SamplingArgs.seed(seed + step))).toList();
        table.intColumn("epoch").append(epoch);
        table.intColumn("step").append(step);
        for (int i = 0; i < texts.size(); i++) {
            table.stringColumn(2 + i).append(texts.get(i));
        }
        return texts;
    }

    /**
     * Continues a table saved earlier (reloaded by {@link RunTracker#resume}): its rows come first,
     * so after a resume the table holds every row once.
     *
     * @throws IllegalArgumentException if it has other columns than this log's
     */
    public CompletionsLog restore(Table saved) {
        if (saved == null) {
            return this;
        }
        if (!saved.columnNames().equals(table.columnNames())) {
            throw new IllegalArgumentException("the saved completions have the columns " + saved.columnNames()
                    + ", this log has " + table.columnNames());
        }
        for (int r = 0; r < saved.rowCount(); r++) {
            table.intColumn("epoch").append(Integer.parseInt(saved.getString(r, "epoch").trim()));
            table.intColumn("step").append(Integer.parseInt(saved.getString(r, "step").trim()));
            for (int i = 0; i < prompts.size(); i++) {
                table.stringColumn(2 + i).append(saved.getString(r, 2 + i));
            }
        }
        return this;
    }

    /** The rows so far. */
    public Table table() {
        return table;
    }
}
