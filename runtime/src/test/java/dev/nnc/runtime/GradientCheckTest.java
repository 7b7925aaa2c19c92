package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.LinearTestNetwork.Loss;
import org.junit.jupiter.api.Test;

class GradientCheckTest {

    // Three samples of three inputs; targets for two outputs, one-hot so that both losses apply.
    private static final double[] XS = {0.5, -1.0, 2.0, 1.5, 0.25, -0.75, -2.0, 1.0, 0.5};
    private static final double[] YS = {1, 0, 0, 1, 1, 0};

    @Test
    void passesForACorrectSquaredErrorGradient() {
        GradientCheck.Result result =
                GradientCheck.check(new LinearTestNetwork(3, 2, Loss.HALF_SQUARED_ERROR, 0.1, 1), XS, YS, 3);
        assertTrue(result.passed(), result.toString());
        assertEquals(8, result.checked());
        assertTrue(result.maxAbsError() < 1e-8, result.toString());
    }

    @Test
    void passesForACorrectSoftmaxCrossEntropyGradient() {
        GradientCheck.Result result =
                GradientCheck.check(new LinearTestNetwork(3, 2, Loss.SOFTMAX_CROSS_ENTROPY, 0.1, 2), XS, YS, 3);
        assertTrue(result.passed(), result.toString());
    }

    @Test
    void catchesAGradientThatIsOnePercentOffAndNamesTheParameter() {
        LinearTestNetwork buggy = new LinearTestNetwork(3, 2, Loss.HALF_SQUARED_ERROR, 0.1, true, 1);
        GradientCheck.Result result = GradientCheck.check(buggy, XS, YS, 3);
        assertFalse(result.passed(), result.toString());
        assertEquals("linear.weight", result.worstParameter());
        assertEquals(0, result.worstIndex());
        assertEquals(result.worstNumeric() * 1.01, result.worstAnalytic(), 1e-6);
        assertTrue(result.toString().startsWith("gradient check FAILED over 8 parameters"), result.toString());
    }

    @Test
    void leavesTheParametersAsTheyWere() {
        LinearTestNetwork network = new LinearTestNetwork(3, 2, Loss.HALF_SQUARED_ERROR, 0.1, 3);
        double[] before = new double[network.parameterCount()];
        network.getParameters(before);
        GradientCheck.check(network, XS, YS, 3);
        double[] after = new double[network.parameterCount()];
        network.getParameters(after);
        assertArrayEquals(before, after);
    }

    @Test
    void checksASeededSubsetOfLargeNetworksAndLocatesTensorIndices() {
        LinearTestNetwork network = new LinearTestNetwork(3, 2, Loss.SOFTMAX_CROSS_ENTROPY, 0.1, 4);
        GradientCheck.Options options = GradientCheck.Options.defaults().withSubset(3, 7);
        GradientCheck.Result result = GradientCheck.check(network, XS, YS, 3, options);
        assertTrue(result.passed(), result.toString());
        assertEquals(3, result.checked());
        assertEquals(result, GradientCheck.check(network, XS, YS, 3, options));
    }

    @Test
    void zeroToleranceFailsAndReportsTheBiasByItsOwnIndex() {
        // With no tolerance at all, rounding alone fails somewhere; the report must still point
        // into a real tensor at a valid index.
        LinearTestNetwork network = new LinearTestNetwork(3, 2, Loss.HALF_SQUARED_ERROR, 0.1, 5);
        GradientCheck.Result result = GradientCheck.check(
                network, XS, YS, 3, GradientCheck.Options.defaults().withTolerances(0, 0));
        assertFalse(result.passed());
        int size = result.worstParameter().equals("linear.weight") ? 6 : 2;
        assertTrue(result.worstIndex() >= 0 && result.worstIndex() < size, result.toString());
    }
}
