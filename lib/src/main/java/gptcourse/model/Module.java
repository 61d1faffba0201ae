package gptcourse.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import gptcourse.autograd.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A component with named parameters and sub-components, like {@code nn.Module}: names join with dots
 * ({@code blocks.0.attn.W_Q}) exactly as in PyTorch's {@code state_dict}.
 */
public abstract class Module {
    static {
        gptcourse.autograd.Backend.selectNatives();
    }

    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, INDArray> buffers = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a trainable parameter and returns it. */
    protected Tensor parameter(String name, INDArray value) {
        Tensor p = Tensor.parameter(value);
        params.put(name, p);
        return p;
    }

    /** Registers a non-trainable array saved with the state dict (PyTorch's {@code register_buffer}). */
    protected INDArray buffer(String name, INDArray value) {
        buffers.put(name, value);
        return value;
    }

    protected <M extends Module> M child(String name, M module) {
        children.put(name, module);
        return module;
    }

    /** Every parameter under its dotted name, in registration order ({@code named_parameters()}). */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        params.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, c) -> c.collect(prefix + n + ".", out));
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Number of trainable values, like {@code sum(p.numel() for p in model.parameters())}. */
    public long parameterCount() {
        return namedParameters().values().stream().mapToLong(Tensor::length).sum();
    }

    /** Parameters and buffers by name, sharing memory with the model ({@code state_dict()}). */
    public Map<String, INDArray> stateDict() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, INDArray> out) {
        params.forEach((n, p) -> out.put(prefix + n, p.data()));
        buffers.forEach((n, b) -> out.put(prefix + n, b));
        children.forEach((n, c) -> c.collectState(prefix + n + ".", out));
    }

    /**
     * Copies values into the parameters, like {@code load_state_dict(strict=True)} for parameters: every
     * parameter must be present with its exact shape; buffers are optional; unknown names are an error.
     */
    public void loadStateDict(Map<String, INDArray> state) {
        Map<String, Tensor> named = namedParameters();
        Map<String, INDArray> current = stateDict();
        List<String> missing = new ArrayList<>();
        for (String name : named.keySet()) {
            if (!state.containsKey(name)) {
                missing.add(name);
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : state.keySet()) {
            if (!current.containsKey(name)) {
                unexpected.add(name);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("state dict does not fit this model: missing " + missing
                    + ", unexpected " + unexpected);
        }
        for (Map.Entry<String, INDArray> e : state.entrySet()) {
            INDArray target = current.get(e.getKey());
            if (!Arrays.equals(target.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("state dict entry " + e.getKey() + " has shape "
                        + Arrays.toString(e.getValue().shape()) + " but the model expects " + Arrays.toString(target.shape()));
            }
        }
        for (Map.Entry<String, INDArray> e : state.entrySet()) {
            current.get(e.getKey()).assign(e.getValue().castTo(current.get(e.getKey()).dataType()));
        }
    }

    /**
     * Puts this module and every sub-module in training mode, like {@code model.train()}, and returns it.
     * This course's transformer has no dropout or batch norm, so the mode changes no result here (as in
     * the tutorial's model); modules that behave differently read {@link #isTraining()}.
     */
    public Module train() {
        return train(true);
    }

    /** {@code model.train(mode)}: training mode if {@code mode}, evaluation mode otherwise. */
    public Module train(boolean mode) {
        training = mode;
        children.values().forEach(c -> c.train(mode));
        return this;
    }

    /** Puts this module and every sub-module in evaluation mode, like {@code model.eval()}. */
    public Module eval() {
        return train(false);
    }

    /** Whether the module is in training mode ({@code module.training}); modules start in it. */
    public boolean isTraining() {
        return training;
    }

    /** Normal(0, std) values from {@code rng}, the tutorial's {@code nn.init.normal_}. */
    protected static INDArray normal(Random rng, DataType dtype, double std, long... shape) {
        INDArray a = Nd4j.createUninitialized(dtype, shape);
        Nd4j.getExecutioner().exec(new GaussianDistribution(a, 0.0, std), rng);
        return a;
    }
}
