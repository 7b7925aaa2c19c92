package dev.nnc.compiler.graph;

import dev.nnc.compiler.semantic.Shape;
import java.util.List;

/**
 * Elementwise functions of one tensor: the result has the operand's shape, and each costs one
 * operation per element (each is one {@code -} or one elementary function call). Derivative rules
 * multiply the adjoint by the local derivative, built from the forward value where that is cheaper
 * ({@code node.id()} is the value {@code y}, {@code node.arg(0)} the operand {@code x}).
 *
 * <p>Sub-gradients at kinks follow PyTorch: {@code relu'(0) = 0}, {@code abs'(0) = 0}, {@code
 * leaky_relu'(0) = alpha} and {@code elu'(0) = alpha} (PyTorch's backward tests {@code x > 0}),
 * {@code step' = 0} everywhere.
 */
public sealed interface UnaryOp extends Op {
    /** The function on one element, in its numerically stable form. */
    double apply(double x);

    @Override
    default int arity() {
        return 1;
    }

    @Override
    default Shape shape(List<Shape> args) {
        return Shapes.requireSame(this, args);
    }

    @Override
    default long cost(List<Shape> args, Shape out) {
        return out.size();
    }

    @Override
    default double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
        double[] x = args.get(0);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = apply(x[i]);
        }
        return y;
    }

    /** {@code -x}. */
    record Negate() implements UnaryOp {
        @Override
        public double apply(double x) {
            return -x;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.negate(adjoint));
        }

        @Override
        public String mnemonic() {
            return "neg";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitNegate(this);
        }
    }

    /** The logistic function; {@code sigma' = sigma (1 - sigma)} from the saved value. */
    record Sigmoid() implements UnaryOp {
        @Override
        public double apply(double x) {
            return StableMath.sigmoid(x);
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int y = node.id();
            out.add(0, b.multiply(adjoint, b.multiply(y, b.subtract(b.constantLike(1, y), y))));
        }

        @Override
        public String mnemonic() {
            return "sigmoid";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitSigmoid(this);
        }
    }

    /** {@code tanh' = 1 - tanh²} from the saved value. */
    record Tanh() implements UnaryOp {
        @Override
        public double apply(double x) {
            return Math.tanh(x);
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int y = node.id();
            out.add(0, b.multiply(adjoint, b.subtract(b.constantLike(1, y), b.multiply(y, y))));
        }

        @Override
        public String mnemonic() {
            return "tanh";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitTanh(this);
        }
    }

    /** {@code max(x, 0)}, NaN-propagating; {@code relu' = step(x)}, so 0 at the kink. */
    record Relu() implements UnaryOp {
        @Override
        public double apply(double x) {
            return Math.max(x, 0.0);
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.multiply(adjoint, b.apply(new Step(), node.arg(0))));
        }

        @Override
        public String mnemonic() {
            return "relu";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitRelu(this);
        }
    }

    /** {@code x > 0 ? x : alpha x}; the slope is {@code alpha} at 0, as in PyTorch. */
    record LeakyRelu(double alpha) implements UnaryOp {
        @Override
        public double apply(double x) {
            return x > 0 ? x : alpha * x;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.multiply(adjoint, b.apply(new LeakySlope(alpha), node.arg(0))));
        }

        @Override
        public String mnemonic() {
            return "leaky_relu(" + Shapes.number(alpha) + ")";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitLeakyRelu(this);
        }
    }

    /**
     * {@code x > 0 ? x : alpha (exp(x) - 1)}; for {@code x <= 0} the slope {@code alpha exp(x)}
     * is {@code y + alpha}, so the rule reuses {@code y}.
     */
    record Elu(double alpha) implements UnaryOp {
        @Override
        public double apply(double x) {
            return x > 0 ? x : alpha * Math.expm1(x);
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.multiply(adjoint, b.apply(new BinaryOp.EluSlope(alpha), node.arg(0), node.id())));
        }

        @Override
        public String mnemonic() {
            return "elu(" + Shapes.number(alpha) + ")";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitElu(this);
        }
    }

    /**
     * {@code exp(-|x|)}: never overflows, and is the one exponential that the stable logistic,
     * softplus and binary cross-entropy formulas need, so that a graph holding several of them
     * for the same {@code x} computes it once (it is a node, which CSE shares). {@code y' =
     * -sign(x) y} reuses {@code y}; 0 at the kink, as {@code abs} is.
     */
    record ExpNegAbs() implements UnaryOp {
        @Override
        public double apply(double x) {
            return Math.exp(-Math.abs(x));
        }

        /** abs, negation, exp. */
        @Override
        public long cost(List<Shape> args, Shape out) {
            return 3L * out.size();
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int slope = b.multiply(b.apply(new Sign(), node.arg(0)), node.id());
            out.add(0, b.negate(b.multiply(adjoint, slope)));
        }

        @Override
        public String mnemonic() {
            return "exp_neg_abs";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitExpNegAbs(this);
        }
    }

    /** {@code exp(-x²)}; {@code y' = -2 x y} reuses {@code y}. */
    record Gaussian() implements UnaryOp {
        @Override
        public double apply(double x) {
            return Math.exp(-(x * x));
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int x = node.arg(0);
            int slope = b.multiply(b.constantLike(-2, x), b.multiply(x, node.id()));
            out.add(0, b.multiply(adjoint, slope));
        }

        @Override
        public String mnemonic() {
            return "gaussian";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitGaussian(this);
        }
    }

    /** The threshold {@code x > 0 ? 1 : 0} (NaN gives 0); its derivative is 0, so no rule. */
    record Step() implements UnaryOp {
        @Override
        public double apply(double x) {
            return x > 0 ? 1 : 0;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            // Zero almost everywhere and undefined at 0: nothing flows back, as in PyTorch.
        }

        @Override
        public String mnemonic() {
            return "step";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitStep(this);
        }
    }

    /** {@code signum(x)}, 0 at 0: the derivative of {@code abs}. Piecewise constant, no rule. */
    record Sign() implements UnaryOp {
        @Override
        public double apply(double x) {
            return Math.signum(x);
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            // Piecewise constant: derivative 0.
        }

        @Override
        public String mnemonic() {
            return "sign";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitSign(this);
        }
    }

    /** {@code x > 0 ? 1 : alpha}: the derivative of {@code leaky_relu}. Piecewise constant. */
    record LeakySlope(double alpha) implements UnaryOp {
        @Override
        public double apply(double x) {
            return x > 0 ? 1 : alpha;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            // Piecewise constant: derivative 0.
        }

        @Override
        public String mnemonic() {
            return "leaky_slope(" + Shapes.number(alpha) + ")";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitLeakySlope(this);
        }
    }

    /** {@code exp' = exp}: the rule reuses the value. */
    record Exp() implements UnaryOp {
        @Override
        public double apply(double x) {
            return Math.exp(x);
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.multiply(adjoint, node.id()));
        }

        @Override
        public String mnemonic() {
            return "exp";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitExp(this);
        }
    }

    /** {@code log' = 1/x}, applied as one division of the adjoint. */
    record Log() implements UnaryOp {
        @Override
        public double apply(double x) {
            return Math.log(x);
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.divide(adjoint, node.arg(0)));
        }

        @Override
        public String mnemonic() {
            return "log";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitLog(this);
        }
    }

    /** {@code sqrt' = 0.5 / r} from the value {@code r}; infinite at 0, as the math says. */
    record Sqrt() implements UnaryOp {
        @Override
        public double apply(double x) {
            return Math.sqrt(x);
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int r = node.id();
            out.add(0, b.multiply(adjoint, b.divide(b.constantLike(0.5, r), r)));
        }

        @Override
        public String mnemonic() {
            return "sqrt";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitSqrt(this);
        }
    }

    /** {@code |x|}; {@code abs' = sign(x)}, so 0 at the kink, as in PyTorch. */
    record Abs() implements UnaryOp {
        @Override
        public double apply(double x) {
            return Math.abs(x);
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.multiply(adjoint, b.apply(new Sign(), node.arg(0))));
        }

        @Override
        public String mnemonic() {
            return "abs";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitAbs(this);
        }
    }

    /** {@code sin' = cos}. */
    record Sin() implements UnaryOp {
        @Override
        public double apply(double x) {
            return Math.sin(x);
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.multiply(adjoint, b.apply(new Cos(), node.arg(0))));
        }

        @Override
        public String mnemonic() {
            return "sin";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitSin(this);
        }
    }

    /** {@code cos' = -sin}. */
    record Cos() implements UnaryOp {
        @Override
        public double apply(double x) {
            return Math.cos(x);
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.negate(b.multiply(adjoint, b.apply(new Sin(), node.arg(0)))));
        }

        @Override
        public String mnemonic() {
            return "cos";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitCos(this);
        }
    }

    /**
     * {@code x^p} for a constant {@code p} that is not an integer (lowering turns integer powers
     * into products and {@code ^0.5} into {@code sqrt}); {@code (x^p)' = p x^(p-1)}. Negative
     * {@code x} gives NaN, as {@link Math#pow} does.
     */
    record Power(double exponent) implements UnaryOp {
        @Override
        public double apply(double x) {
            return Math.pow(x, exponent);
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int x = node.arg(0);
            int slope = b.multiply(b.constantLike(exponent, x), b.apply(new Power(exponent - 1), x));
            out.add(0, b.multiply(adjoint, slope));
        }

        @Override
        public String mnemonic() {
            return "pow(" + Shapes.number(exponent) + ")";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitPower(this);
        }
    }
}
