package gptcourse.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.oracle.labs.mlrg.olcut.config.ArgumentException;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.Option;
import com.oracle.labs.mlrg.olcut.config.Options;
import com.oracle.labs.mlrg.olcut.config.UsageException;

/**
 * The tutorial's {@code TransformerTrainingArgs}, with its defaults. The fields are public like
 * the dataclass's attributes ({@code args.epochs = 1;}) and are OLCUT options, so the same
 * arguments parse from a command line:
 *
 * <pre>{@code
 * var args = new TransformerTrainingArgs();                           // the tutorial's defaults
 * var quick = TransformerTrainingArgs.parse("--epochs 1 --max-steps-per-epoch 50");
 * }</pre>
 *
 * {@link #validate()} checks every field with a message naming the bad value; the trainer calls it.
 */
public class TransformerTrainingArgs implements Options {

    @Option(longName = "batch-size", usage = "Rows per training batch (default 32).")
    public int batchSize = 32;

    @Option(longName = "epochs", usage = "Passes over the training data (default 10).")
    public int epochs = 10;

    @Option(longName = "max-steps-per-epoch", usage = "Training steps after which an epoch stops early (default 500).")
    public int maxStepsPerEpoch = 500;

    @Option(longName = "lr", usage = "AdamW learning rate (default 1e-3).")
    public double lr = 1e-3;

    @Option(longName = "weight-decay", usage = "AdamW decoupled weight decay (default 1e-2).")
    public double weightDecay = 1e-2;

    @Option(longName = "wandb-project", usage = "Project the run is tracked under: runs/<project>/ (default day1-demotransformer).")
    public String wandbProject = "day1-demotransformer";

    @Option(longName = "wandb-name", usage = "Run name: runs/<project>/<name>/ (default: made from the start time).")
    public String wandbName = null;

    @Option(longName = "seed", usage = "Seed of the data order and of the samples (default 1).")
    public long seed = 1;

    @Option(longName = "log-completions-every", usage = "Sample the prompts every N steps into the completions table; 0 = never (default 0).")
    public int logCompletionsEvery = 0;

    @Option(longName = "checkpoint-every", usage = "Also save a checkpoint every N steps (one is always saved at the end of each epoch); 0 = only then (default 0).")
    public int checkpointEvery = 0;

    @Override
    public String getOptionsDescription() {
        return "Training arguments of the tutorial's TransformerTrainer.";
    }

    /**
     * Parses command-line style arguments over the defaults: either separate words ({@code
     * "--epochs", "1"}) or one string ({@code "--epochs 1 --lr 3e-4"}). {@code --help} gives
     * the usage in the exception's message.
     *
     * @throws IllegalArgumentException for an unknown option or a bad value, naming it
     */
    public static TransformerTrainingArgs parse(String... argv) {
        TransformerTrainingArgs args = new TransformerTrainingArgs();
        parseInto(args, argv);
        return args.validate();
    }

    /** Parses {@code argv} into {@code options} (any OLCUT options object), with the course's error messages. */
    static String[] parseInto(Options options, String... argv) {
        String[] words = split(argv);
        try (ConfigurationManager cm = new ConfigurationManager(words, options, false)) {
            return cm.getUnnamedArguments();
        } catch (UsageException e) {
            throw new IllegalArgumentException(e.getUsage(), e);
        } catch (ArgumentException e) {
            throw new IllegalArgumentException("bad argument " + Arrays.toString(words) + ": " + firstLine(e.getMsg())
                    + " (--help lists the options)", e);
        } catch (RuntimeException e) { // OLCUT's PropertyException for values of the wrong type
            throw new IllegalArgumentException("bad argument " + Arrays.toString(words) + ": "
                    + firstLine(e.getMessage()) + " (--help lists the options)", e);
        }
    }

    /** OLCUT appends the whole usage text to its messages; one line is what the user needs. */
    private static String firstLine(String message) {
        String m = String.valueOf(message).strip();
        int end = m.indexOf('\n');
        return end > 0 ? m.substring(0, end).strip() : m;
    }

    private static String[] split(String... argv) {
        List<String> words = new ArrayList<>();
        for (String a : argv) {
            if (a == null) {
                throw new IllegalArgumentException("an argument is null; pass words such as \"--epochs\", \"1\"");
            }
            if (argv.length == 1) {
                words.addAll(Arrays.asList(a.trim().split("\\s+")));
            } else {
                words.add(a);
            }
        }
        words.removeIf(String::isEmpty);
        return words.toArray(String[]::new);
    }

