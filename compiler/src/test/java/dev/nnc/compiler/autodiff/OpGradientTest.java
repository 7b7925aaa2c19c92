package dev.nnc.compiler.autodiff;

import static dev.nnc.compiler.graph.GradientOracle.EPS;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.graph.BinaryOp;
import dev.nnc.compiler.graph.Bindings;
import dev.nnc.compiler.graph.GradientOracle;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.GraphBuilder;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.LossOp;
import dev.nnc.compiler.graph.Op;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.graph.SequenceOp;
import dev.nnc.compiler.graph.SpatialOp;
import dev.nnc.compiler.graph.TensorOp;
import dev.nnc.compiler.graph.UnaryOp;
import dev.nnc.compiler.graph.VectorOp;
import dev.nnc.compiler.graph.Window;
import dev.nnc.compiler.pass.Passes;
import dev.nnc.compiler.semantic.Shape;
import dev.nnc.compiler.semantic.Term.Recurrent.Cell;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * G1 for every op's derivative rule: the op applied to argument leaves, reduced to a scalar with
 * random weights ({@code L = <op(args), w>}), differentiated, and compared with central
 * differences on random N(0,1) and U(-3,3) inputs (3 seeds) and on the magnitude grid; samples
 * within {@code 10 eps} of a kink are excluded. The optimised graph is checked too.
 */
class OpGradientTest {
    private static final double[] GRID = {-50, -20, -5, -1, -0.5, -1e-3, 1e-3, 0.5, 1, 5, 20, 50};
    private static final double[] POSITIVE_GRID = {1e-8, 1e-3, 0.5, 1, 10, 1e6};
    private static final long[] SEEDS = {1, 2, 3};

    /** Where an op may be sampled. */
    enum Domain {
        ANY,
        POSITIVE,
        /** Values of moderate size, for ops that overflow on the grid (exp of products...). */
        MODERATE
    }

    /** How a case applies its op to the argument leaves; returns the node. */
    interface Application {
        int apply(GraphBuilder builder, List<Integer> leaves);
    }

