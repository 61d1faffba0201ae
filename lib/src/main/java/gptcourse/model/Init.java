package gptcourse.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How new parameters are created: the random generator (seeded, so a model is reproducible) and the
 * floating-point type (float32 for training, float64 for gradient checks).
 */
public record Init(Random rng, DataType dtype) {

    static {
        gptcourse.autograd.Backend.selectNatives();
    }

    public static Init seeded(long seed) {
        return seeded(seed, DataType.FLOAT);
    }

    public static Init seeded(long seed, DataType dtype) {
        if (!dtype.isFPType()) {
            throw new IllegalArgumentException("parameters need a floating-point type (FLOAT or DOUBLE), got " + dtype);
        }
        return new Init(Nd4j.getRandomFactory().getNewRandomInstance(nativeSeed(seed)), dtype);
    }

    /**
     * The seed handed to libnd4j's generator for a user's seed. libnd4j (1.0.0-M2.1) does not reproduce
     * its draws for seed 0 (a model built twice with seed 0 differed), and its first draw depends only on
     * the seed's low 31 bits (seeds 2^31 and 2^32 gave the same first weight). So every seed goes through
     * SplitMix64's mixer ({@code new SplittableRandom(seed).nextLong()}, a bijection): 0 and seeds that
     * differ in their high bits get well-spread, distinct native seeds; the one seed that would map to 0
     * maps to a fixed non-zero constant instead.
     */
    static long nativeSeed(long seed) {
        long mixed = new java.util.SplittableRandom(seed).nextLong();
        return mixed != 0 ? mixed : 0x9E3779B97F4A7C15L;
    }
}
