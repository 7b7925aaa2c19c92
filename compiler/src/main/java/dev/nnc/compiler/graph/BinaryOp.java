package dev.nnc.compiler.graph;

import dev.nnc.compiler.semantic.Shape;
import java.util.List;

/**
 * Elementwise functions of two tensors of one shape (lowering makes scalar broadcasting explicit
 * with {@link TensorOp.Broadcast}), one operation per element. In rules, {@code a} and {@code b}
 * are the operands and {@code node.id()} the value.
 */
public sealed interface BinaryOp extends Op {
    double apply(double a, double b);

    @Override
    default int arity() {
        return 2;
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
        double[] a = args.get(0);
        double[] b = args.get(1);
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = apply(a[i], b[i]);
        }
        return y;
    }

    record Add() implements BinaryOp {
        @Override
        public double apply(double a, double b) {
            return a + b;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, adjoint);
            out.add(1, adjoint);
        }

        @Override
        public boolean isCommutative() {
            return true;
        }

        @Override
        public String mnemonic() {
            return "add";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitAdd(this);
        }
    }

    record Subtract() implements BinaryOp {
        @Override
        public double apply(double a, double b) {
            return a - b;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, adjoint);
            out.add(1, b.negate(adjoint));
        }

        @Override
        public String mnemonic() {
            return "sub";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitSubtract(this);
        }
    }

    record Multiply() implements BinaryOp {
        @Override
        public double apply(double a, double b) {
            return a * b;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.multiply(adjoint, node.arg(1)));
            out.add(1, b.multiply(adjoint, node.arg(0)));
        }

        @Override
        public boolean isCommutative() {
            return true;
        }

        @Override
        public String mnemonic() {
            return "mul";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitMultiply(this);
        }
    }

    /**
     * {@code a / b}; the adjoint of {@code b} is {@code -g (a/b) / b}, from the value, which
     * neither recomputes {@code a/b} nor forms {@code b²} (that underflows to 0 for tiny b).
     */
    record Divide() implements BinaryOp {
        @Override
        public double apply(double a, double b) {
            return a / b;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int divisor = node.arg(1);
            out.add(0, b.divide(adjoint, divisor));
            out.add(1, b.negate(b.divide(b.multiply(adjoint, node.id()), divisor)));
        }

        @Override
        public String mnemonic() {
            return "div";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitDivide(this);
        }
    }

    /**
     * {@code Math.max} (NaN-propagating). The adjoint is routed by {@link MaxShare}, as PyTorch's
     * {@code torch.maximum} routes it: all of it to the larger operand, half to each at a tie.
     */
    record Max() implements BinaryOp {
        @Override
        public double apply(double a, double b) {
            return Math.max(a, b);
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int first = node.arg(0);
            int second = node.arg(1);
            out.add(0, b.multiply(adjoint, b.apply(new MaxShare(), first, second)));
            out.add(1, b.multiply(adjoint, b.apply(new MaxShare(), second, first)));
        }

        @Override
        public String mnemonic() {
            return "max";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitMax(this);
        }
    }

    /**
     * {@code Math.min} (NaN-propagating). The adjoint is routed as PyTorch's {@code torch.minimum}
     * routes it: all of it to the smaller operand, half to each at a tie; the share of {@code a} is
     * {@link MaxShare} of {@code (b, a)}.
     */
    record Min() implements BinaryOp {
        @Override
        public double apply(double a, double b) {
            return Math.min(a, b);
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int first = node.arg(0);
            int second = node.arg(1);
            out.add(0, b.multiply(adjoint, b.apply(new MaxShare(), second, first)));
            out.add(1, b.multiply(adjoint, b.apply(new MaxShare(), first, second)));
        }

        @Override
        public String mnemonic() {
            return "min";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitMin(this);
        }
    }

    /**
     * The share of the adjoint of {@code max(a, b)} that {@code a} receives: {@code a < b ? 0 : a
     * == b ? 1/2 : 1}. This is PyTorch's rule for {@code torch.maximum} and {@code torch.minimum}
     * (half to each operand at a tie, so that {@code max(x, x)} has derivative 1 in {@code x} and
     * the shares of {@code a} and {@code b} add up to 1), including its unordered case: when either
     * operand is NaN both receive the whole adjoint. Piecewise constant, so no rule.
     */
    record MaxShare() implements BinaryOp {
        @Override
        public double apply(double a, double b) {
            if (a < b) {
                return 0;
            }
            return a == b ? 0.5 : 1;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            // Piecewise constant: derivative 0.
        }

        @Override
        public String mnemonic() {
            return "max_share";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitMaxShare(this);
        }
    }

    /** The relations {@link Compare} tests. */
    enum Comparison {
        GE,
        GT,
        LE,
        LT;

        boolean test(double a, double b) {
            return switch (this) {
                case GE -> a >= b;
                case GT -> a > b;
                case LE -> a <= b;
                case LT -> a < b;
            };
        }
    }

    /**
     * {@code a REL b ? 1 : 0} (0 when either is NaN): a mask, e.g. the one {@link EluSlope}'s rule
     * uses. Piecewise constant, so no rule.
     */
    record Compare(Comparison relation) implements BinaryOp {
        @Override
        public double apply(double a, double b) {
            return relation.test(a, b) ? 1 : 0;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            // Piecewise constant: derivative 0.
        }

        @Override
        public String mnemonic() {
            return "cmp_" + relation.name().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitCompare(this);
        }
    }

    /**
     * The derivative of {@code elu} from its operand {@code a = x} and value {@code b = y}: {@code
     * x > 0 ? 1 : y + alpha}. Built by the rule of {@code elu}; its own rule exists for
     * completeness (it is linear in {@code y} where {@code x <= 0}).
     */
    record EluSlope(double alpha) implements BinaryOp {
        @Override
        public double apply(double x, double y) {
            return x > 0 ? 1 : y + alpha;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int x = node.arg(0);
            out.add(1, b.multiply(adjoint, b.apply(new Compare(Comparison.LE), x, b.constantLike(0, x))));
        }

        @Override
        public String mnemonic() {
            return "elu_slope(" + Shapes.number(alpha) + ")";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitEluSlope(this);
        }
    }
}