    /**
     * An op under test: operand shapes, domain, which samples sit on a kink, and how the op is
     * applied: to the leaves as its operands, or, for an op with an operand that is a function
     * of another ({@code exp(-|z|)} of {@code z}), through the factory that builds that operand.
     */
    record Case(
            String name,
            Op op,
            List<Shape> shapes,
            Domain domain,
            BiPredicate<double[][], Integer> nearKink,
            Application application) {
        Case(String name, Op op, List<Shape> shapes, Domain domain, BiPredicate<double[][], Integer> nearKink) {
            this(name, op, shapes, domain, nearKink, (b, leaves) -> b.apply(op, leaves));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final Shape V = Shape.vector(GRID.length);
    private static final Shape M23 = Shape.matrix(2, 3);

    private static BiPredicate<double[][], Integer> kinkAtZero() {
        return (args, i) -> Math.abs(args[0][i]) < 10 * EPS;
    }

    private static BiPredicate<double[][], Integer> tie() {
        return (args, i) -> Math.abs(args[0][i] - args[1][i]) < 10 * EPS;
    }

    private static final BiPredicate<double[][], Integer> SMOOTH = (args, i) -> false;

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        unary(cases, new UnaryOp.Negate(), Domain.ANY, SMOOTH);
        unary(cases, new UnaryOp.Sigmoid(), Domain.ANY, SMOOTH);
        unary(cases, new UnaryOp.Tanh(), Domain.ANY, SMOOTH);
        unary(cases, new UnaryOp.Relu(), Domain.ANY, kinkAtZero());
        unary(cases, new UnaryOp.LeakyRelu(0.2), Domain.ANY, kinkAtZero());
        unary(cases, new UnaryOp.Elu(1.0), Domain.ANY, kinkAtZero());
        unary(cases, new UnaryOp.Elu(0.5), Domain.ANY, kinkAtZero());
        unary(cases, new UnaryOp.Gaussian(), Domain.ANY, SMOOTH);
        unary(cases, new UnaryOp.ExpNegAbs(), Domain.ANY, kinkAtZero());
        unary(cases, new UnaryOp.Step(), Domain.ANY, kinkAtZero());
        unary(cases, new UnaryOp.Sign(), Domain.ANY, kinkAtZero());
        unary(cases, new UnaryOp.LeakySlope(0.3), Domain.ANY, kinkAtZero());
        unary(cases, new UnaryOp.Exp(), Domain.ANY, SMOOTH);
        unary(cases, new UnaryOp.Log(), Domain.POSITIVE, SMOOTH);
        unary(cases, new UnaryOp.Sqrt(), Domain.POSITIVE, SMOOTH);
        unary(cases, new UnaryOp.Abs(), Domain.ANY, kinkAtZero());
        unary(cases, new UnaryOp.Sin(), Domain.ANY, SMOOTH);
        unary(cases, new UnaryOp.Cos(), Domain.ANY, SMOOTH);
        unary(cases, new UnaryOp.Power(1.5), Domain.POSITIVE, SMOOTH);
        unary(cases, new UnaryOp.Power(-0.7), Domain.POSITIVE, SMOOTH);
        binary(cases, new BinaryOp.Add(), Domain.ANY, SMOOTH);
        binary(cases, new BinaryOp.Subtract(), Domain.ANY, SMOOTH);
        binary(cases, new BinaryOp.Multiply(), Domain.ANY, SMOOTH);
        binary(cases, new BinaryOp.Divide(), Domain.POSITIVE, SMOOTH);
        binary(cases, new BinaryOp.Max(), Domain.ANY, tie());
        binary(cases, new BinaryOp.Min(), Domain.ANY, tie());
        binary(cases, new BinaryOp.MaxShare(), Domain.ANY, tie());
        binary(cases, new BinaryOp.Compare(BinaryOp.Comparison.GE), Domain.ANY, tie());
        binary(cases, new BinaryOp.EluSlope(0.5), Domain.ANY, kinkAtZero());
        cases.add(new Case(
                "sigmoid_from_exp",
                new BinaryOp.SigmoidFromExp(),
                List.of(V),
                Domain.ANY,
                SMOOTH,
                (b, leaves) -> BinaryOp.SigmoidFromExp.of(b, leaves.get(0))));
        cases.add(new Case(
                "softplus_from_exp",
                new BinaryOp.SoftplusFromExp(),
                List.of(V),
                Domain.ANY,
                SMOOTH,
                (b, leaves) -> BinaryOp.SoftplusFromExp.of(b, leaves.get(0))));
        Shape s = Shape.scalar();
        Shape v3 = Shape.vector(3);
        Shape v2 = Shape.vector(2);
        cases.add(new Case("broadcast", new TensorOp.Broadcast(v3), List.of(s), Domain.ANY, SMOOTH));
        cases.add(new Case("sum", new TensorOp.Sum(), List.of(M23), Domain.ANY, SMOOTH));
        cases.add(new Case("dot", new TensorOp.Dot(), List.of(v3, v3), Domain.ANY, SMOOTH));
        cases.add(new Case("element", new TensorOp.Element(1), List.of(v3), Domain.ANY, SMOOTH));
        cases.add(new Case("scatter", new TensorOp.Scatter(2, 4), List.of(s), Domain.ANY, SMOOTH));
        cases.add(new Case("matvec", new TensorOp.MatVec(), List.of(M23, v3), Domain.ANY, SMOOTH));
        cases.add(new Case("matmul", new TensorOp.MatMul(), List.of(M23, Shape.matrix(3, 2)), Domain.ANY, SMOOTH));
        cases.add(new Case("transpose", new TensorOp.Transpose(), List.of(M23), Domain.ANY, SMOOTH));
        cases.add(new Case("outer", new TensorOp.Outer(), List.of(v2, v3), Domain.ANY, SMOOTH));
        cases.add(new Case("tile", new TensorOp.Tile(2), List.of(v3), Domain.ANY, SMOOTH));
        cases.add(new Case("column_sum", new TensorOp.ColumnSum(), List.of(M23), Domain.ANY, SMOOTH));
        cases.add(new Case("spread", new TensorOp.Spread(3), List.of(v2), Domain.ANY, SMOOTH));
        cases.add(new Case("row_sum", new TensorOp.RowSum(), List.of(M23), Domain.ANY, SMOOTH));
        cases.add(new Case("softmax", new VectorOp.Softmax(), List.of(v3), Domain.ANY, SMOOTH));
        cases.add(new Case("log_softmax", new VectorOp.LogSoftmax(), List.of(v3), Domain.ANY, SMOOTH));
        cases.add(new Case("log_sum_exp", new VectorOp.LogSumExp(), List.of(v3), Domain.ANY, SMOOTH));
        cases.add(new Case(
                "softmax_cross_entropy", new LossOp.SoftmaxCrossEntropy(), List.of(v3, v3), Domain.ANY, SMOOTH));
        cases.add(new Case(
                "sigmoid_binary_cross_entropy",
                new LossOp.SigmoidBinaryCrossEntropy(),
                List.of(v3, v3),
                Domain.ANY,
                SMOOTH,
                (b, leaves) -> LossOp.SigmoidBinaryCrossEntropy.of(b, leaves.get(0), leaves.get(1))));
        spatial(cases);
        recurrent(cases);
        embedding(cases);
        return cases.stream();
    }

    /**
     * The window ops, each with all options away from their defaults: asymmetric kernels,
     * strides, padding that differs before and after, dilation, windows that overlap.
     */
    private static void spatial(List<Case> cases) {
        Shape image = Shape.of(2, 5, 6);
        Window conv2d = new Window(List.of(3, 2), List.of(2, 1), List.of(1, 0), List.of(1, 1), List.of(1, 2));
        Shape weight2d = conv2d.weight(3, 2);
        Shape out2d = conv2d.output(image, 3);
        cases.add(new Case(
                "conv2d",
                new SpatialOp.Conv(conv2d, image, true),
                List.of(image, weight2d, Shape.vector(3)),
                Domain.ANY,
                SMOOTH));
        cases.add(new Case(
                "conv2d_input_grad",
                new SpatialOp.ConvInputGrad(conv2d, image),
                List.of(out2d, weight2d),
                Domain.ANY,
                SMOOTH));
        cases.add(new Case(
                "conv2d_weight_grad",
                new SpatialOp.ConvWeightGrad(conv2d, image),
                List.of(out2d, image),
                Domain.ANY,
                SMOOTH));
        Shape signal = Shape.of(2, 9);
        Window conv1d = new Window(List.of(3), List.of(2), List.of(1), List.of(2), List.of(2));
        cases.add(new Case(
                "conv1d",
                new SpatialOp.Conv(conv1d, signal, false),
                List.of(signal, conv1d.weight(3, 2)),
                Domain.ANY,
                SMOOTH));
        Window pool2d = new Window(List.of(2, 3), List.of(2, 2), List.of(1, 1), List.of(1, 0), List.of(1, 1));
        Shape pooled = pool2d.output(image, 2);
        cases.add(new Case("max_pool2d", new SpatialOp.MaxPool(pool2d, image), List.of(image), Domain.ANY, tied(0, 8)));
        cases.add(new Case(
                "max_pool2d_grad",
                new SpatialOp.MaxPoolGrad(pool2d, image),
                List.of(pooled, image, pooled),
                Domain.ANY,
                tied(1, 8)));
        cases.add(new Case(
                "max_pool2d_pick",
                new SpatialOp.MaxPoolPick(pool2d, image),
                List.of(image, image),
                Domain.ANY,
                tied(1, 8)));
        Window overlapping = new Window(List.of(3), List.of(1), List.of(1), List.of(1), List.of(1));
        cases.add(new Case(
                "max_pool1d_overlapping",
                new SpatialOp.MaxPool(overlapping, signal),
                List.of(signal),
                Domain.ANY,
                tied(0, 2)));
        cases.add(new Case("avg_pool2d", new SpatialOp.AvgPool(pool2d, image), List.of(image), Domain.ANY, SMOOTH));
        cases.add(new Case(
                "avg_pool2d_grad", new SpatialOp.AvgPoolGrad(pool2d, image), List.of(pooled), Domain.ANY, SMOOTH));
        cases.add(new Case("channel_sum", new SpatialOp.ChannelSum(), List.of(image), Domain.ANY, SMOOTH));
        cases.add(new Case(
                "channel_spread", new SpatialOp.ChannelSpread(image), List.of(Shape.vector(2)), Domain.ANY, SMOOTH));
        cases.add(new Case("reshape", new SpatialOp.Reshape(Shape.of(3, 2, 10)), List.of(image), Domain.ANY, SMOOTH));
        cases.add(new Case("slice", new SpatialOp.Slice(1, 3), List.of(Shape.of(4, 2, 3)), Domain.ANY, SMOOTH));
        cases.add(new Case(
                "unslice",
                new SpatialOp.Unslice(1, Shape.of(4, 2, 3)),
                List.of(Shape.of(2, 2, 3)),
                Domain.ANY,
                SMOOTH));
        cases.add(new Case("concat", new SpatialOp.Concat(2), List.of(Shape.of(1, 5, 6), image), Domain.ANY, SMOOTH));
    }

    /**
     * The recurrence of each cell over three steps of two units, differentiated through the
     * whole trace (every gate and cell state weighted, not only the states), which checks the
     * backward pass through time in {@link SequenceOp.RecurrenceGrad} too.
     */
    private static void recurrent(List<Case> cases) {
        int steps = 3;
        int units = 2;
        for (Cell cell : Cell.values()) {
            int rows = cell.gates() * units;
            SequenceOp.Recurrence op = new SequenceOp.Recurrence(cell, steps, units);
            List<Shape> shapes = List.of(Shape.matrix(steps, rows), Shape.matrix(rows, units), Shape.vector(rows));
            String name = "recurrence_" + cell.name().toLowerCase(java.util.Locale.ROOT);
            if (cell != Cell.RNN_RELU) {
                cases.add(new Case(name, op, shapes, Domain.ANY, SMOOTH));
                continue;
            }
            // The grid's opposite values would meet at relu's kink on the first step (p = -50,
            // b = 50): the bias is shifted off it, and samples that still come near it skipped.
            cases.add(new Case(
                    name,
                    op,
                    shapes,
                    Domain.ANY,
                    (args, i) -> reluRecurrenceNearKink(args, steps, units),
                    (b, leaves) -> b.apply(
                            op,
                            leaves.get(0),
                            leaves.get(1),
                            b.add(
                                    leaves.get(2),
                                    b.broadcast(b.constant(RELU_BIAS_SHIFT, Shape.scalar()), shapes.get(2))))));
        }
    }

    /**
     * An embedding's lookup differentiated in its weight (ids repeated in a sample, and a scalar
     * id), and the weight gradient in its output adjoint. Ids are constants: they are integers,
     * have no derivative, and a finite difference of them would leave the table.
     */
    private static void embedding(List<Case> cases) {
        double[] ids = {2, 0, 2};
        cases.add(new Case(
                "embedding",
                new TensorOp.Embedding(),
                List.of(Shape.matrix(4, 3)),
                Domain.ANY,
                SMOOTH,
                (b, leaves) -> b.apply(new TensorOp.Embedding(), constantIds(b, ids), leaves.get(0))));
        cases.add(new Case(
                "embedding_scalar_id",
                new TensorOp.Embedding(),
                List.of(Shape.matrix(3, 2)),
                Domain.ANY,
                SMOOTH,
                (b, leaves) -> b.apply(new TensorOp.Embedding(), b.constant(1, Shape.scalar()), leaves.get(0))));
        cases.add(new Case(
                "embedding_grad",
                new TensorOp.EmbeddingGrad(4),
                List.of(Shape.matrix(3, 3)),
                Domain.ANY,
                SMOOTH,
                (b, leaves) -> b.apply(new TensorOp.EmbeddingGrad(4), constantIds(b, ids), leaves.get(0))));
    }

    /** The vector {@code ids} as a sum of scattered constants. */
    private static int constantIds(GraphBuilder b, double[] ids) {
        int vector = -1;
        for (int i = 0; i < ids.length; i++) {
            int element = b.apply(new TensorOp.Scatter(i, ids.length), b.constant(ids[i], Shape.scalar()));
            vector = vector < 0 ? element : b.add(vector, element);
        }
        return vector;
    }

    private static final double RELU_BIAS_SHIFT = 0.37;

    /** Whether a pre-activation of the shifted relu recurrence lies within 1e-4 of zero. */
    private static boolean reluRecurrenceNearKink(double[][] args, int steps, int units) {
        double[] h = new double[units];
        for (int t = 0; t < steps; t++) {
            double[] next = new double[units];
            for (int u = 0; u < units; u++) {
                double pre = args[0][t * units + u] + args[2][u] + RELU_BIAS_SHIFT;
                for (int j = 0; j < units; j++) {
                    pre += args[1][u * units + j] * h[j];
                }
                if (Math.abs(pre) < 1e-4) {
                    return true;
                }
                next[u] = Math.max(pre, 0);
            }
            h = next;
        }
        return false;
    }

    /**
     * Samples where operand {@code a} holds another element within {@code 10 eps} of element
     * {@code i}'s value, at most {@code reach} positions away (as far apart as two elements of one
     * window can be): the window's maximum may change there, where the derivative is a choice.
     */
    private static BiPredicate<double[][], Integer> tied(int a, int reach) {
        return (args, i) -> {
            if (i >= args[a].length) {
                return false;
            }
            for (int j = Math.max(0, i - reach); j <= Math.min(args[a].length - 1, i + reach); j++) {
                if (j != i && Math.abs(args[a][j] - args[a][i]) < 10 * EPS) {
                    return true;
                }
            }
            return false;
        };
    }

    private static void unary(List<Case> cases, Op op, Domain domain, BiPredicate<double[][], Integer> kink) {
        cases.add(new Case(op.mnemonic(), op, List.of(V), domain, kink));
    }

    private static void binary(List<Case> cases, Op op, Domain domain, BiPredicate<double[][], Integer> kink) {
        cases.add(new Case(op.mnemonic(), op, List.of(V, V), domain, kink));
    }

    static Stream<Arguments> samples() {
        return cases().flatMap(c -> {
            List<Arguments> all = new ArrayList<>();
            for (long seed : SEEDS) {
                all.add(Arguments.of(c, "normal seed " + seed, random(c, seed, true)));
                all.add(Arguments.of(c, "uniform seed " + seed, random(c, seed, false)));
            }
            all.add(Arguments.of(c, "grid", grid(c)));
            return all.stream();
        });
    }

    private static double[][] random(Case c, long seed, boolean normal) {
        Random random = new Random(seed);
        double[][] args = new double[c.shapes().size()][];
        for (int a = 0; a < args.length; a++) {
            args[a] = new double[c.shapes().get(a).size()];
            for (int i = 0; i < args[a].length; i++) {
                double x = normal ? random.nextGaussian() : random.nextDouble() * 6 - 3;
                args[a][i] = c.domain() == Domain.POSITIVE ? Math.abs(x) + 0.05 : x;
            }
        }
        return args;
    }

    /** The magnitude grid; the second operand of a binary op gets the grid reversed. */
    private static double[][] grid(Case c) {
        double[] values = c.domain() == Domain.POSITIVE ? POSITIVE_GRID : GRID;
        double[][] args = new double[c.shapes().size()][];
        for (int a = 0; a < args.length; a++) {
            args[a] = new double[c.shapes().get(a).size()];
            for (int i = 0; i < args[a].length; i++) {
                args[a][i] = values[(a == 0 ? i : values.length * GRID.length - 1 - i) % values.length];
            }
        }
        return args;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("samples")
    void derivativeRuleMatchesCentralDifferences(Case c, String label, double[][] args) {
        boolean elementwise = c.op() instanceof UnaryOp || c.op() instanceof BinaryOp;
        if (!label.equals("grid") || !elementwise) {
            assertTrue(check(c, c.shapes(), args) > 0, "every sample was excluded");
            return;
        }
        // One grid point at a time: in a sum over the grid, exp(50) would drown exp(-5)'s change.
        int checked = 0;
        for (int i = 0; i < args[0].length; i++) {
            double[][] point = new double[args.length][];
            for (int a = 0; a < args.length; a++) {
                point[a] = new double[] {args[a][i]};
            }
            checked += check(c, c.shapes().stream().map(s -> Shape.scalar()).toList(), point);
        }
        assertTrue(checked > 0, "every sample was excluded");
    }

    private static int check(Case c, List<Shape> shapes, double[][] args) {
        GraphBuilder b = GraphBuilder.create();
        List<LeafOp.Argument> leaves = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        Map<String, double[]> values = new HashMap<>();
        for (int a = 0; a < args.length; a++) {
            LeafOp.Argument leaf = new LeafOp.Argument("a" + a, shapes.get(a), a);
            leaves.add(leaf);
            ids.add(b.apply(leaf));
            values.put("a" + a, args[a]);
        }
        int y = c.application().apply(b, ids);
        Shape shape = b.shapeOf(y);
        int w = b.apply(new LeafOp.Argument("w", shape, args.length));
        int loss = shape.isScalar() ? b.multiply(y, w) : b.apply(new TensorOp.Dot(), y, w);
        Random random = new Random(42);
        values.put("w", random.doubles(shape.size(), -1, 1).toArray());
        Graph forward = b.build(List.of(new Output(Output.Kind.VALUE, "L", loss)));
        Graph differentiated = ReverseMode.differentiate(forward, Output.Kind.VALUE, leaves);
        Bindings at = Bindings.of(values);
        List<String> names = leaves.stream().map(LeafOp.Argument::name).toList();
        BiPredicate<String, Integer> skip = (leaf, i) -> c.nearKink().test(args, i);
        int checked = GradientOracle.check(forward, differentiated, Output.Kind.VALUE, at, names, skip);
        GradientOracle.check(forward, Passes.optimize(differentiated), Output.Kind.VALUE, at, names, skip);
        return checked;
    }
}
