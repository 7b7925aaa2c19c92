package dev.nnc.compiler.graph;

import dev.nnc.compiler.semantic.Shape;
import java.util.List;

/**
 * Functions of a whole vector, all computed with the maximum subtracted first (RELIABILITY.md
 * 2.3). The maximum is a constant of differentiation, so rules never pass through it.
 */
public sealed interface VectorOp extends Op {
    @Override
    default int arity() {
        return 1;
    }

    /** {@code exp(x - m) / Σ exp(x - m)}; {@code dx = y (g - <y, g>)} from the value y. */
    record Softmax() implements VectorOp {
        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).isVector(), this, args);
            return args.get(0);
        }

        /** {@code n - 1} max, n subtractions, n exp, {@code n - 1} additions, n divisions. */
        @Override
        public long cost(List<Shape> args, Shape out) {
            return 5L * out.size() - 2;
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] x = args.get(0);
            double m = StableMath.shift(x);
            double[] y = new double[x.length];
            double sum = 0;
            for (int i = 0; i < x.length; i++) {
                y[i] = Math.exp(x[i] - m);
                sum += y[i];
            }
            for (int i = 0; i < x.length; i++) {
                y[i] /= sum;
            }
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int y = node.id();
            int projection = b.broadcast(b.apply(new TensorOp.Dot(), y, adjoint), b.shapeOf(y));
            out.add(0, b.multiply(y, b.subtract(adjoint, projection)));
        }

        @Override
        public String mnemonic() {
            return "softmax";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitSoftmax(this);
        }
    }

    /**
     * {@code x - logsumexp(x)}; {@code dx = g - exp(y) Σ g}, where {@code exp(y)} is the softmax
     * recovered from the value (never {@code log(softmax)}, which underflows to {@code -Inf}).
     */
    record LogSoftmax() implements VectorOp {
        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).isVector(), this, args);
            return args.get(0);
        }

        /** log-sum-exp ({@code 4n}) and n subtractions. */
        @Override
        public long cost(List<Shape> args, Shape out) {
            return 5L * out.size();
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            // (x - m) - log Σ exp(x - m): subtracting m first keeps y accurate when |x| is large.
            double[] x = args.get(0);
            double m = StableMath.shift(x);
            double sum = 0;
            for (double v : x) {
                sum += Math.exp(v - m);
            }
            double log = Math.log(sum);
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = (x[i] - m) - log;
            }
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int y = node.id();
            int total = b.broadcast(b.apply(new TensorOp.Sum(), adjoint), b.shapeOf(y));
            out.add(0, b.subtract(adjoint, b.multiply(b.apply(new UnaryOp.Exp(), y), total)));
        }

        @Override
        public String mnemonic() {
            return "log_softmax";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitLogSoftmax(this);
        }
    }

    /**
     * {@code m + log Σ exp(x - m)}, a scalar; {@code dx = g softmax(x)}. The softmax is computed
     * shifted by the maximum rather than as {@code exp(x - y)}, whose argument loses the low bits
     * of {@code y} when {@code |x|} is large (and it is shared with a forward softmax of x).
     */
    record LogSumExp() implements VectorOp {
        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).isVector(), this, args);
            return Shape.scalar();
        }

        /** {@code n - 1} max, n subtractions, n exp, {@code n - 1} additions, one log, one add. */
        @Override
        public long cost(List<Shape> args, Shape out) {
            return 4L * args.get(0).size();
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            return new double[] {StableMath.logSumExp(args.get(0))};
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int x = node.arg(0);
            int softmax = b.apply(new Softmax(), x);
            out.add(0, b.multiply(b.broadcast(adjoint, b.shapeOf(x)), softmax));
        }

        @Override
        public String mnemonic() {
            return "log_sum_exp";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitLogSumExp(this);
        }
    }
}
