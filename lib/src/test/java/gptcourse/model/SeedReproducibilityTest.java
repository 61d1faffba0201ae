package gptcourse.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The same seed gives the same weights, for every seed: 0, negatives and seeds differing in high bits too. */
class SeedReproducibilityTest {

    private static final long[] SEEDS = {0, 1, 2, 7, 42, -1, 1L << 31, 1L << 32, 5L << 32, Long.MIN_VALUE,
        Long.MAX_VALUE};

    private static Config tiny() {
        return Config.trainingDefaults(100).withNCtx(8).withNLayers(1).withDModel(8).withNHeads(2).withDHead(4)
                .withDMlp(16);
    }

    @Test
    void everySeedIncludingZeroIsReproducible() {
        Set<Float> firstWeights = new HashSet<>();
        Set<Float> attentionWeights = new HashSet<>();
        for (long seed : SEEDS) {
            Map<String, INDArray> a = new DemoTransformer(tiny(), seed).stateDict();
            Map<String, INDArray> b = new DemoTransformer(tiny(), seed).stateDict();
            assertEquals(a.keySet(), b.keySet());
            for (String name : a.keySet()) {
                assertEquals(a.get(name), b.get(name), "seed " + seed + ", parameter " + name);
            }
            firstWeights.add(a.get("embed.W_E").getFloat(0));
            attentionWeights.add(a.get("blocks.0.attn.W_Q").getFloat(0));
        }
        // and different seeds give different weights, even seeds that differ only in their high bits
        assertEquals(SEEDS.length, firstWeights.size(), "first weights " + firstWeights);
        assertEquals(SEEDS.length, attentionWeights.size());
    }

    @Test
    void nativeSeedsAreDistinctAndNeverZero() {
        Set<Long> seen = new HashSet<>();
        for (long seed = -1000; seed <= 1000; seed++) {
            long n = Init.nativeSeed(seed);
            assertNotEquals(0L, n, "seed " + seed);
            assertTrue(seen.add(n), "seed " + seed + " collides");
        }
        for (long seed : SEEDS) {
            assertNotEquals(0L, Init.nativeSeed(seed));
        }
    }
}
