package gptcourse.autograd;

import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise operations: arithmetic between tensors (broadcasting like PyTorch), with a constant,
 * and functions of one tensor. Each backward function is the derivative from a calculus course,
 * applied elementwise: for {@code a * b}, {@code d/da = g * b}. A broadcast operand receives a
 * gradient of the output's shape; {@link Backprop} sums it down to the operand's shape.
 */
final class Elementwise {
    private Elementwise() {
    }

    /** The arithmetic of {@link #binary}. */
    enum Op { ADD, SUB, MUL, DIV }

    /** {@code x op y} with broadcasting, into a new (recycled, see {@link Buffers}) array. */
    static INDArray binary(Op op, INDArray x, INDArray y) {
        long[] shape = Arrays.equals(x.shape(), y.shape()) ? x.shape() : Shape.broadcastOutputShape(x.shape(), y.shape());
        INDArray z = Buffers.empty(x.dataType(), shape);
        INDArray[] in = {x, y};
        INDArray[] out = {z};
        switch (op) {
            case ADD -> Nd4j.exec(new AddOp(in, out));
            case SUB -> Nd4j.exec(new SubOp(in, out));
            case MUL -> Nd4j.exec(new MulOp(in, out));
            case DIV -> Nd4j.exec(new DivOp(in, out));
            default -> throw new IllegalStateException(op.toString());
        }
        return z;
    }

    // ----------------------------------------------------------------------------------------
    // Two tensors

    /** {@code a + b}: the gradient flows to both unchanged. */
    static Tensor add(Tensor a, Tensor b) {
        return Recording.result(binary(Op.ADD, a.data(), b.data()),
                (g, out) -> new Grad[] {Grad.view(g, g), Grad.view(g, g)}, a, b);
    }

    /** {@code a - b}: {@code g} to a, {@code -g} to b. */
    static Tensor sub(Tensor a, Tensor b) {
        return Recording.result(binary(Op.SUB, a.data(), b.data()),
                (g, out) -> new Grad[] {Grad.view(g, g), b.requiresGrad() ? Grad.fresh(g.neg()) : null}, a, b);
    }

    /** {@code a * b}: {@code g * b} to a, {@code g * a} to b. */
    static Tensor mul(Tensor a, Tensor b) {
        return Recording.result(binary(Op.MUL, a.data(), b.data()), (g, out) -> Grad.of(
                a.requiresGrad() ? binary(Op.MUL, g, b.values()) : null,
                b.requiresGrad() ? binary(Op.MUL, g, a.values()) : null), a, b);
    }

    /** {@code a / b}: {@code g / b} to a, {@code -g * a / b^2 = -g * out / b} to b. */
    static Tensor div(Tensor a, Tensor b) {
        return Recording.result(binary(Op.DIV, a.data(), b.data()), (g, out) -> {
            INDArray ga = a.requiresGrad() ? binary(Op.DIV, g, b.values()) : null;
            INDArray gb = null;
            if (b.requiresGrad()) {
                gb = binary(Op.MUL, g, out.values());
                Nd4j.exec(new DivOp(new INDArray[] {gb, b.values()}, new INDArray[] {gb}));
                gb.negi();
            }
            return Grad.of(ga, gb);
        }, a, b);
    }

    // ----------------------------------------------------------------------------------------
    // A tensor and a constant

    /** {@code a + c}: the gradient passes through. */
    static Tensor add(Tensor a, double c) {
        INDArray out = a.data().add(c, Buffers.empty(a.dtype(), a.shape()));
        return Recording.result(out, (g, o) -> new Grad[] {Grad.view(g, g)}, a);
    }

    /** {@code a * c}: {@code c * g}, computed in the incoming gradient's own memory. */
    static Tensor mul(Tensor a, double c) {
        INDArray out = a.data().mul(c, Buffers.empty(a.dtype(), a.shape()));
        return Recording.result(out, (g, o) -> new Grad[] {Grad.view(g.muli(c), g)}, a);
    }

    // ----------------------------------------------------------------------------------------
    // Functions of one tensor

    /** {@code exp(a)}: {@code d/da = exp(a)}, the output itself. */
    static Tensor exp(Tensor a) {
        return Recording.result(Transforms.exp(a.data(), true), (g, out) -> Grad.of(g.mul(out.values())), a);
    }

    /** {@code log(a)}: {@code d/da = 1 / a}. */
    static Tensor log(Tensor a) {
        return Recording.result(Transforms.log(a.data(), true), (g, out) -> Grad.of(g.div(a.values())), a);
    }

    /** {@code sqrt(a)}: {@code d/da = 1 / (2 sqrt(a))}. */
    static Tensor sqrt(Tensor a) {
        return Recording.result(Transforms.sqrt(a.data(), true), (g, out) -> Grad.of(g.div(out.values()).muli(0.5)), a);
    }

    /** {@code tanh(a)}: {@code d/da = 1 - tanh(a)^2}. */
    static Tensor tanh(Tensor a) {
        return Recording.result(Transforms.tanh(a.data(), true), (g, out) -> {
            INDArray y = out.values();
            return Grad.of(y.mul(y).rsubi(1.0).muli(g));
        }, a);
    }

    /** {@code a^p} for a constant p: {@code d/da = p a^(p-1)}. */
    static Tensor pow(Tensor a, double p) {
        return Recording.result(Transforms.pow(a.data(), p, true),
                (g, out) -> Grad.of(Transforms.pow(a.values(), p - 1, true).muli(p).muli(g)), a);
    }
}
