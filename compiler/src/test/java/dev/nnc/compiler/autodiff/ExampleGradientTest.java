package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.graph.Bindings;
import dev.nnc.compiler.graph.Evaluator;
import dev.nnc.compiler.graph.Examples;
import dev.nnc.compiler.graph.GradientOracle;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.Lowering;
import dev.nnc.compiler.graph.OpCount;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.pass.Passes;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Symbol;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * G6 for every example: the optimised gradient of the per-sample loss in every parameter (every
 * element up to ~100 per tensor, an evenly spaced subset beyond) against central differences of
 * the unoptimised training graph, at three seeded points; and every function's gradient in every
 * argument.
 */
class ExampleGradientTest {
    static Stream<Named<Declaration.Network>> trainableNetworks() {
        return Examples.networks().stream()
                .filter(Declaration.Network::isTrainable)
                .map(n -> Named.of(n.name(), n));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trainableNetworks")
    void lossGradientMatchesFiniteDifferencesInEveryParameter(Declaration.Network network) {
        checkLossGradient(network);
    }

    static void checkLossGradient(Declaration.Network network) {
        Graph training = Lowering.lower(network, Lowering.Mode.TRAINING);
        Graph gradients = Passes.optimize(ReverseMode.differentiateLoss(training, network));
        List<String> names =
                network.parameters().stream().map(Symbol.Param::name).toList();
        for (long seed = 1; seed <= 3; seed++) {
            Bindings at = point(network, training, new Random(seed));
            Map<String, Integer> stride = new HashMap<>();
            for (Symbol.Param param : network.parameters()) {
                stride.put(param.name(), Math.max(1, param.shape().size() / 100));
            }
            int checked = GradientOracle.check(
                    training, gradients, Output.Kind.LOSS, at, names, (leaf, i) -> i % stride.get(leaf) != 0);
            assertTrue(checked >= Math.min(network.parameterCount(), 100));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trainableNetworks")
    void predictionGraphAgreesWithTheTrainingLossWithoutDropout(Declaration.Network network) {
        // Batch normalisation trains with batch statistics and predicts with running ones.
        org.junit.jupiter.api.Assumptions.assumeTrue(network.buffers().isEmpty(), "batch_norm differs by design");
        Graph prediction = Passes.optimize(Lowering.lower(network, Lowering.Mode.PREDICTION));
        Graph training = Lowering.lower(network, Lowering.Mode.TRAINING);
        Bindings at = point(network, training, new Random(7));
        double[] keepAll = new double[0];
        for (var leaf : training.nodes()) {
            if (leaf.op() instanceof dev.nnc.compiler.graph.LeafOp.DropoutMask mask) {
                keepAll = new double[leaf.shape().size()];
                java.util.Arrays.fill(keepAll, 1.0);
                at = at.with(mask.name(), keepAll);
            }
        }
        double expected = Evaluator.evaluate(training, at).scalar(Output.Kind.LOSS);
        assertEquals(expected, Evaluator.evaluate(prediction, at).scalar(Output.Kind.LOSS), 1e-12 * Math.abs(expected));
        assertTrue(OpCount.of(prediction).forward() > 0);
    }

    static Stream<Named<Declaration.Function>> functions() {
        return Examples.functions().stream().map(f -> Named.of(f.name(), f));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void functionGradientMatchesFiniteDifferencesInEveryArgument(Declaration.Function function) {
        checkValueGradient(function);
    }

    static void checkValueGradient(Declaration.Function function) {
        Graph graph = Lowering.lower(function);
        Graph gradients = Passes.optimize(ReverseMode.differentiateValue(graph, function));
        List<String> names =
                function.arguments().stream().map(Symbol.Argument::name).toList();
        for (long seed = 1; seed <= 3; seed++) {
            Random random = new Random(seed);
            Map<String, double[]> values = new HashMap<>();
            for (Symbol.Argument argument : function.arguments()) {
                values.put(
                        argument.name(),
                        random.doubles(argument.shape().size(), -2, 2).toArray());
            }
            GradientOracle.check(graph, gradients, Output.Kind.VALUE, Bindings.of(values), names, (l, i) -> false);
        }
    }

    /**
     * A random point: inputs N(0,1), parameters N(0, 0.5²), one-hot targets for cross-entropy
     * style losses (any target in [0, 1] is valid for the others), dropout masks drawn.
     */
    private static Bindings point(Declaration.Network network, Graph training, Random random) {
        Map<String, double[]> values = new HashMap<>();
        for (Symbol.Input input : network.inputs()) {
            values.put(
                    input.name(),
                    random.doubles(input.shape().size())
                            .map(u -> random.nextGaussian())
                            .toArray());
        }
        for (Symbol.Target target : network.targets()) {
            double[] y = new double[target.shape().size()];
            y[random.nextInt(y.length)] = 1;
            values.put(target.name(), y);
        }
        for (Symbol.Param param : network.parameters()) {
            double[] p = new double[param.shape().size()];
            for (int i = 0; i < p.length; i++) {
                p[i] = 0.5 * random.nextGaussian();
            }
            values.put(param.name(), p);
        }
        for (var buffer : network.buffers()) {
            // Running statistics a network could have: means around 0, variances around 1.
            double[] b = new double[buffer.shape().size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = buffer.initial() == 0 ? 0.5 * random.nextGaussian() : 0.5 + random.nextDouble();
            }
            values.put(buffer.name(), b);
        }
        for (var node : training.nodes()) {
            if (node.op() instanceof dev.nnc.compiler.graph.LeafOp.DropoutMask mask) {
                double[] m = new double[node.shape().size()];
                for (int i = 0; i < m.length; i++) {
                    m[i] = random.nextDouble() < mask.rate() ? 0 : 1 / (1 - mask.rate());
                }
                values.put(mask.name(), m);
            }
        }
        return Bindings.of(values);
    }
}
