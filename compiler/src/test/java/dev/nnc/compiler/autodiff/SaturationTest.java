package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.graph.BinaryOp;
import dev.nnc.compiler.graph.Bindings;
import dev.nnc.compiler.graph.Evaluator;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.GraphBuilder;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.LossOp;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.graph.UnaryOp;
import dev.nnc.compiler.graph.VectorOp;
import dev.nnc.compiler.pass.Passes;
import dev.nnc.compiler.semantic.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Saturated inputs (RELIABILITY.md 1.5): finite values and the closed-form gradients, no finite
 * differences there. Gradients may underflow to exactly 0.
 */
class SaturationTest {
    private static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1000, -750, -100, -40, -30, -20, 20, 30, 40, 100, 750, 1000})
    void sigmoidTanhAndSoftplusStayFiniteWithClosedFormGradients(double x) {
        Probe sigmoid = Probe.of(new UnaryOp.Sigmoid(), new double[] {x});
        double s = sigmoid(x);
        assertTrue(Double.isFinite(sigmoid.value()) && sigmoid.value() >= 0 && sigmoid.value() <= 1);
        assertEquals(s * (1 - s), sigmoid.gradient(0));

        Probe fromExp = Probe.of((b, leaves) -> BinaryOp.SigmoidFromExp.of(b, leaves.get(0)), new double[] {x});
        assertEquals(s, fromExp.value());
        assertEquals(s * (1 - s), fromExp.gradient(0));

        Probe tanh = Probe.of(new UnaryOp.Tanh(), new double[] {x});
        assertEquals(Math.signum(x), tanh.value());
        assertEquals(0.0, tanh.gradient(0));

        Probe softplus = Probe.of((b, leaves) -> BinaryOp.SoftplusFromExp.of(b, leaves.get(0)), new double[] {x});
        assertTrue(Double.isFinite(softplus.value()));
        assertEquals(Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))), softplus.value());
        assertEquals(s, softplus.gradient(0));
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1000, -750, -100, -20, 20, 100, 700})
    void expGradientIsItsValue(double x) {
        Probe exp = Probe.of(new UnaryOp.Exp(), new double[] {x});
        assertTrue(Double.isFinite(exp.value()));
        assertEquals(exp.value(), exp.gradient(0));
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1000, -750, -100, -40, -30, -20, 20, 30, 40, 100, 750, 1000})
    void binaryCrossEntropyFromLogitsStaysFinite(double z) {
        for (double y : new double[] {0, 1, 0.3}) {
            Probe loss = Probe.of(
                    (b, leaves) -> LossOp.SigmoidBinaryCrossEntropy.of(b, leaves.get(0), leaves.get(1)),
                    new double[] {z},
                    new double[] {y});
            double expected = Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
            assertTrue(Double.isFinite(loss.value()));
            assertEquals(expected, loss.value(), 1e-12 * Math.abs(expected));
            assertEquals(sigmoid(z) - y, loss.gradient(0), 1e-15);
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1000, 0, 1000})
    void softmaxCrossEntropyWithOffsetLogitsIsFiniteAndItsGradientIsSoftmaxMinusOneHot(double offset) {
        double[] z = {offset + 1, offset - 2, offset + 0.5, offset};
        double[] y = {0, 0, 1, 0};
        GraphBuilder b = GraphBuilder.create();
        LeafOp.Argument logits = new LeafOp.Argument("z", Shape.vector(4), 0);
        LeafOp.Argument target = new LeafOp.Argument("y", Shape.vector(4), 1);
        int zi = b.apply(logits);
        int loss = b.apply(new LossOp.SoftmaxCrossEntropy(), zi, b.apply(target));
        int probabilities = b.apply(new VectorOp.Softmax(), zi);
        Graph graph = b.build(List.of(
                new Output(Output.Kind.VALUE, "loss", loss), new Output(Output.Kind.PREDICTION, "p", probabilities)));
        Graph differentiated = Passes.optimize(ReverseMode.differentiate(graph, Output.Kind.VALUE, List.of(logits)));
        Evaluator.Values values = Evaluator.evaluate(differentiated, Bindings.of(Map.of("z", z, "y", y)));
        double[] p = values.of(Output.Kind.PREDICTION);
        double sum = 0;
        for (double v : p) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-15);
        double l = values.scalar(Output.Kind.VALUE);
        assertTrue(Double.isFinite(l));
        assertEquals(-Math.log(p[2]), l, 1e-12);
        double[] gradient = values.gradient("z");
        for (int i = 0; i < 4; i++) {
            assertEquals(p[i] - y[i], gradient[i], 1e-15);
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1000, 0, 1000})
    void allEqualLogitsGiveAUniformSoftmax(double c) {
        Probe logSumExp = Probe.of(new VectorOp.LogSumExp(), new double[] {c, c, c});
        assertEquals(c + Math.log(3), logSumExp.value(), 1e-12 * Math.max(1, Math.abs(c)));
        for (double g : logSumExp.gradients()[0]) {
            assertEquals(1.0 / 3, g, 1e-15);
        }
    }
}
