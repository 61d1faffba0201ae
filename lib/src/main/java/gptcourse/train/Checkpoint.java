package gptcourse.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.google.gson.reflect.TypeToken;
import gptcourse.model.Config;
import gptcourse.model.SafeTensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A training checkpoint: one safetensors file holding the model's weights ({@code model.*}), the
 * optimizer's state ({@code optimizer.*}) and, as metadata, the model config, the training args
 * and where training stood (step, epoch, batches done in that epoch, the run's name). Written to
 * a temporary file and renamed into place, so a crash mid-write leaves the previous checkpoint
 * intact and never a truncated one.
 *
 * @param file         where it was read from
 * @param step         training steps done
 * @param epoch        the epoch in progress (0-based)
 * @param batchInEpoch batches of that epoch already trained on
 * @param accuracy     the last evaluation's accuracy (NaN before the first)
 * @param project      the run's project
 * @param runName      the run's name
 * @param args         the training args
 * @param config       the model config
 * @param model        the model's state dict
 * @param optimizer    the optimizer's state dict
 */
public record Checkpoint(Path file, long step, int epoch, int batchInEpoch, double accuracy, String project,
        String runName, TransformerTrainingArgs args, Config config, Map<String, INDArray> model,
        Map<String, INDArray> optimizer) {

    static final String META_KEY = "gptcourse.checkpoint";
    private static final String PREFIX = "step-";
    private static final String SUFFIX = ".safetensors";

    /** The file name of the checkpoint after {@code step} steps, sorting by step. */
    public static String fileName(long step) {
        return String.format(java.util.Locale.ROOT, "%s%09d%s", PREFIX, step, SUFFIX);
    }

    /** Writes this checkpoint's contents to {@code target} atomically. */
    static void write(Path target, long step, int epoch, int batchInEpoch, double accuracy, String project,
            String runName, TransformerTrainingArgs args, Config config, Map<String, INDArray> model,
            Map<String, INDArray> optimizer) throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        model.forEach((k, v) -> tensors.put("model." + k, v));
        optimizer.forEach((k, v) -> tensors.put("optimizer." + k, v));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("step", step);
        state.put("epoch", epoch);
        state.put("batch_in_epoch", batchInEpoch);
        state.put("accuracy", accuracy);
        state.put("project", project);
        state.put("run_name", runName);
        state.put("args", args.toMap());
        state.put("config", config.toMap());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put(META_KEY, Json.GSON.toJson(state));
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        SafeTensors.save(tmp, tensors, meta);
        AtomicFiles.move(tmp, target);
    }

    /**
     * Reads a checkpoint file, or the latest checkpoint in a folder (a run folder or its {@code
     * checkpoints/} folder).
     *
     * @throws IllegalArgumentException if there is none, or the file is not a course checkpoint
     */
    public static Checkpoint read(Path fileOrDir) {
        Path file = Files.isDirectory(fileOrDir) ? latest(fileOrDir) : fileOrDir;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no checkpoint at " + fileOrDir);
        }
        SafeTensors.Contents contents;
        try {
            contents = SafeTensors.load(file);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("could not read the checkpoint " + file + ": " + e.getMessage(), e);
        }
        String json = contents.metadata().get(META_KEY);
        if (json == null) {
            throw new IllegalArgumentException(file + " is not a training checkpoint (no " + META_KEY
                    + " metadata); a model saved with DemoTransformer.save loads with DemoTransformer.load");
        }
        Type mapType = new TypeToken<Map<String, Object>>() { }.getType();
        Map<String, Object> state = Json.GSON.fromJson(json, mapType);
        Map<String, INDArray> model = new LinkedHashMap<>();
        Map<String, INDArray> optimizer = new LinkedHashMap<>();
        contents.tensors().forEach((k, v) -> {
            if (k.startsWith("model.")) {
                model.put(k.substring(6), v);
            } else if (k.startsWith("optimizer.")) {
                optimizer.put(k.substring(10), v);
            }
        });
        @SuppressWarnings("unchecked")
        Map<String, Object> args = (Map<String, Object>) state.get("args");
        @SuppressWarnings("unchecked")
        Map<String, Object> config = (Map<String, Object>) state.get("config");
        Object acc = state.get("accuracy");
        return new Checkpoint(file, ((Number) state.get("step")).longValue(), ((Number) state.get("epoch")).intValue(),
                ((Number) state.get("batch_in_epoch")).intValue(), acc instanceof Number n ? n.doubleValue() : Double.NaN,
                (String) state.get("project"), (String) state.get("run_name"), TransformerTrainingArgs.fromMap(args),
                Config.fromMap(config), model, optimizer);
    }

    /** The checkpoint files in {@code dir} (or in its {@code checkpoints/}), oldest first. */
    public static List<Path> list(Path dir) {
        Path d = Files.isDirectory(dir.resolve("checkpoints")) ? dir.resolve("checkpoints") : dir;
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(PREFIX) && n.endsWith(SUFFIX);
            }).sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not list the checkpoints in " + d, e);
        }
    }

    private static Path latest(Path dir) {
        List<Path> all = list(dir);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no checkpoint (" + PREFIX + "*" + SUFFIX + ") in " + dir);
        }
        return all.get(all.size() - 1);
    }
}
