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
        return new Init(Nd4j.getRandomFactory().getNewRandomInstance(seed), dtype);
    }
}
