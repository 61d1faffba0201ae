package gptcourse.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.google.gson.reflect.TypeToken;
import gptcourse.io.AtomicFiles;
import gptcourse.io.Sha256;
import gptcourse.model.Config;
import gptcourse.model.SafeTensors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training checkpoint: one safetensors file holding the model's weights ({@code model.*}), the
 * optimizer's state ({@code optimizer.*}) and, as metadata, the model config, the training args
 * and where training stood (step, epoch, batches done in that epoch, the run's name). Written to
 * a temporary file and renamed into place, so a crash mid-write leaves the previous checkpoint
 * intact and never a truncated one.
 *
 * <p>Integrity: the metadata entry {@value #CHECKSUM_KEY} holds the SHA-256 of the whole file
 * (header, metadata and every tensor's bytes) computed with that entry's value set to 64 zeros;
 * {@link #read} recomputes it and refuses a file in which any byte changed. A checkpoint also
 * records what it was trained on ({@link DataIdentity}), so a resume on other data is caught.
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
 * @param data         what the run trains on (null in checkpoints of trainers without one)
 * @param model        the model's state dict
 * @param optimizer    the optimizer's state dict
 */
public record Checkpoint(Path file, long step, int epoch, int batchInEpoch, double accuracy, String project,
        String runName, TransformerTrainingArgs args, Config config, DataIdentity data, Map<String, INDArray> model,
        Map<String, INDArray> optimizer) {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);
    static final String META_KEY = "gptcourse.checkpoint";
    static final String CHECKSUM_KEY = "gptcourse.sha256";
    private static final String NO_CHECKSUM = "0".repeat(64);
    private static final byte[] CHECKSUM_FIELD = ("\"" + CHECKSUM_KEY + "\":\"").getBytes(StandardCharsets.US_ASCII);
    private static final String PREFIX = "step-";
    private static final String SUFFIX = ".safetensors";

    /** The file name of the checkpoint after {@code step} steps, sorting by step. */
    public static String fileName(long step) {
        return String.format(java.util.Locale.ROOT, "%s%09d%s", PREFIX, step, SUFFIX);
    }

    /** Writes this checkpoint's contents to {@code target} atomically. */
    static void write(Path target, long step, int epoch, int batchInEpoch, double accuracy, String project,
            String runName, TransformerTrainingArgs args, Config config, DataIdentity data, Map<String, INDArray> model,
            Map<String, INDArray> optimizer) throws IOException {
        model.forEach((k, v) -> {
            if (v.dataType().isFPType() && Nd4j.getExecutioner().exec(new MatchCondition(v, Conditions.notFinite()))
                    .getLong(0) > 0) { // one counting pass, no boolean arrays
                throw new NonFiniteTrainingException("not saving a checkpoint at step " + step + ": the weights "
                        + k + " hold NaN or infinite values (the last good checkpoint stays the latest)");
            }
        });
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
        if (data != null) {
            state.put("data", data.toMap());
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put(META_KEY, Json.GSON.toJson(state));
        meta.put(CHECKSUM_KEY, NO_CHECKSUM);
        Files.createDirectories(target.toAbsolutePath().getParent());
        // a failed write deletes its temporary file (a full disk gets its space back); older checkpoints stay
        AtomicFiles.writeChannel(target, channel -> {
            SafeTensors.write(channel, tensors, meta);
            Checksum sum = checksum(Channels.newInputStream(channel.position(0)));
            if (!NO_CHECKSUM.equals(sum.recorded)) {
                throw new IOException("the checksum field of the checkpoint " + target + " was not written as expected");
            }
            ByteBuffer hex = ByteBuffer.wrap(sum.actual.getBytes(StandardCharsets.US_ASCII));
            while (hex.hasRemaining()) {
                channel.write(hex, sum.offset + hex.position());
            }
            FaultPoints.checkpointWritten.accept(target);
        });
    }

    /** Where a file's checksum field is, what it holds, and the file's actual checksum. */
    private record Checksum(long offset, String recorded, String actual) {
    }

    /** Reads a file once: finds the checksum field in the header, hashes the file with it zeroed. */
    private static Checksum checksum(InputStream in) throws IOException {
        byte[] len = in.readNBytes(8);
        if (len.length < 8) {
            throw new IOException("it is only " + len.length + " bytes long");
        }
        long headerLen = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLen <= 0 || headerLen > 100L * 1024 * 1024) {
            throw new IOException("its header length " + headerLen + " is impossible");
        }
        byte[] header = in.readNBytes((int) headerLen);
        if (header.length < headerLen) {
            throw new IOException("it ends inside its header");
        }
        int at = indexOf(header, CHECKSUM_FIELD, 0);
        if (at < 0 || at + CHECKSUM_FIELD.length + 64 > header.length
                || indexOf(header, CHECKSUM_FIELD, at + 1) >= 0) {
            throw new IOException("it has no checksum (" + CHECKSUM_KEY + ") in its header");
        }
        int from = at + CHECKSUM_FIELD.length;
        String recorded = new String(header, from, 64, StandardCharsets.US_ASCII);
        byte[] zeroed = header.clone();
        System.arraycopy(NO_CHECKSUM.getBytes(StandardCharsets.US_ASCII), 0, zeroed, from, 64);
        MessageDigest d = Sha256.digest();
        d.update(len);
        d.update(zeroed);
        Sha256.update(d, in);
        return new Checksum(8L + from, recorded, Sha256.hex(d));
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Reads a checkpoint file, or the newest valid checkpoint in a folder (a run folder or its
     * {@code checkpoints/} folder): a corrupt newer one is skipped with a warning naming it.
     *
     * @throws IllegalArgumentException if there is none, or the file is corrupt (its checksum does
     *     not match) or not a course checkpoint; the message names the file
     */
    public static Checkpoint read(Path fileOrDir) {
        if (!Files.isDirectory(fileOrDir)) {
            return readFile(fileOrDir);
        }
        List<Path> all = list(fileOrDir);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no checkpoint (" + PREFIX + "*" + SUFFIX + ") in " + fileOrDir);
        }
        List<String> refused = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                Checkpoint c = readFile(all.get(i));
                if (!refused.isEmpty()) {
                    LOG.warn("using {}, the newest valid checkpoint; skipped: {}", c.file(), String.join("; ", refused));
                }
                return c;
            } catch (IllegalArgumentException e) {
                refused.add(e.getMessage());
            }
        }
        throw new IllegalArgumentException("no valid checkpoint in " + fileOrDir + ": " + String.join("; ", refused));
    }

    private static Checkpoint readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no checkpoint at " + file);
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
        try (InputStream in = Files.newInputStream(file)) {
            Checksum sum = checksum(in);
            if (!sum.actual.equals(sum.recorded)) {
                throw new IllegalArgumentException("the checkpoint " + file + " is corrupt: its SHA-256 is " + sum.actual
                        + " but it records " + sum.recorded + " (a byte changed after it was written)");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the checkpoint " + file + " cannot be verified: " + e.getMessage(), e);
        }
        Type mapType = new TypeToken<Map<String, Object>>() { }.getType();
        Map<String, Object> state;
        try {
            state = Json.GSON.fromJson(json, mapType);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the checkpoint " + file + " has unreadable metadata: " + e.getMessage(), e);
        }
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
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) state.get("data");
        Object acc = state.get("accuracy");
        return new Checkpoint(file, ((Number) state.get("step")).longValue(), ((Number) state.get("epoch")).intValue(),
                ((Number) state.get("batch_in_epoch")).intValue(), acc instanceof Number n ? n.doubleValue() : Double.NaN,
                (String) state.get("project"), (String) state.get("run_name"), TransformerTrainingArgs.fromMap(args),
                Config.fromMap(config), DataIdentity.fromMap(data), model, optimizer);
    }

    /**
     * Deletes all but the newest {@code keep} checkpoints in {@code dir}, and the temporary files
     * that a process killed mid-write left behind (call it only while no checkpoint is being written
     * to {@code dir}).
     */
    static void prune(Path dir, int keep) {
        List<Path> all = list(dir);
        List<Path> doomed = new ArrayList<>(all.subList(0, Math.max(0, all.size() - keep)));
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> {
                String n = p.getFileName().toString();
                // AtomicFiles' <name>.<random hex>.tmp; <name>.tmp and *.partial from earlier versions
                return n.startsWith(PREFIX) && (n.endsWith(".tmp") || n.endsWith(".partial"));
            }).forEach(doomed::add);
        } catch (IOException e) {
            throw AtomicFiles.failure("list the checkpoints in", dir, e);
        }
        for (Path p : doomed) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw AtomicFiles.failure("delete the old checkpoint", p, e);
            }
        }
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
}
