package dev.nnc.compiler.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.autodiff.ReverseMode;
import dev.nnc.compiler.graph.BinaryOp;
import dev.nnc.compiler.graph.Bindings;
import dev.nnc.compiler.graph.Evaluator;
import dev.nnc.compiler.graph.GradientOracle;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.GraphBuilder;
import dev.nnc.compiler.graph.GraphPrinter;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.graph.TensorOp;
import dev.nnc.compiler.graph.UnaryOp;
import dev.nnc.compiler.graph.VectorOp;
import dev.nnc.compiler.semantic.Shape;
import dev.nnc.compiler.testing.Trials;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Properties over randomly generated expression graphs of scalars and vectors: the symbolic
 * gradient matches central differences, and every pass (and the whole suite) preserves the value
 * of every output, gradients included. {@link Trials} draws the graphs from fixed seeds, so a
 * failure names the seed that rebuilds its graph, and prints the graph and the point.
 */
class RandomGraphPropertiesTest {
    private static final Shape VECTOR = Shape.vector(3);

    /** Attempts {@link #smoothSample} makes before it calls the generator broken. */
    private static final int MAX_ATTEMPTS = 100;

    /** A random graph and a point to evaluate it at. */
    private record Sample(Graph graph, List<LeafOp.Argument> leaves, Bindings at) {
        @Override
        public String toString() {
            StringBuilder text = new StringBuilder(GraphPrinter.print(graph));
            for (LeafOp.Argument leaf : leaves) {
                text.append("at ")
                        .append(leaf.name())
                        .append(" = ")
                        .append(Arrays.toString(at.values().get(leaf.name())))
                        .append('\n');
            }
            return text.toString();
        }
    }

