package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.graph.BatchOp;
import dev.nnc.compiler.graph.Bindings;
import dev.nnc.compiler.graph.Evaluator;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.GraphBuilder;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.graph.UnaryOp;
import dev.nnc.compiler.semantic.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * G1 for the batch ops' derivative rules, over whole batches: the per-sample loss {@code
 * ℓ_b = <g(BatchMean(f(x))_b), t_b>} with a sample-specific weight {@code t_b} and nonlinear
 * {@code f}, {@code g} on both sides of the mean, so that the gradient of the batch's loss sum
 * in one sample's input runs through every other sample. The rule's result for sample {@code b}
 * (the gradient output of {@code x}, evaluated with {@link Evaluator#evaluateBatch}) must be the
 * central difference of {@code Σ_b ℓ_b} in {@code x_b}.
 */
class BatchOpGradientTest {
    private static final Shape SHAPE = Shape.vector(4);
    private static final double H = 1e-6;

    private static Graph graph() {
        GraphBuilder b = GraphBuilder.create();
        int x = b.apply(new LeafOp.Input("x", SHAPE, 0));
        int t = b.apply(new LeafOp.Target("t", SHAPE, 0));
        int mean = b.apply(new BatchOp.Mean(), b.apply(new UnaryOp.Tanh(), x));
        int squared = b.multiply(mean, mean);
        int weighted = b.multiply(b.apply(new UnaryOp.Sin(), b.add(squared, x)), t);
        int loss = b.apply(new dev.nnc.compiler.graph.TensorOp.Sum(), weighted);
        Graph forward = b.build(List.of(new Output(Output.Kind.LOSS, "loss", loss)));
        return ReverseMode.differentiate(forward, Output.Kind.LOSS, List.of(new LeafOp.Input("x", SHAPE, 0)));
    }

    private static List<Bindings> batch(double[][] xs, double[][] ts) {
        List<Bindings> samples = new ArrayList<>();
        for (int s = 0; s < xs.length; s++) {
            samples.add(Bindings.of(Map.of("x", xs[s], "t", ts[s])));
        }
        return samples;
    }

    private static double lossSum(Graph graph, double[][] xs, double[][] ts) {
        double sum = 0;
        for (Evaluator.Values values : Evaluator.evaluateBatch(graph, batch(xs, ts))) {
            sum += values.scalar(Output.Kind.LOSS);
        }
        return sum;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5})
    void theBatchMeanRuleMatchesCentralDifferences(int n) {
        Graph graph = graph();
        Random random = new Random(31 + n);
        double[][] xs = new double[n][SHAPE.size()];
        double[][] ts = new double[n][SHAPE.size()];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < SHAPE.size(); i++) {
                xs[s][i] = random.nextGaussian();
                ts[s][i] = random.nextGaussian();
            }
        }
        List<Evaluator.Values> values = Evaluator.evaluateBatch(graph, batch(xs, ts));
        for (int s = 0; s < n; s++) {
            double[] gradient = values.get(s).gradient("x");
            for (int i = 0; i < SHAPE.size(); i++) {
                double saved = xs[s][i];
                xs[s][i] = saved + H;
                double up = lossSum(graph, xs, ts);
                xs[s][i] = saved - H;
                double down = lossSum(graph, xs, ts);
                xs[s][i] = saved;
                double difference = (up - down) / (2 * H);
                assertEquals(
                        difference,
                        gradient[i],
                        1e-7 + 1e-6 * Math.abs(difference),
                        "d(sum of losses)/d x[" + s + "][" + i + "] of a batch of " + n);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void aBatchMeanIsTheSameForEverySample(int n) {
        double[][] samples = {{1, 2}, {3, 5}, {-4, 0.5}};
        List<double[]> operands = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            operands.add(samples[s]);
        }
        double[] mean = new BatchOp.Mean().evaluateBatch(operands);
        double[] expected = n == 1 ? samples[0] : new double[] {0, 2.5};
        assertEquals(expected[0], mean[0], 1e-15);
        assertEquals(expected[1], mean[1], 1e-15);
    }
}
