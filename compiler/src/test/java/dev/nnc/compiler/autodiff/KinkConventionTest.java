package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.graph.BinaryOp;
import dev.nnc.compiler.graph.GradientOracle;
import dev.nnc.compiler.graph.Op;
import dev.nnc.compiler.graph.UnaryOp;
import org.junit.jupiter.api.Test;

/** The sub-gradients nnc takes at kinks and ties, which are PyTorch's (see {@link UnaryOp}, {@link BinaryOp.Max}). */
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
    void maxAndMinSplitATieHalfAndHalfAsPyTorchDoes() {
        Probe max = Probe.of(new BinaryOp.Max(), new double[] {1.5}, new double[] {1.5});
        assertEquals(0.5, max.gradient(0));
        assertEquals(0.5, max.gradient(1));
        Probe min = Probe.of(new BinaryOp.Min(), new double[] {-2}, new double[] {-2});
        assertEquals(0.5, min.gradient(0));
        assertEquals(0.5, min.gradient(1));
    }

    @Test
    void maxAndMinGiveTheWholeAdjointToTheChosenOperandAwayFromATie() {
        double[] a = {1.5, -1};
        double[] b = {1, 0};
        Probe max = Probe.of(new BinaryOp.Max(), a, b);
        assertArrayEquals(new double[] {1, 0}, max.gradients()[0]);
        assertArrayEquals(new double[] {0, 1}, max.gradients()[1]);
        Probe min = Probe.of(new BinaryOp.Min(), a, b);
        assertArrayEquals(new double[] {0, 1}, min.gradients()[0]);
        assertArrayEquals(new double[] {1, 0}, min.gradients()[1]);
    }

    @Test
    void maxAndMinPassTheWholeAdjointToBothOperandsWhenOneIsNaNAsPyTorchDoes() {
        Probe max = Probe.of(new BinaryOp.Max(), new double[] {Double.NaN}, new double[] {1});
        assertEquals(1.0, max.gradient(0));
        assertEquals(1.0, max.gradient(1));
        Probe min = Probe.of(new BinaryOp.Min(), new double[] {1}, new double[] {Double.NaN});
        assertEquals(1.0, min.gradient(0));
        assertEquals(1.0, min.gradient(1));
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
        for (Op op : new Op[] {new BinaryOp.Max(), new BinaryOp.Min()}) {
            assertOneOf(Probe.of(op, new double[] {1 + half}, new double[] {1}).gradient(0), 0, 1);
            assertOneOf(Probe.of(op, new double[] {1 - half}, new double[] {1}).gradient(0), 0, 1);
        }
    }

    private static void assertOneOf(double actual, double first, double second) {
        assertTrue(actual == first || actual == second, () -> actual + " is neither " + first + " nor " + second);
    }
}