    /**
     * A graph without kinks whose value at its point is finite and below 1e4 in magnitude, where
     * central differences are accurate. A graph outside that is replaced by another, so that
     * every trial checks a gradient (none of 3,000 trials from the default seed needed one).
     */
    private static Sample smoothSample(RandomGenerator random) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Sample sample = generate(random, false);
            double value = Evaluator.evaluate(sample.graph(), sample.at()).scalar(Output.Kind.VALUE);
            if (Double.isFinite(value) && Math.abs(value) < 1e4) {
                return sample;
            }
        }
        throw new IllegalStateException(MAX_ATTEMPTS + " graphs in a row had no moderate value");
    }

    /** Any graph, kinks (max, min, relu) included. */
    private static Sample anySample(RandomGenerator random) {
        return generate(random, true);
    }

    /**
     * Four leaves (two scalars, two 3-vectors) valued in [-2, 2), then 4 to 15 random operations,
     * each on recent nodes of one shape; the output is the last scalar plus the sum of the last
     * vector.
     */
    private static Sample generate(RandomGenerator random, boolean withKinks) {
        GraphBuilder b = GraphBuilder.create();
        List<Integer> scalars = new ArrayList<>();
        List<Integer> vectors = new ArrayList<>();
        List<LeafOp.Argument> leaves = new ArrayList<>();
        Map<String, double[]> values = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            Shape shape = i < 2 ? Shape.scalar() : VECTOR;
            LeafOp.Argument leaf = new LeafOp.Argument("a" + i, shape, i);
            leaves.add(leaf);
            (i < 2 ? scalars : vectors).add(b.apply(leaf));
            values.put(leaf.name(), random.doubles(shape.size(), -2, 2).toArray());
        }
        int count = 4 + random.nextInt(12);
        for (int n = 0; n < count; n++) {
            boolean vector = random.nextBoolean();
            List<Integer> pool = vector ? vectors : scalars;
            int x = pick(random, pool);
            int y = pick(random, pool);
            int node = switch (random.nextInt(withKinks ? 14 : 12)) {
                case 0 -> smoothUnary(random, b, x);
                case 1 -> b.add(x, y);
                case 2 -> b.subtract(x, y);
                case 3 -> b.multiply(x, y);
                case 4 -> b.divide(x, b.add(b.constantLike(2, y), b.apply(new UnaryOp.Tanh(), y)));
                case 5 -> vector ? b.apply(new TensorOp.Sum(), x) : b.broadcast(x, VECTOR);
                case 6 -> vector ? b.apply(new TensorOp.Dot(), x, y) : b.multiply(b.constantLike(2.5, x), x);
                case 7 -> vector ? b.apply(new VectorOp.Softmax(), x) : b.negate(x);
                case 8 -> vector ? b.apply(new TensorOp.Element(random.nextInt(3)), x) : b.add(x, b.constantLike(0, x));
                case 9 -> vector ? b.apply(new VectorOp.LogSumExp(), x) : b.multiply(x, x);
                case 10 -> likeTerms(random, b, x, y);
                case 11 -> b.subtract(b.add(x, y), b.multiply(b.constantLike(coefficient(random), x), x));
                case 12 -> b.apply(random.nextBoolean() ? new BinaryOp.Max() : new BinaryOp.Min(), x, y);
                default -> b.apply(new UnaryOp.Relu(), x);
            };
            (b.shapeOf(node).isScalar() ? scalars : vectors).add(node);
        }
        int result =
                b.add(scalars.get(scalars.size() - 1), b.apply(new TensorOp.Sum(), vectors.get(vectors.size() - 1)));
        Graph graph = b.build(List.of(new Output(Output.Kind.VALUE, "f", result)));
        return new Sample(graph, leaves, Bindings.of(values));
    }

    /**
     * A chain of 2 to 8 terms drawn from {@code x}, {@code y} and their multiples (so that like
     * terms repeat, with either sign) and constants, joined by {@code +} and {@code -}.
     */
    private static int likeTerms(RandomGenerator random, GraphBuilder b, int x, int y) {
        int terms = 2 + random.nextInt(7);
        int sum = -1;
        for (int i = 0; i < terms; i++) {
            int base = random.nextBoolean() ? x : y;
            int term = switch (random.nextInt(4)) {
                case 0 -> base;
                case 1 -> b.multiply(b.constantLike(coefficient(random), base), base);
                case 2 -> b.negate(base);
                default -> b.constantLike(coefficient(random), base);
            };
            sum = sum < 0 ? term : random.nextInt(3) == 0 ? b.subtract(sum, term) : b.add(sum, term);
        }
        return sum;
    }

    private static double coefficient(RandomGenerator random) {
        double[] choices = {-2, -1, -0.5, 0, 0.5, 1, 2, 3};
        return choices[random.nextInt(choices.length)];
    }

    private static int pick(RandomGenerator random, List<Integer> pool) {
        // Prefer recent nodes, so that graphs are deep rather than wide.
        int bound = Math.min(pool.size(), 4);
        return pool.get(pool.size() - 1 - random.nextInt(bound));
    }

    /** A smooth function of {@code x}; softplus with its {@code exp(-|x|)} node, as lowering builds it. */
    private static int smoothUnary(RandomGenerator random, GraphBuilder b, int x) {
        return switch (random.nextInt(7)) {
            case 0 -> b.apply(new UnaryOp.Tanh(), x);
            case 1 -> b.apply(new UnaryOp.Sigmoid(), x);
            case 2 -> b.apply(new UnaryOp.Sin(), x);
            case 3 -> b.apply(new UnaryOp.Cos(), x);
            case 4 -> BinaryOp.SoftplusFromExp.of(b, x);
            case 5 -> b.apply(new UnaryOp.Gaussian(), x);
            default -> b.apply(new UnaryOp.Negate(), x);
        };
    }

    @TestFactory
    Stream<DynamicTest> symbolicGradientMatchesFiniteDifferences() {
        return Trials.check(
                300,
                RandomGraphPropertiesTest::smoothSample,
                RandomGraphPropertiesTest::gradientMatchesFiniteDifferences);
    }

    @TestFactory
    Stream<DynamicTest> everyPassPreservesEveryOutput() {
        return Trials.check(300, RandomGraphPropertiesTest::anySample, RandomGraphPropertiesTest::passesPreserveValues);
    }

    /**
     * A sum of like terms of two scalars whose values are drawn from infinities, NaN and finite
     * numbers: simplification keeps each NaN and infinity of the sum (and its finite values up to
     * rounding).
     */
    private static Sample nonFiniteSum(RandomGenerator random) {
        GraphBuilder b = GraphBuilder.create();
        double[] values = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1.5, -0.75};
        List<LeafOp.Argument> leaves =
                List.of(new LeafOp.Argument("x", Shape.scalar(), 0), new LeafOp.Argument("y", Shape.scalar(), 1));
        int sum = likeTerms(random, b, b.apply(leaves.get(0)), b.apply(leaves.get(1)));
        Map<String, double[]> at = Map.of(
                "x", new double[] {values[random.nextInt(values.length)]},
                "y", new double[] {values[random.nextInt(values.length)]});
        return new Sample(b.build(List.of(new Output(Output.Kind.VALUE, "f", sum))), leaves, Bindings.of(at));
    }

    @TestFactory
    Stream<DynamicTest> simplifyingASumKeepsItsNaNsAndInfinities() {
        return Trials.check(300, RandomGraphPropertiesTest::nonFiniteSum, sample -> {
            double want = Evaluator.evaluate(sample.graph(), sample.at()).scalar(Output.Kind.VALUE);
            double got = Evaluator.evaluate(Passes.optimize(sample.graph()), sample.at())
                    .scalar(Output.Kind.VALUE);
            assertTrue(
                    Double.isFinite(want)
                            ? Math.abs(want - got) <= 1e-12 * (1 + Math.abs(want))
                            : Double.compare(want, got) == 0,
                    () -> want + " became " + got);
        });
    }

    private static void gradientMatchesFiniteDifferences(Sample sample) {
        Graph differentiated = ReverseMode.differentiate(sample.graph(), Output.Kind.VALUE, sample.leaves());
        List<String> names = sample.leaves().stream().map(LeafOp.Argument::name).toList();
        GradientOracle.check(sample.graph(), differentiated, Output.Kind.VALUE, sample.at(), names, (l, i) -> false);
        GradientOracle.check(
                sample.graph(),
                Passes.optimize(differentiated),
                Output.Kind.VALUE,
                sample.at(),
                names,
                (l, i) -> false);
    }

    private static void passesPreserveValues(Sample sample) {
        Graph differentiated = ReverseMode.differentiate(sample.graph(), Output.Kind.VALUE, sample.leaves());
        Evaluator.Values expected = Evaluator.evaluate(differentiated, sample.at());
        List<Graph> transformed = new ArrayList<>();
        for (Pass pass : Passes.round()) {
            transformed.add(pass.apply(differentiated));
        }
        transformed.add(Passes.optimize(differentiated));
        for (Graph graph : transformed) {
            Evaluator.Values actual = Evaluator.evaluate(graph, sample.at());
            assertEquals(differentiated.outputs().size(), graph.outputs().size());
            for (int o = 0; o < graph.outputs().size(); o++) {
                double[] want = expected.of(differentiated.outputs().get(o));
                double[] got = actual.of(graph.outputs().get(o));
                for (int i = 0; i < want.length; i++) {
                    double w = want[i];
                    double g = got[i];
                    assertTrue(
                            Double.compare(w, g) == 0 || Math.abs(w - g) <= 1e-9 * (1 + Math.abs(w)),
                            () -> "output " + graph.outputs() + ": " + w + " became " + g + "\n"
                                    + GraphPrinter.print(differentiated) + "\n" + GraphPrinter.print(graph));
                }
            }
        }
    }
}
