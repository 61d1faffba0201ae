package gptcourse.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The engine ({@link Backprop}): operations return their inputs' gradients, and the engine adds up
 * what reaches each tensor, keeps leaves' gradients and frees the rest. In particular it must never
 * let two tensors share one gradient buffer, since a backward function may overwrite its incoming
 * gradient.
 */
class BackpropTest {

    private static INDArray ramp(long... shape) {
        return Nd4j.arange(1, Shape.lengthOf(shape) + 1).castTo(DataType.DOUBLE).reshape(shape);
    }

    @Test
    void aCustomOperationOnlyReturnsItsInputsGradients() {
        // square(x) with the derivative 2x, written as a student would add an operation
        Tensor x = Tensor.parameter(ramp(2, 3));
        INDArray xs = x.data();
        Tensor square = Recording.result(xs.mul(xs), (g, out) -> Grad.of(g.mul(xs).muli(2.0)), x);
        square.sum().backward();
        assertEquals(0.0, x.grad().sub(xs.mul(2.0)).amaxNumber().doubleValue(), 0.0);
    }

    @Test
    void aGradientPassedToTwoInputsIsNeverSharedBetweenThem() {
        // a + b hands its incoming gradient to both; a's and b's backward (times a constant) then
        // scale their own gradients in place: were the buffer shared, x would get 2*3*5 + 3*5 or worse.
        Tensor x = Tensor.parameter(ramp(3, 4));
        Tensor a = x.mul(2.0);
        Tensor b = x.mul(3.0);
        a.add(b).mul(5.0).sum().backward();
        assertEquals(25.0, x.grad().minNumber().doubleValue(), 0.0);
        assertEquals(25.0, x.grad().maxNumber().doubleValue(), 0.0);
    }

    @Test
    void theSameTensorTwiceInOneOperationGetsBothContributions() {
        Tensor x = Tensor.parameter(ramp(2, 2));
        x.add(x).mul(x.mul(1.0).add(x)).sum().backward(); // (2x)(2x) = 4x^2, d/dx = 8x
        assertEquals(0.0, x.grad().sub(x.data().mul(8.0)).amaxNumber().doubleValue(), 1e-12);
    }

    @Test
    void weightAndBiasGradientsFromOneGemmAreIndependentRowMajorArrays() {
        Tensor x = Tensor.parameter(ramp(2, 3, 4));
        Tensor w = Tensor.parameter(ramp(4, 5).divi(10));
        Tensor b = Tensor.parameter(ramp(5));
        x.linear(w, b).sum().backward();
        INDArray biasBefore = b.grad().dup();
        w.grad().addi(1000.0);
        assertEquals(0.0, b.grad().sub(biasBefore).amaxNumber().doubleValue(), 0.0, "bias gradient changed with the weight's");
        assertEquals(6.0, b.grad().getDouble(0), 0.0); // 6 rows each contributed 1
        for (Tensor leaf : new Tensor[] {x, w, b}) {
            INDArray g = leaf.grad();
            assertTrue(g.ordering() == 'c' && g.offset() == 0 && Shape.hasDefaultStridesForShape(g),
                    "a leaf's gradient is a plain row-major array");
            assertArrayEquals(leaf.shape(), g.shape());
        }
    }

    @Test
    void aLeafSeenThroughAPermutationGetsARowMajorGradient() {
        Tensor x = Tensor.parameter(ramp(2, 3));
        Tensor weights = Tensor.of(ramp(3, 2));
        x.permute(1, 0).mul(weights).sum().backward();
        INDArray g = x.grad();
        assertTrue(g.ordering() == 'c' && Shape.hasDefaultStridesForShape(g));
        assertEquals(0.0, g.sub(weights.data().transpose()).amaxNumber().doubleValue(), 0.0);
    }

    @Test
    void intermediatesKeepNoGradientAfterBackwardButLeavesDo() {
        Tensor x = Tensor.parameter(ramp(3));
        Tensor h = x.mul(2.0);
        Tensor loss = h.sum();
        loss.backward();
        assertNull(h.grad());
        assertEquals(2.0, x.grad().getDouble(1), 0.0);
    }

    @Test
    void aBackwardFunctionReturningAWrongShapeIsReportedAsAnInternalError() {
        Tensor x = Tensor.parameter(ramp(2, 3));
        Tensor bad = Recording.result(x.data().dup(), (g, out) -> Grad.of(Nd4j.ones(DataType.DOUBLE, 4)), x);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> bad.sum().backward());
        assertTrue(e.getMessage().contains("[4]") && e.getMessage().contains("[2, 3]"), e.getMessage());
        Tensor tooFew = Recording.result(x.data().dup(), (g, out) -> new Grad[0], x);
        assertThrows(IllegalStateException.class, () -> tooFew.sum().backward());
    }

    @Test
    void broadcastsToFollowsPyTorchsRules() {
        assertTrue(Backprop.broadcastsTo(new long[] {3, 1}, new long[] {2, 3, 4}));
        assertTrue(Backprop.broadcastsTo(new long[] {}, new long[] {2}));
        assertTrue(!Backprop.broadcastsTo(new long[] {4}, new long[] {2, 3}));
        assertTrue(!Backprop.broadcastsTo(new long[] {2, 2, 3}, new long[] {2, 3}));
    }
}
