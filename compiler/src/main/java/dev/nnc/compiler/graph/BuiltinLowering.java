package dev.nnc.compiler.graph;

import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.semantic.Builtin;
import dev.nnc.compiler.semantic.Shape;
import dev.nnc.compiler.semantic.Term;
import java.util.List;

/**
 * Lowers applications of builtins (and layer activations) to primitive ops, including the loss
 * fusions that need to look at how the prediction was computed.
 */
final class BuiltinLowering {
    private final GraphBuilder builder;

    BuiltinLowering(GraphBuilder builder) {
        this.builder = builder;
    }

    /** {@code node} broadcast to {@code shape} if it is a scalar and {@code shape} is not. */
    static int widen(GraphBuilder builder, int node, Shape shape) {
        return builder.shapeOf(node).equals(shape) ? node : builder.broadcast(node, shape);
    }

    int apply(Term.Apply apply, List<Integer> args) {
        Builtin function = apply.function();
        return switch (function.kind()) {
            case ELEMENTWISE -> elementwise(apply, args);
            case VECTOR ->
                function == Builtin.SOFTMAX
                        ? builder.apply(new VectorOp.Softmax(), args.get(0))
                        : builder.apply(new VectorOp.LogSoftmax(), args.get(0));
            case REDUCTION -> reduction(function, args);
            case LOSS -> loss(function, args.get(0), args.get(1));
            case REGULARIZER -> regularizer(function, args);
        };
    }

    private int elementwise(Term.Apply apply, List<Integer> args) {
        if (apply.function() == Builtin.MIN || apply.function() == Builtin.MAX) {
            int a = widen(builder, args.get(0), apply.shape());
            int b = widen(builder, args.get(1), apply.shape());
            return builder.apply(apply.function() == Builtin.MIN ? new BinaryOp.Min() : new BinaryOp.Max(), a, b);
        }
        return activation(apply.function(), apply.option(), args.get(0));
    }

    /** A one-argument elementwise builtin applied to {@code x}. */
    int activation(Builtin function, double option, int x) {
        return switch (function) {
            case IDENTITY -> x;
            case SQUARE -> builder.multiply(x, x);
            case LOG -> log(x);
            // One exp(-|x|) node for the value and for the gradient's sigmoid.
            case SOFTPLUS -> BinaryOp.SoftplusFromExp.of(builder, x);
            default -> builder.apply(unary(function, option), x);
        };
    }

    private static UnaryOp unary(Builtin function, double option) {
        return switch (function) {
            case SIGMOID -> new UnaryOp.Sigmoid();
            case TANH -> new UnaryOp.Tanh();
            case RELU -> new UnaryOp.Relu();
            case LEAKY_RELU -> new UnaryOp.LeakyRelu(option);
            case ELU -> new UnaryOp.Elu(option);
            case GAUSSIAN -> new UnaryOp.Gaussian();
            case STEP -> new UnaryOp.Step();
            case EXP -> new UnaryOp.Exp();
            case SQRT -> new UnaryOp.Sqrt();
            case ABS -> new UnaryOp.Abs();
            case SIN -> new UnaryOp.Sin();
            case COS -> new UnaryOp.Cos();
            default -> throw new InternalCompilerError(function.spelling() + " is not a unary elementwise function");
        };
    }

    /** {@code log(softmax(z))} is {@code log_softmax(z)}, which cannot underflow to {@code -Inf}. */
    private int log(int x) {
        Node node = builder.node(x);
        if (node.op() instanceof VectorOp.Softmax) {
            return builder.apply(new VectorOp.LogSoftmax(), node.arg(0));
        }
        return builder.apply(new UnaryOp.Log(), x);
    }

    private int reduction(Builtin function, List<Integer> args) {
        int x = args.get(0);
        return switch (function) {
            case SUM -> sum(x);
            // mean = (1/n) sum: no op of its own, so the product joins the simplifier's constants.
            case MEAN -> scale(sum(x), 1.0 / builder.shapeOf(x).size());
            case DOT -> builder.apply(new TensorOp.Dot(), x, args.get(1));
            case NORM2 -> builder.apply(new TensorOp.Dot(), x, x);
            default -> throw new InternalCompilerError(function.spelling() + " is not a reduction");
        };
    }

    private int loss(Builtin function, int prediction, int target) {
        Node predicted = builder.node(prediction);
        switch (function) {
            case MSE -> {
                int d = builder.subtract(prediction, target);
                return scale(
                        builder.apply(new TensorOp.Dot(), d, d),
                        1.0 / builder.shapeOf(d).size());
            }
            case SSE -> {
                int d = builder.subtract(prediction, target);
                return builder.multiply(builder.constant(0.5, Shape.scalar()), builder.apply(new TensorOp.Dot(), d, d));
            }
            case CROSS_ENTROPY -> {
                if (predicted.op() instanceof VectorOp.Softmax) {
                    return builder.apply(new LossOp.SoftmaxCrossEntropy(), predicted.arg(0), target);
                }
                return builder.negate(builder.apply(new TensorOp.Dot(), target, log(prediction)));
            }
            case BINARY_CROSS_ENTROPY -> {
                if (predicted.op() instanceof UnaryOp.Sigmoid) {
                    return LossOp.SigmoidBinaryCrossEntropy.of(builder, predicted.arg(0), target);
                }
                return binaryCrossEntropyOfProbabilities(prediction, target);
            }
            default -> throw new InternalCompilerError(function.spelling() + " is not a loss");
        }
    }

    /**
     * {@code -Σ [y log p + (1 - y) log(1 - p)]} as written: used only when {@code p} is not a
     * sigmoid the fused form could start from.
     */
    private int binaryCrossEntropyOfProbabilities(int p, int y) {
        int one = builder.constantLike(1, p);
        int positive = builder.multiply(y, log(p));
        int negative = builder.multiply(builder.subtract(one, y), log(builder.subtract(one, p)));
        return builder.negate(sum(builder.add(positive, negative)));
    }

    private int regularizer(Builtin function, List<Integer> args) {
        int total = -1;
        for (int w : args) {
            int term = function == Builtin.L1
                    ? sum(builder.apply(new UnaryOp.Abs(), w))
                    : builder.apply(new TensorOp.Dot(), w, w);
            total = total < 0 ? term : builder.add(total, term);
        }
        return total < 0 ? builder.constant(0, Shape.scalar()) : total;
    }

    private int sum(int x) {
        return builder.shapeOf(x).isScalar() ? x : builder.apply(new TensorOp.Sum(), x);
    }

    private int scale(int x, double factor) {
        return factor == 1 ? x : builder.multiply(builder.constant(factor, Shape.scalar()), x);
    }
}
