package gptcourse.model;

/**
 * The transformer's hyperparameters, with the tutorial's defaults (GPT-2 small). Change fields with the
 * {@code with...} methods, e.g. the course's training model:
 *
 * <pre>{@code
 * Config cfg = new Config().withDModel(32).withNHeads(16).withDHead(2).withDMlp(128)
 *                          .withNLayers(4).withNCtx(128).withDebug(false);
 * }</pre>
 *
 * Every size must be positive; an invalid value is rejected with the name of the field.
 */
public record Config(int dModel, boolean debug, double layerNormEps, int dVocab, double initRange, int nCtx,
                     int dHead, int dMlp, int nHeads, int nLayers) {

    public Config {
        positive("d_model", dModel);
        positive("d_vocab", dVocab);
        positive("n_ctx", nCtx);
        positive("d_head", dHead);
        positive("d_mlp", dMlp);
        positive("n_heads", nHeads);
        positive("n_layers", nLayers);
        if (!(layerNormEps > 0) || Double.isInfinite(layerNormEps)) {
            throw new IllegalArgumentException("layer_norm_eps must be a positive number, got " + layerNormEps);
        }
        if (!(initRange > 0) || Double.isInfinite(initRange)) {
            throw new IllegalArgumentException("init_range must be a positive number, got " + initRange);
        }
    }

    /** GPT-2 small: d_model 768, 12 layers of 12 heads of 64, d_mlp 3072, n_ctx 1024, d_vocab 50257. */
    public Config() {
        this(768, true, 1e-5, 50257, 0.02, 1024, 64, 3072, 12, 12);
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be a positive integer, got " + value);
        }
    }

    public Config withDModel(int v) {
        return new Config(v, debug, layerNormEps, dVocab, initRange, nCtx, dHead, dMlp, nHeads, nLayers);
    }

    public Config withDebug(boolean v) {
        return new Config(dModel, v, layerNormEps, dVocab, initRange, nCtx, dHead, dMlp, nHeads, nLayers);
    }

    public Config withLayerNormEps(double v) {
        return new Config(dModel, debug, v, dVocab, initRange, nCtx, dHead, dMlp, nHeads, nLayers);
    }

    public Config withDVocab(int v) {
        return new Config(dModel, debug, layerNormEps, v, initRange, nCtx, dHead, dMlp, nHeads, nLayers);
    }

    public Config withInitRange(double v) {
        return new Config(dModel, debug, layerNormEps, dVocab, v, nCtx, dHead, dMlp, nHeads, nLayers);
    }

    public Config withNCtx(int v) {
        return new Config(dModel, debug, layerNormEps, dVocab, initRange, v, dHead, dMlp, nHeads, nLayers);
    }

    public Config withDHead(int v) {
        return new Config(dModel, debug, layerNormEps, dVocab, initRange, nCtx, v, dMlp, nHeads, nLayers);
    }

    public Config withDMlp(int v) {
        return new Config(dModel, debug, layerNormEps, dVocab, initRange, nCtx, dHead, v, nHeads, nLayers);
    }

    public Config withNHeads(int v) {
        return new Config(dModel, debug, layerNormEps, dVocab, initRange, nCtx, dHead, dMlp, v, nLayers);
    }

    public Config withNLayers(int v) {
        return new Config(dModel, debug, layerNormEps, dVocab, initRange, nCtx, dHead, dMlp, nHeads, v);
    }

    /** The tutorial's training model: d_model 32, 16 heads of 2, d_mlp 128, 4 layers, n_ctx 128. */
    public static Config trainingDefaults(int dVocab) {
        return new Config().withDebug(false).withDModel(32).withNHeads(16).withDHead(2).withDMlp(128)
                .withNLayers(4).withNCtx(128).withDVocab(dVocab);
    }

    /** The fields under the tutorial's (snake_case) names, e.g. for a run's saved config. */
    public java.util.Map<String, Object> toMap() {
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("d_model", dModel);
        m.put("debug", debug);
        m.put("layer_norm_eps", layerNormEps);
        m.put("d_vocab", dVocab);
        m.put("init_range", initRange);
        m.put("n_ctx", nCtx);
        m.put("d_head", dHead);
        m.put("d_mlp", dMlp);
        m.put("n_heads", nHeads);
        m.put("n_layers", nLayers);
        return m;
    }

    /** Reads the map written by {@link #toMap()} (missing fields keep their defaults). */
    public static Config fromMap(java.util.Map<String, ?> m) {
        Config c = new Config();
        return new Config(intOr(m, "d_model", c.dModel), m.containsKey("debug") ? Boolean.parseBoolean(String.valueOf(m.get("debug"))) : c.debug,
                doubleOr(m, "layer_norm_eps", c.layerNormEps), intOr(m, "d_vocab", c.dVocab),
                doubleOr(m, "init_range", c.initRange), intOr(m, "n_ctx", c.nCtx), intOr(m, "d_head", c.dHead),
                intOr(m, "d_mlp", c.dMlp), intOr(m, "n_heads", c.nHeads), intOr(m, "n_layers", c.nLayers));
    }

    private static int intOr(java.util.Map<String, ?> m, String k, int d) {
        Object v = m.get(k);
        return v == null ? d : (int) Double.parseDouble(String.valueOf(v));
    }

    private static double doubleOr(java.util.Map<String, ?> m, String k, double d) {
        Object v = m.get(k);
        return v == null ? d : Double.parseDouble(String.valueOf(v));
    }
}
