package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.graph.BinaryOp;
import dev.nnc.compiler.graph.GradientOracle;
import dev.nnc.compiler.graph.Op;
import dev.nnc.compiler.graph.UnaryOp;
import org.junit.jupiter.api.Test;

/** The sub-gradients nnc takes at kinks, which are PyTorch's (see {@link UnaryOp}). */
class KinkConventionTest {
    private static double slopeAt(Op op, double x) {
        return Probe.of(op, new double[] {x}).gradient(0);
    }

    @Test
    void reluTakesZeroAtTheKink() {
        assertEquals(0.0, slopeAt(new UnaryOp.Relu(), 0.0));
    }

    @Test
    void absTakesZeroAtTheKink() {
        assertEquals(0.0, slopeAt(new UnaryOp.Abs(), 0.0));
    }

    @Test
    void leakyReluTakesTheNegativeSlopeAtTheKinkAsPyTorchDoes() {
        assertEquals(0.2, slopeAt(new UnaryOp.LeakyRelu(0.2), 0.0));
    }

    @Test
    void eluTakesAlphaAtTheKinkAsPyTorchDoes() {
        assertEquals(0.5, slopeAt(new UnaryOp.Elu(0.5), 0.0));
    }

    @Test
    void stepHasZeroDerivativeEverywhere() {
        for (double x : new double[] {-1, 0, 1}) {
            assertEquals(0.0, slopeAt(new UnaryOp.Step(), x));
        }
    }

    @Test
    void maxAndMinGiveATieToTheFirstArgument() {
        Probe max = Probe.of(new BinaryOp.Max(), new double[] {1.5}, new double[] {1.5});
        assertEquals(1.0, max.gradient(0));
        assertEquals(0.0, max.gradient(1));
        Probe min = Probe.of(new BinaryOp.Min(), new double[] {-2}, new double[] {-2});
        assertEquals(1.0, min.gradient(0));
        assertEquals(0.0, min.gradient(1));
    }

    /** Half a step beside the kink, the analytic slope is one of the one-sided slopes. */
    @Test
    void halfAStepBesideTheKinkGivesAOneSidedSlope() {
        double half = GradientOracle.EPS / 2;
        assertOneOf(slopeAt(new UnaryOp.Relu(), half), 0, 1);
        assertOneOf(slopeAt(new UnaryOp.Relu(), -half), 0, 1);
        assertOneOf(slopeAt(new UnaryOp.Abs(), half), -1, 1);
        assertOneOf(slopeAt(new UnaryOp.Abs(), -half), -1, 1);
        assertOneOf(slopeAt(new UnaryOp.LeakyRelu(0.1), half), 0.1, 1);
        assertOneOf(slopeAt(new UnaryOp.LeakyRelu(0.1), -half), 0.1, 1);
    }

    private static void assertOneOf(double actual, double first, double second) {
        assertTrue(actual == first || actual == second, () -> actual + " is neither " + first + " nor " + second);
    }
}
