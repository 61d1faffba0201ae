package gptcourse.sample;

import static gptcourse.sample.SamplingArgs.frequencyPenalty;
import static gptcourse.sample.SamplingArgs.greedy;
import static gptcourse.sample.SamplingArgs.seed;
import static gptcourse.sample.SamplingArgs.temperature;
import static gptcourse.sample.SamplingArgs.topK;
import static gptcourse.sample.SamplingArgs.topP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import gptcourse.autograd.GradMode;
import gptcourse.data.Gpt2Tokenizer;
import gptcourse.model.Config;
import gptcourse.model.DemoTransformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TransformerSamplerTest {
    private static Gpt2Tokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = Gpt2Tokenizer.load();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static DemoTransformer tinyModel(long seed) {
        Config cfg = Config.trainingDefaults(50257).withNCtx(16).withNLayers(1).withDModel(8).withNHeads(2)
                .withDHead(4).withDMlp(16);
        return new DemoTransformer(cfg, seed);
    }

    @Test
    void outputStartsWithPromptAndLengthIsBounded() {
        var sampler = new TransformerSampler(tinyModel(0), tokenizer);
        String prompt = "Once upon a time";
        String greedy = sampler.sample(prompt, 5, greedy());
        assertTrue(greedy.startsWith(prompt), greedy);
        assertEquals(greedy, sampler.sample(prompt, 5, greedy()), "greedy is deterministic");

        int[] ids = tokenizer.encode(prompt);
        // longer than n_ctx = 16: the context is cropped to the last 16 tokens
        int[] gen = sampler.sampleTokens(ids, 20, seed(3));
        assertTrue(gen.length <= 20 && gen.length > 0, "generated " + gen.length);
        assertEquals(0, sampler.sampleTokens(ids, 0, seed(3)).length);
        assertEquals(prompt, sampler.sample(prompt, 0, seed(3)));
        assertTrue(GradMode.isEnabled(), "grad mode restored after sampling");
    }

    @Test
    void defaultsAreTheCoursesTemperatureOneNotGreedy() {
        // a flat-ish random model at temperature 1 draws different tokens; greedy would repeat one text
        var sampler = new TransformerSampler(tinyModel(3), tokenizer);
        assertEquals(sampler.sample("Hello", 12, greedy()), sampler.sample("Hello", 12, greedy()));
        Set<String> texts = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            texts.add(sampler.sample("Hello", 12));
        }
        assertTrue(texts.size() > 1, "unseeded calls continue the sampler's generator: " + texts);
        // with seed(s) the default settings equal temperature(1.0), topK(0), topP(0.0), frequencyPenalty(0.0)
        assertEquals(sampler.sample("Hello", 12, seed(9)),
                sampler.sample("Hello", 12, temperature(1.0), topK(0), topP(0.0), frequencyPenalty(0.0), seed(9)));
        // a fresh sampler repeats the unseeded sequence (like a fresh kernel)
        var first = new TransformerSampler(tinyModel(3), tokenizer);
        var second = new TransformerSampler(tinyModel(3), tokenizer);
        assertEquals(first.sample("Hello", 12), second.sample("Hello", 12));
        assertEquals(first.sample("Hello", 12), second.sample("Hello", 12));
    }

    @Test
    void sameSeedSameOutput() {
        var sampler = new TransformerSampler(tinyModel(1), tokenizer);
        String a = sampler.sample("Hello", 10, topK(50), topP(0.9), frequencyPenalty(0.5), seed(42));
        String b = sampler.sample("Hello", 10, SamplingArgs.of(topK(50), topP(0.9), frequencyPenalty(0.5), seed(42)));
        assertEquals(a, b);
        int[] x = sampler.sampleTokens(tokenizer.encode("Hello"), 10, temperature(2.0), seed(7));
        int[] y = sampler.sampleTokens(tokenizer.encode("Hello"), 10, temperature(2.0), seed(7));
        assertArrayEquals(x, y);
        int[] z = sampler.sampleTokens(tokenizer.encode("Hello"), 10, temperature(2.0), seed(8));
        assertTrue(!java.util.Arrays.equals(x, z), "a different seed gives a different sample (random model, T=2)");
        // the positional form (deprecated) means the same with the course's off values
        @SuppressWarnings("deprecation")
        String positional = sampler.sample("Hello", 10, 1.0, 50, 0.9, 0.5, 42);
        assertEquals(a, positional);
    }

    @Test
    void eosStopsGeneration() {
        DemoTransformer model = tinyModel(2);
        model.unembed.b_U.data().putScalar(tokenizer.eosTokenId(), 1e4);
        var sampler = new TransformerSampler(model, tokenizer);
        int[] gen = sampler.sampleTokens(tokenizer.encode("The end"), 10, greedy());
        assertArrayEquals(new int[] {tokenizer.eosTokenId()}, gen);
        assertEquals("The end" + Gpt2Tokenizer.END_OF_TEXT, sampler.sample("The end", 10));
        int[] sampled = sampler.sampleTokens(tokenizer.encode("The end"), 10, topK(5), seed(4));
        assertArrayEquals(new int[] {tokenizer.eosTokenId()}, sampled);
    }

    @Test
    void argumentsAreValidated() {
        var sampler = new TransformerSampler(tinyModel(0), tokenizer);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sampler.sample("", 5));
        assertTrue(e.getMessage().contains("prompt"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(null, 5));
        e = assertThrows(IllegalArgumentException.class, () -> sampler.sample("Hi", -1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> sampler.sample("Hi", 3, temperature(-1.0)));
        assertTrue(e.getMessage().contains("temperature"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> sampler.sample("Hi", 3, topP(1.01)));
        assertTrue(e.getMessage().contains("topP"), e.getMessage());
        assertThrows(NullPointerException.class, () -> sampler.sample("Hi", 3, (SamplingOption) null));
        DemoTransformer small = new DemoTransformer(Config.trainingDefaults(100).withNCtx(4).withNLayers(1)
                .withDModel(8).withNHeads(2).withDHead(4).withDMlp(16), 0);
        e = assertThrows(IllegalArgumentException.class, () -> new TransformerSampler(small, tokenizer));
        assertTrue(e.getMessage().contains("100"), e.getMessage());
    }
}
