package gptcourse.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        String greedy = sampler.sample(prompt, 5);
        assertTrue(greedy.startsWith(prompt), greedy);
        assertEquals(greedy, sampler.sample(prompt, 5), "greedy is deterministic");

        int[] ids = tokenizer.encode(prompt);
        // longer than n_ctx = 16: the context is cropped to the last 16 tokens
        int[] gen = sampler.sampleTokens(ids, 20, 1.0, 0, 1.0, 0.0, 3);
        assertTrue(gen.length <= 20 && gen.length > 0, "generated " + gen.length);
        assertEquals(0, sampler.sampleTokens(ids, 0, 1.0, 0, 1.0, 0.0, 3).length);
        assertEquals(prompt, sampler.sample(prompt, 0, 1.0, 0, 1.0, 0.0, 3));
        assertTrue(GradMode.isEnabled(), "grad mode restored after sampling");
    }

    @Test
    void sameSeedSameOutput() {
        var sampler = new TransformerSampler(tinyModel(1), tokenizer);
        String a = sampler.sample("Hello", 10, 1.0, 50, 0.9, 0.5, 42);
        String b = sampler.sample("Hello", 10, 1.0, 50, 0.9, 0.5, 42);
        assertEquals(a, b);
        int[] x = sampler.sampleTokens(tokenizer.encode("Hello"), 10, 2.0, 0, 1.0, 0.0, 7);
        int[] y = sampler.sampleTokens(tokenizer.encode("Hello"), 10, 2.0, 0, 1.0, 0.0, 7);
        assertArrayEquals(x, y);
        int[] z = sampler.sampleTokens(tokenizer.encode("Hello"), 10, 2.0, 0, 1.0, 0.0, 8);
        assertTrue(!java.util.Arrays.equals(x, z), "a different seed gives a different sample (random model, T=2)");
    }

    @Test
    void eosStopsGeneration() {
        DemoTransformer model = tinyModel(2);
        model.unembed.b_U.data().putScalar(tokenizer.eosTokenId(), 1e4);
        var sampler = new TransformerSampler(model, tokenizer);
        int[] gen = sampler.sampleTokens(tokenizer.encode("The end"), 10, 0.0, 0, 1.0, 0.0, 0);
        assertArrayEquals(new int[] {tokenizer.eosTokenId()}, gen);
        assertEquals("The end" + Gpt2Tokenizer.END_OF_TEXT, sampler.sample("The end", 10));
        int[] sampled = sampler.sampleTokens(tokenizer.encode("The end"), 10, 1.0, 5, 0.9, 0.0, 4);
        assertArrayEquals(new int[] {tokenizer.eosTokenId()}, sampled);
    }

    @Test
    void argumentsAreValidated() {
        var sampler = new TransformerSampler(tinyModel(0), tokenizer);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sampler.sample("", 5));
        assertTrue(e.getMessage().contains("prompt"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> sampler.sample("Hi", -1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> sampler.sample("Hi", 3, -1.0, 0, 1.0, 0.0, 0));
        assertTrue(e.getMessage().contains("temperature"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> sampler.sample("Hi", 3, 1.0, 0, 0.0, 0.0, 0));
        assertTrue(e.getMessage().contains("topP"), e.getMessage());
        DemoTransformer small = new DemoTransformer(Config.trainingDefaults(100).withNCtx(4).withNLayers(1)
                .withDModel(8).withNHeads(2).withDHead(4).withDMlp(16), 0);
        e = assertThrows(IllegalArgumentException.class, () -> new TransformerSampler(small, tokenizer));
        assertTrue(e.getMessage().contains("100"), e.getMessage());
    }
}