    /**
     * Checks every field.
     *
     * @return this, for chaining
     * @throws IllegalArgumentException naming the first bad field, its value and what is accepted
     */
    public TransformerTrainingArgs validate() {
        positive("batchSize", batchSize);
        positive("epochs", epochs);
        positive("maxStepsPerEpoch", maxStepsPerEpoch);
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr must be a finite number above 0 (the tutorial uses 1e-3), got " + lr);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay must be a finite number, 0 or above (the tutorial uses 1e-2), got "
                    + weightDecay);
        }
        checkName("wandbProject", wandbProject, false);
        checkName("wandbName", wandbName, true);
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("checkpointEvery must be 0 (only at the end of each epoch) or a number of"
                    + " steps, got " + checkpointEvery);
        }
        if (logCompletionsEvery < 0) {
            throw new IllegalArgumentException("logCompletionsEvery must be 0 (never) or a number of steps, got "
                    + logCompletionsEvery);
        }
        return this;
    }

    private static void positive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + " must be at least 1, got " + value);
        }
    }

    private static void checkName(String field, String value, boolean nullable) {
        if (value == null && nullable) {
            return;
        }
        if (!RunTracker.isFolderName(value)) {
            throw new IllegalArgumentException(field + " must be " + RunTracker.FOLDER_NAME_RULE + " (it names a"
                    + " folder under runs/), got " + (value == null ? "null" : "\"" + value + "\""));
        }
    }

    /** A copy with the same values. */
    public TransformerTrainingArgs copy() {
        return fromMap(toMap());
    }

    /** The fields by their tutorial names (recorded as the run's config). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batch_size", batchSize);
        m.put("epochs", epochs);
        m.put("max_steps_per_epoch", maxStepsPerEpoch);
        m.put("lr", lr);
        m.put("weight_decay", weightDecay);
        m.put("wandb_project", wandbProject);
        m.put("wandb_name", wandbName);
        m.put("seed", seed);
        m.put("log_completions_every", logCompletionsEvery);
        m.put("checkpoint_every", checkpointEvery);
        return m;
    }

    /** The inverse of {@link #toMap()}; missing keys keep their defaults. */
    public static TransformerTrainingArgs fromMap(Map<String, ?> m) {
        TransformerTrainingArgs a = new TransformerTrainingArgs();
        a.batchSize = intOr(m, "batch_size", a.batchSize);
        a.epochs = intOr(m, "epochs", a.epochs);
        a.maxStepsPerEpoch = intOr(m, "max_steps_per_epoch", a.maxStepsPerEpoch);
        a.lr = m.get("lr") instanceof Number n ? n.doubleValue() : a.lr;
        a.weightDecay = m.get("weight_decay") instanceof Number n ? n.doubleValue() : a.weightDecay;
        a.wandbProject = m.containsKey("wandb_project") ? (String) m.get("wandb_project") : a.wandbProject;
        a.wandbName = m.containsKey("wandb_name") ? (String) m.get("wandb_name") : a.wandbName;
        a.seed = m.get("seed") instanceof Number n ? n.longValue() : a.seed;
        a.logCompletionsEvery = intOr(m, "log_completions_every", a.logCompletionsEvery);
        a.checkpointEvery = intOr(m, "checkpoint_every", a.checkpointEvery);
        return a;
    }

    private static int intOr(Map<String, ?> m, String key, int def) {
        return m.get(key) instanceof Number n ? n.intValue() : def;
    }

    /**
     * The fields by their Java names, as a student sets them ({@code args.batchSize = 4}), e.g.
     * {@code TransformerTrainingArgs(batchSize=32, epochs=10, ..., lr=0.001, wandbName=null, ...)}; numbers
     * print plainly ({@code 0.0003}, not {@code 3.0E-4}). {@link #toMap()} keeps the tutorial's names.
     */
    @Override
    public String toString() {
        return "TransformerTrainingArgs(batchSize=" + batchSize + ", epochs=" + epochs + ", maxStepsPerEpoch="
                + maxStepsPerEpoch + ", lr=" + plain(lr) + ", weightDecay=" + plain(weightDecay) + ", wandbProject="
                + quoted(wandbProject) + ", wandbName=" + quoted(wandbName) + ", seed=" + seed + ", logCompletionsEvery="
                + logCompletionsEvery + ", checkpointEvery=" + checkpointEvery + ")";
    }

    private static String plain(double v) {
        return Double.isFinite(v) ? new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString()
                : Double.toString(v);
    }

    private static String quoted(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
