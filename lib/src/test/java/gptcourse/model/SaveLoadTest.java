package gptcourse.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Weights round-trip through safetensors; bad files and bad configs get clear errors. */
class SaveLoadTest {
    @TempDir
    Path dir;

    @Test
    void modelRoundTripsWithItsConfigAndPyTorchNames() throws IOException {
        Config cfg = Config.trainingDefaults(61).withNCtx(16).withNLayers(2);
        DemoTransformer model = new DemoTransformer(cfg, 11);
        Path file = dir.resolve("model.safetensors");
        model.save(file);
        DemoTransformer loaded = DemoTransformer.load(file);
        assertEquals(cfg, loaded.cfg);
        model.namedParameters().forEach((n, p) -> assertEquals(p.data(), loaded.namedParameters().get(n).data(), n));
        Map<String, INDArray> raw = SafeTensors.load(file).tensors();
        assertTrue(raw.containsKey("blocks.1.attn.W_Q") && raw.containsKey("blocks.0.attn.IGNORE") && raw.containsKey("unembed.b_U"));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void viewsAndStridedArraysAreSavedAsTheirValues() throws IOException {
        // plain arrays are written straight from native memory; the others as a row-major copy
        INDArray base = Nd4j.arange(0, 24).castTo(DataType.FLOAT).reshape(4, 6);
        Map<String, INDArray> tensors = new java.util.LinkedHashMap<>();
        tensors.put("plain", base);
        tensors.put("transposed", base.transpose());
        tensors.put("row", base.getRow(2));
        tensors.put("columns", base.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 4)));
        tensors.put("double", Nd4j.linspace(-1, 1, 5, DataType.DOUBLE));
        Path file = dir.resolve("views.safetensors");
        SafeTensors.save(file, tensors, Map.of());
        Map<String, INDArray> back = SafeTensors.load(file).tensors();
        tensors.forEach((k, v) -> assertEquals(v, back.get(k), k));
    }

    @Test
    void sameSeedSameWeightsDifferentSeedDifferentWeights() {
        Config cfg = Config.trainingDefaults(61).withNCtx(16).withNLayers(1);
        assertEquals(new DemoTransformer(cfg, 5).embed.W_E.data(), new DemoTransformer(cfg, 5).embed.W_E.data());
        assertFalse(new DemoTransformer(cfg, 5).embed.W_E.data().equals(new DemoTransformer(cfg, 6).embed.W_E.data()));
        INDArray w = new DemoTransformer(cfg.withInitRange(0.02), 5).blocks.get(0).mlp.W_in.data();
        assertEquals(0.02, w.stdNumber().doubleValue(), 0.004, "weights are normal(0, init_range)");
        assertEquals(1.0, new DemoTransformer(cfg, 5).lnFinal.w.data().meanNumber().doubleValue(), 0.0);
    }

    @Test
    void truncatedOrForeignFilesAreRejectedWithTheReason() throws IOException {
        DemoTransformer model = new DemoTransformer(Config.trainingDefaults(61).withNCtx(16).withNLayers(1), 1);
        Path file = dir.resolve("m.safetensors");
        model.save(file);
        byte[] bytes = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        IOException e = assertThrows(IOException.class, () -> SafeTensors.load(cut));
        assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
        Path junk = dir.resolve("junk.safetensors");
        Files.writeString(junk, "definitely not a safetensors file");
        IOException e2 = assertThrows(IOException.class, () -> SafeTensors.load(junk));
        assertTrue(e2.getMessage().contains("not a valid safetensors file"), e2.getMessage());
    }

    @Test
    void loadingAStateDictForAnotherShapeNamesTheEntry() {
        DemoTransformer small = new DemoTransformer(Config.trainingDefaults(61).withNCtx(16).withNLayers(1), 1);
        DemoTransformer other = new DemoTransformer(Config.trainingDefaults(62).withNCtx(16).withNLayers(1), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> small.loadStateDict(other.stateDict()));
        assertTrue(e.getMessage().contains("embed.W_E"), e.getMessage());
    }

    @Test
    void invalidConfigValuesNameTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Config().withNHeads(0));
        assertTrue(e.getMessage().contains("n_heads") && e.getMessage().contains("0"), e.getMessage());
        IllegalArgumentException eps = assertThrows(IllegalArgumentException.class, () -> new Config().withLayerNormEps(-1));
        assertTrue(eps.getMessage().contains("layer_norm_eps"), eps.getMessage());
        DemoTransformer model = new DemoTransformer(Config.trainingDefaults(61).withNCtx(4).withNLayers(1), 1);
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> model.forward(Nd4j.zeros(DataType.INT64, 1, 5)));
        assertTrue(tooLong.getMessage().contains("n_ctx = 4"), tooLong.getMessage());
        IllegalArgumentException badId = assertThrows(IllegalArgumentException.class,
                () -> model.forward(Nd4j.createFromArray(new long[][] {{1, 61}})));
        assertTrue(badId.getMessage().contains("61") && badId.getMessage().contains("0..60"), badId.getMessage());
    }

    @Test
    void gpt2SmallDefaults() {
        Config c = new Config();
        assertEquals(768, c.dModel());
        assertEquals(50257, c.dVocab());
        assertEquals(1024, c.nCtx());
        assertEquals(12, c.nLayers());
        assertEquals(12, c.nHeads());
        assertEquals(64, c.dHead());
        assertEquals(3072, c.dMlp());
        assertEquals(1e-5, c.layerNormEps());
        assertEquals(0.02, c.initRange());
        assertTrue(c.debug());
    }
}
