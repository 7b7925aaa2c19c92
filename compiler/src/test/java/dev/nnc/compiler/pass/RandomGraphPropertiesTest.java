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
import dev.nnc.compiler.graph.Op;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.graph.TensorOp;
import dev.nnc.compiler.graph.UnaryOp;
import dev.nnc.compiler.graph.VectorOp;
import dev.nnc.compiler.semantic.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * Properties over randomly generated expression graphs of scalars and vectors: the symbolic
 * gradient matches central differences, and every pass (and the whole suite) preserves the value
 * of every output, gradients included. A seed determines a graph, so a failure names its graph.
 */
class RandomGraphPropertiesTest {
    private static final Shape VECTOR = Shape.vector(3);

    /** A random graph and a point to evaluate it at. */
    private record Sample(Graph graph, List<LeafOp.Argument> leaves, Bindings at) {}

    private static Sample generate(long seed, boolean withKinks) {
        Random random = new Random(seed);
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
            int node = switch (random.nextInt(withKinks ? 12 : 10)) {
                case 0 -> b.apply(smoothUnary(random), x);
                case 1 -> b.add(x, y);
                case 2 -> b.subtract(x, y);
                case 3 -> b.multiply(x, y);
                case 4 -> b.divide(x, b.add(b.constantLike(2, y), b.apply(new UnaryOp.Tanh(), y)));
                case 5 -> vector ? b.apply(new TensorOp.Sum(), x) : b.broadcast(x, VECTOR);
                case 6 -> vector ? b.apply(new TensorOp.Dot(), x, y) : b.multiply(b.constantLike(2.5, x), x);
                case 7 -> vector ? b.apply(new VectorOp.Softmax(), x) : b.negate(x);
                case 8 -> vector ? b.apply(new TensorOp.Element(random.nextInt(3)), x) : b.add(x, b.constantLike(0, x));
                case 9 -> vector ? b.apply(new VectorOp.LogSumExp(), x) : b.multiply(x, x);
                case 10 -> b.apply(new BinaryOp.Max(), x, y);
                default -> b.apply(new UnaryOp.Relu(), x);
            };
            (b.shapeOf(node).isScalar() ? scalars : vectors).add(node);
        }
        int result =
                b.add(scalars.get(scalars.size() - 1), b.apply(new TensorOp.Sum(), vectors.get(vectors.size() - 1)));
        Graph graph = b.build(List.of(new Output(Output.Kind.VALUE, "f", result)));
        return new Sample(graph, leaves, Bindings.of(values));
    }

    private static int pick(Random random, List<Integer> pool) {
        // Prefer recent nodes, so that graphs are deep rather than wide.
        int bound = Math.min(pool.size(), 4);
        return pool.get(pool.size() - 1 - random.nextInt(bound));
    }

    private static Op smoothUnary(Random random) {
        return switch (random.nextInt(7)) {
            case 0 -> new UnaryOp.Tanh();
            case 1 -> new UnaryOp.Sigmoid();
            case 2 -> new UnaryOp.Sin();
            case 3 -> new UnaryOp.Cos();
            case 4 -> new UnaryOp.Softplus();
            case 5 -> new UnaryOp.Gaussian();
            default -> new UnaryOp.Negate();
        };
    }

    @Property(tries = 300)
    void symbolicGradientMatchesFiniteDifferences(@ForAll @LongRange(min = 0, max = 1L << 40) long seed) {
        Sample sample = generate(seed, false);
        double value = Evaluator.evaluate(sample.graph(), sample.at()).scalar(Output.Kind.VALUE);
        Assume.that(Double.isFinite(value) && Math.abs(value) < 1e4);
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

    @Property(tries = 300)
    void everyPassPreservesEveryOutput(@ForAll @LongRange(min = 0, max = 1L << 40) long seed) {
        Sample sample = generate(seed, true);
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
