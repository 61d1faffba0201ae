package gptcourse.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import gptcourse.model.DemoTransformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A checkpoint is verified on load: a byte flipped anywhere (length prefix, tensor descriptors,
 * metadata, checksum, every tensor's data) is refused with a message naming the file; a folder
 * resumes from its newest valid checkpoint; weights that are not finite are never saved.
 */
class CheckpointIntegrityTest {
    static final DataIdentity DATA = new DataIdentity("stand-in train (100 tokens)", "ab".repeat(32), 10, 2, 8,
            "cd".repeat(32));

    static void write(Path file, DemoTransformer model, long step) throws Exception {
        write(file, model.stateDict(), step);
    }

    static void write(Path file, Map<String, INDArray> model, long step) throws Exception {
        Map<String, INDArray> optimizer = new LinkedHashMap<>();
        optimizer.put("state.0.exp_avg", Nd4j.rand(3, 4));
        optimizer.put("state.0.step", Nd4j.scalar(7.0f));
        Checkpoint.write(file, step, 1, 2, 0.5, "proj", "run", new TransformerTrainingArgs(), CheckpointTest.CFG, DATA,
                model, optimizer);
    }

    /** Every region of the file: name to a byte offset in its middle. */
    static Map<String, Long> regions(byte[] file) {
        Map<String, Long> at = new TreeMap<>();
        long headerLen = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(file, 8, (int) headerLen, StandardCharsets.UTF_8);
        at.put("length prefix", 0L);
        at.put("length prefix (high byte)", 7L);
        at.put("checksum", 8L + header.indexOf(Checkpoint.CHECKSUM_KEY) + Checkpoint.CHECKSUM_KEY.length() + 20);
        at.put("metadata: training state", 8L + header.indexOf("batch_in_epoch") + 3);
        at.put("metadata: data identity", 8L + header.indexOf("split_sha256") + 20);
        at.put("tensor descriptor: dtype", 8L + header.indexOf("\"F32\"") + 2);
        at.put("tensor descriptor: shape", 8L + header.indexOf("\"shape\":[") + 9);
        at.put("tensor descriptor: offsets", 8L + header.lastIndexOf("\"data_offsets\":[") + 17);
        JsonObject json = JsonParser.parseString(header.trim()).getAsJsonObject();
        for (Map.Entry<String, JsonElement> e : json.entrySet()) {
            if (!e.getKey().equals("__metadata__")) {
                var off = e.getValue().getAsJsonObject().getAsJsonArray("data_offsets");
                long begin = off.get(0).getAsLong();
                long end = off.get(1).getAsLong();
                at.put("tensor data: " + e.getKey(), 8 + headerLen + (begin + end) / 2);
            }
        }
        return at;
    }

    @Test
    void aByteFlippedInAnyPartIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.safetensors");
        write(good, new DemoTransformer(CheckpointTest.CFG, 1), 5);
        byte[] bytes = Files.readAllBytes(good);
        assertEquals(5, Checkpoint.read(good).step());
        assertEquals(DATA, Checkpoint.read(good).data());
        Map<String, Long> regions = regions(bytes);
        assertTrue(regions.keySet().stream().filter(k -> k.startsWith("tensor data: optimizer.")).count() == 2, regions.toString());
        for (Map.Entry<String, Long> region : regions.entrySet()) {
            for (int bit : new int[] {0, 6}) {
                byte[] flipped = bytes.clone();
                flipped[Math.toIntExact(region.getValue())] ^= (byte) (1 << bit);
                Path bad = dir.resolve("bad.safetensors");
                Files.write(bad, flipped);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(bad),
                        "a flipped bit in the " + region.getKey() + " is caught");
                assertTrue(e.getMessage().contains(bad.toString()), region.getKey() + ": " + e.getMessage());
                assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
            }
        }
        // And a sample of every other byte of the file, header and data alike.
        java.util.Random random = new java.util.Random(14);
        for (int i = 0; i < 60; i++) {
            byte[] flipped = bytes.clone();
            int at = random.nextInt(bytes.length);
            flipped[at] ^= (byte) (1 + random.nextInt(255));
            Path bad = dir.resolve("bad.safetensors");
            Files.write(bad, flipped);
            assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(bad), "byte " + at + " of " + bytes.length);
        }
    }

    @Test
    void aFolderResumesFromItsNewestValidCheckpoint(@TempDir Path dir) throws Exception {
        DemoTransformer model = new DemoTransformer(CheckpointTest.CFG, 1);
        write(dir.resolve(Checkpoint.fileName(10)), model, 10);
        write(dir.resolve(Checkpoint.fileName(20)), model, 20);
        Path newest = dir.resolve(Checkpoint.fileName(20));
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 3] ^= 0x10;
        Files.write(newest, bytes);
        assertEquals(10, Checkpoint.read(dir).step(), "the corrupt step-20 checkpoint is skipped");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(newest));
        assertTrue(e.getMessage().startsWith("the checkpoint " + newest + " is corrupt"), e.getMessage());

        Files.write(dir.resolve(Checkpoint.fileName(10)), new byte[] {1, 2, 3});
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(dir));
        assertTrue(e.getMessage().startsWith("no valid checkpoint in " + dir), e.getMessage());
        assertTrue(e.getMessage().contains(Checkpoint.fileName(10)) && e.getMessage().contains(Checkpoint.fileName(20)),
                e.getMessage());
    }

    @Test
    void weightsThatAreNotFiniteAreNeverSaved(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(Checkpoint.fileName(3));
        DemoTransformer model = new DemoTransformer(CheckpointTest.CFG, 1);
        write(file, model, 3);
        byte[] good = Files.readAllBytes(file);
        Map<String, INDArray> weights = new LinkedHashMap<>(model.stateDict());
        INDArray broken = weights.get("embed.W_E").dup();
        broken.putScalar(0, Float.NaN);
        weights.put("embed.W_E", broken);
        NonFiniteTrainingException e = assertThrows(NonFiniteTrainingException.class, () -> write(file, weights, 4));
        assertTrue(e.getMessage().contains("embed.W_E"), e.getMessage());
        assertArrayEquals(good, Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left");
        }
    }

    @Test
    void aCheckpointWithoutChecksumIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("legacy.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        write(dir.resolve("x.safetensors"), new DemoTransformer(CheckpointTest.CFG, 1), 1);
        meta.put(Checkpoint.META_KEY, gptcourse.model.SafeTensors.load(dir.resolve("x.safetensors")).metadata()
                .get(Checkpoint.META_KEY));
        gptcourse.model.SafeTensors.save(file, new DemoTransformer(CheckpointTest.CFG, 1).stateDict(), meta);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("no checksum"), e.getMessage());
    }
}
