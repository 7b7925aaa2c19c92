package dev.nnc.compiler.graph;

import dev.nnc.compiler.semantic.Shape;
import java.util.List;

/**
 * Losses fused with the function that produces their prediction, so that they are computed from
 * logits {@code z} and stay finite where the literal formula overflows (RELIABILITY.md 2.4, 2.5).
 * Operands: {@code (z, y)} of one vector shape; result: a scalar.
 */
public sealed interface LossOp extends Op {
    @Override
    default int arity() {
        return 2;
    }

    @Override
    default Shape shape(List<Shape> args) {
        Shapes.requireSame(this, args);
        return Shape.scalar();
    }

    /**
     * {@code -Σ y log softmax(z) = lse(z) Σy - <y, z>}: {@code cross_entropy(softmax(z), y)}. The
     * gradient in {@code z} is {@code softmax(z) Σy - y}, which is {@code softmax(z) - y} for the
     * one-hot or distribution targets the language intends; the general form is kept so that the
     * gradient is exact for any target.
     */
    record SoftmaxCrossEntropy() implements LossOp {
        /** log-sum-exp ({@code 4n}), Σy ({@code n - 1}), one product, the dot ({@code 2n - 1}), one subtraction. */
        @Override
        public long cost(List<Shape> args, Shape out) {
            return 7L * args.get(0).size();
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] z = args.get(0);
            double[] y = args.get(1);
            // Σ y (lse - z) with lse - z = (m - z) + log Σ exp(z - m): no large intermediate.
            double m = StableMath.shift(z);
            double sum = 0;
            for (double v : z) {
                sum += Math.exp(v - m);
            }
            double log = Math.log(sum);
            double loss = 0;
            for (int i = 0; i < z.length; i++) {
                loss += y[i] * ((m - z[i]) + log);
            }
            return new double[] {loss};
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int z = node.arg(0);
            int y = node.arg(1);
            Shape shape = b.shapeOf(z);
            int g = b.broadcast(adjoint, shape);
            int mass = b.broadcast(b.apply(new TensorOp.Sum(), y), shape);
            int p = b.apply(new VectorOp.Softmax(), z);
            out.add(0, b.multiply(g, b.subtract(b.multiply(p, mass), y)));
            out.add(1, b.negate(b.multiply(g, b.apply(new VectorOp.LogSoftmax(), z))));
        }

        @Override
        public String mnemonic() {
            return "softmax_cross_entropy";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitSoftmaxCrossEntropy(this);
        }
    }

    /**
     * {@code Σ max(z, 0) - z y + log1p(exp(-|z|))}: {@code binary_cross_entropy(sigmoid(z), y)}.
     * Operands {@code (z, y, e)}, where {@code e = exp(-|z|)} is the {@link UnaryOp.ExpNegAbs}
     * node of {@code z} that {@link #of} builds: the loss and its gradient {@code sigmoid(z) - y}
     * (a {@link BinaryOp.SigmoidFromExp} of the same {@code e}) then read one exponential, which
     * CSE shares like any other node. {@code e} is a function of {@code z}, not a free operand:
     * the rule is the derivative of the loss of {@code (z, y)}, {@code sigmoid(z) - y} in {@code
     * z} and {@code -z} in {@code y}, and gives {@code e} no adjoint.
     */
    record SigmoidBinaryCrossEntropy() implements LossOp {
        /** The loss of logits {@code z} and targets {@code y}, with its exponential as a node. */
        public static int of(GraphBuilder b, int z, int y) {
            return b.apply(new SigmoidBinaryCrossEntropy(), z, y, b.apply(new UnaryOp.ExpNegAbs(), z));
        }

        @Override
        public int arity() {
            return 3;
        }

        /** Per element: max, product, subtraction, log1p, addition; the sum. */
        @Override
        public long cost(List<Shape> args, Shape out) {
            return 6L * args.get(0).size() - 1;
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] z = args.get(0);
            double[] y = args.get(1);
            double[] e = args.get(2);
            double loss = 0;
            for (int i = 0; i < z.length; i++) {
                loss += Math.max(z[i], 0.0) - z[i] * y[i] + Math.log1p(e[i]);
            }
            return new double[] {loss};
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int z = node.arg(0);
            int y = node.arg(1);
            int g = b.broadcast(adjoint, b.shapeOf(z));
            int sigmoid = b.apply(new BinaryOp.SigmoidFromExp(), z, node.arg(2));
            out.add(0, b.multiply(g, b.subtract(sigmoid, y)));
            out.add(1, b.negate(b.multiply(g, z)));
        }

        @Override
        public String mnemonic() {
            return "sigmoid_binary_cross_entropy";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitSigmoidBinaryCrossEntropy(this);
        }
    }
}
