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

    /**
     * The logistic function of {@code a = x} from {@code b = exp(-|x|)}: {@code (x >= 0 ? 1 : b)
     * / (1 + b)}, stable for every {@code x}. Built only by {@link #of}, which makes {@code b}
     * the {@link UnaryOp.ExpNegAbs} node of {@code x}, so that the exponential is a node that CSE
     * shares with the other stable formulas of the same {@code x} (softplus, binary
     * cross-entropy). {@code b} is a function of {@code x}, not a free operand: the rule is the
     * derivative {@code sigma (1 - sigma)} of the logistic function of {@code x}, from the value,
     * and gives {@code b} no adjoint.
     */
    record SigmoidFromExp() implements BinaryOp {
        /** {@code sigmoid(x)} as {@code sigmoid_from_exp(x, exp_neg_abs(x))}. */
        public static int of(GraphBuilder b, int x) {
            return b.apply(new SigmoidFromExp(), x, b.apply(new UnaryOp.ExpNegAbs(), x));
        }

        @Override
        public double apply(double x, double e) {
            return (x >= 0 ? 1 : e) / (1 + e);
        }

        /** The addition and the division (the selection is a conditional move). */
        @Override
        public long cost(List<Shape> args, Shape out) {
            return 2L * out.size();
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int y = node.id();
            out.add(0, b.multiply(adjoint, b.multiply(y, b.subtract(b.constantLike(1, y), y))));
        }

        @Override
        public String mnemonic() {
            return "sigmoid_from_exp";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitSigmoidFromExp(this);
        }
    }

    /**
     * {@code softplus(x) = log(1 + exp(x))} of {@code a = x} from {@code b = exp(-|x|)}: {@code
     * max(x, 0) + log1p(b)}, exact and finite for every {@code x}. Built only by {@link #of},
     * which makes {@code b} the {@link UnaryOp.ExpNegAbs} node of {@code x}, so that the value
     * and its derivative {@code sigmoid(x)} (a {@link SigmoidFromExp} of the same node) share
     * one exponential. {@code b} is a function of {@code x}, not a free operand: the rule sends
     * {@code sigmoid(x)} times the adjoint to {@code x} and gives {@code b} none.
     */
    record SoftplusFromExp() implements BinaryOp {
        /** {@code softplus(x)} as {@code softplus_from_exp(x, exp_neg_abs(x))}. */
        public static int of(GraphBuilder b, int x) {
            return b.apply(new SoftplusFromExp(), x, b.apply(new UnaryOp.ExpNegAbs(), x));
        }

        @Override
        public double apply(double x, double e) {
            return Math.max(x, 0.0) + Math.log1p(e);
        }

        /** The max, log1p and the addition. */
        @Override
        public long cost(List<Shape> args, Shape out) {
            return 3L * out.size();
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.multiply(adjoint, b.apply(new SigmoidFromExp(), node.arg(0), node.arg(1))));
        }

        @Override
        public String mnemonic() {
            return "softplus_from_exp";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitSoftplusFromExp(this);
        }
    }
}
