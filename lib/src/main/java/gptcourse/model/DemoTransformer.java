package gptcourse.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;

import gptcourse.autograd.Arena;
import gptcourse.autograd.GradMode;
import gptcourse.autograd.NativeGarbage;
import gptcourse.autograd.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The tutorial's GPT-2-style transformer: token and position embeddings, {@code n_layers} blocks,
 * a final LayerNorm and the unembedding.
 *
 * <pre>{@code
 * var model = new DemoTransformer(Config.trainingDefaults(50257), 42);
 * Tensor logits = model.forward(tokens);                    // [batch, posn, d_vocab]
 * }</pre>
 *
 * With {@link Config#debug()} (the tutorial's {@code debug=True}, {@code new Config()}'s default) each
 * forward pass prints every module's output shape, one {@code [debug] name: [shape]} line each;
 * the training configs switch it off.
 */
public class DemoTransformer extends Module {
    public final Config cfg;
    public final Embed embed;
    public final PosEmbed posEmbed;
    public final List<TransformerBlock> blocks;
    public final LayerNorm lnFinal;
    public final Unembed unembed;

    /** A freshly initialised model; the same seed gives the same weights. */
    public DemoTransformer(Config cfg, long seed) {
        this(cfg, Init.seeded(seed));
    }

    public DemoTransformer(Config cfg, Init init) {
        this.cfg = cfg;
        embed = child("embed", new Embed(cfg, init));
        posEmbed = child("pos_embed", new PosEmbed(cfg, init));
        List<TransformerBlock> bs = new ArrayList<>();
        Module blockList = child("blocks", new Module() { });
        for (int i = 0; i < cfg.nLayers(); i++) {
            bs.add(blockList.child(String.valueOf(i), new TransformerBlock(cfg, init)));
        }
        blocks = Collections.unmodifiableList(bs);
        lnFinal = child("ln_final", new LayerNorm(cfg, init));
        unembed = child("unembed", new Unembed(cfg, init));
    }

    /**
     * @param tokens [batch, posn] token ids (any integer type), posn at most n_ctx
     * @return logits [batch, posn, d_vocab]
     */
    public Tensor forward(INDArray tokens) {
        checkTokens(tokens);
        if (GradMode.isEnabled()) {
            return forwardLayers(tokens); // backward() frees the intermediates
        }
        try (Arena arena = Tensor.arena()) {
            return arena.keep(forwardLayers(tokens));
        } finally {
            NativeGarbage.collectOccasionally();
        }
    }

    private Tensor forwardLayers(INDArray tokens) {
        if (!cfg.debug()) {
            Tensor residual = embed.forward(tokens).add(posEmbed.forward(tokens));
            for (TransformerBlock block : blocks) {
                residual = block.forward(residual);
            }
            return unembed.forward(lnFinal.forward(residual));
        }
        // Config.debug: the tutorial's shape prints, one line per module
        debug("tokens", tokens.shape());
        Tensor embedded = embed.forward(tokens);
        debug("embed", embedded.shape());
        Tensor positions = posEmbed.forward(tokens);
        debug("pos_embed", positions.shape());
        Tensor residual = embedded.add(positions);
        for (int i = 0; i < blocks.size(); i++) {
            residual = blocks.get(i).forward(residual);
            debug("blocks." + i, residual.shape());
        }
        Tensor normalized = lnFinal.forward(residual);
        debug("ln_final", normalized.shape());
        Tensor logits = unembed.forward(normalized);
        debug("unembed (logits)", logits.shape());
        return logits;
    }

    private static void debug(String what, long[] shape) {
        System.out.println("[debug] " + what + ": " + Arrays.toString(shape));
    }

    /** Saves the weights (and the config, as metadata) in safetensors format; loadable from Python. */
    public void save(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("gptcourse.config", new Gson().toJson(cfg.toMap()));
        SafeTensors.save(file, stateDict(), meta);
    }

    /** Loads a model saved by {@link #save(Path)}. */
    public static DemoTransformer load(Path file) throws IOException {
        SafeTensors.Contents contents = SafeTensors.load(file);
        String json = contents.metadata().get("gptcourse.config");
        if (json == null) {
            throw new IOException(file + " has no gptcourse.config metadata; build the model with its Config "
                    + "and call loadStateDict(SafeTensors.load(file).tensors()) instead");
        }
        Map<String, Object> map = new Gson().fromJson(json, new TypeToken<Map<String, Object>>() { }.getType());
        DataType dtype = contents.tensors().get("embed.W_E").dataType();
        DemoTransformer model = new DemoTransformer(Config.fromMap(map), Init.seeded(0, dtype));
        model.loadStateDict(contents.tensors());
        return model;
    }

    private void checkTokens(INDArray tokens) {
        if (tokens.rank() != 2) {
            throw new IllegalArgumentException("tokens must be a [batch, posn] array of token ids, got shape "
                    + Arrays.toString(tokens.shape()));
        }
        if (tokens.dataType().isFPType()) {
            throw new IllegalArgumentException("tokens must be integer ids (INT32/INT64), got " + tokens.dataType());
        }
        if (tokens.size(1) > cfg.nCtx()) {
            throw new IllegalArgumentException("sequence length " + tokens.size(1) + " is longer than n_ctx = "
                    + cfg.nCtx() + "; use at most n_ctx positions or a Config with a larger n_ctx");
        }
        if (tokens.length() > 0) {
            long max = tokens.maxNumber().longValue();
            long min = tokens.minNumber().longValue();
            if (min < 0 || max >= cfg.dVocab()) {
                throw new IllegalArgumentException("token id " + (min < 0 ? min : max) + " is outside the vocabulary; "
                        + "ids must be in 0.." + (cfg.dVocab() - 1) + " (d_vocab = " + cfg.dVocab() + ")");
            }
        }
    }
}
