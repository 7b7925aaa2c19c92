package dev.nnc.compiler.codegen;

import static dev.nnc.compiler.codegen.Numerics.gaussian;
import static dev.nnc.compiler.codegen.Numerics.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.codegen.Examples.NetworkCase;
import dev.nnc.runtime.TrainableNetwork;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RELIABILITY G8 (accumulation and reset) on every trainable example: {@code gradient} overwrites
 * {@code grad} (documented: "overwritten, not accumulated into") and changes no state, so calling
 * it twice, or before {@code trainStep}, changes nothing.
 */
class GeneratedGradientStateTest {
    private static final int BATCH = 3;

    static Stream<NetworkCase> networks() {
        return Examples.trainableNetworks().stream();
    }

    @ParameterizedTest
    @MethodSource("networks")
    void gradientTwiceOnTheSameBatchGivesTheSameGradient(NetworkCase c) {
        TrainableNetwork network = c.classes().newInstance(c.className());
        double[] xs = gaussian(1, BATCH * network.inputSize());
        double[] ys = uniform(2, BATCH * network.targetSize());
        double[] first = new double[network.parameterCount()];
        double[] second = new double[network.parameterCount()];
        Arrays.fill(second, 7.0); // stale contents must be overwritten, not added to
        double firstLoss = network.gradient(xs, ys, BATCH, first);
        double secondLoss = network.gradient(xs, ys, BATCH, second);
        assertEquals(firstLoss, secondLoss, c.toString());
        assertArrayEquals(first, second, c + ": second gradient call differs from the first");
    }

    @ParameterizedTest
    @MethodSource("networks")
    void gradientKeepsNoStateFromAPreviousBatchOrParameters(NetworkCase c) {
        TrainableNetwork network = c.classes().newInstance(c.className());
        TrainableNetwork fresh = network.copy();
        double[] parameters = new double[network.parameterCount()];
        network.getParameters(parameters);
        double[] otherXs = gaussian(3, 2 * BATCH * network.inputSize());
        double[] otherYs = uniform(4, 2 * BATCH * network.targetSize());
        double[] scratch = new double[network.parameterCount()];
        network.gradient(otherXs, otherYs, 2 * BATCH, scratch);
        double[] after = new double[network.parameterCount()];
        network.getParameters(after);
        assertArrayEquals(parameters, after, c + ": gradient changed the parameters");

        double[] xs = gaussian(1, BATCH * network.inputSize());
        double[] ys = uniform(2, BATCH * network.targetSize());
        double[] expected = new double[network.parameterCount()];
        double[] actual = new double[network.parameterCount()];
        double expectedLoss = fresh.gradient(xs, ys, BATCH, expected);
        double actualLoss = network.gradient(xs, ys, BATCH, actual);
        assertEquals(expectedLoss, actualLoss, c.toString());
        assertArrayEquals(expected, actual, c + ": gradient depends on an earlier call");
    }

    @ParameterizedTest
    @MethodSource("networks")
    void trainStepAfterGradientIsUnaffected(NetworkCase c) {
        TrainableNetwork network = c.classes().newInstance(c.className());
        TrainableNetwork untouched = network.copy();
        double[] xs = gaussian(1, BATCH * network.inputSize());
        double[] ys = uniform(2, BATCH * network.targetSize());
        double[] grad = new double[network.parameterCount()];
        network.gradient(xs, ys, BATCH, grad);
        network.gradient(
                gaussian(9, BATCH * network.inputSize()), uniform(10, BATCH * network.targetSize()), BATCH, grad);
        for (int step = 0; step < 3; step++) {
            assertEquals(untouched.trainStep(xs, ys, BATCH), network.trainStep(xs, ys, BATCH), c + " step " + step);
        }
        double[] expected = new double[network.parameterCount()];
        double[] actual = new double[network.parameterCount()];
        untouched.getParameters(expected);
        network.getParameters(actual);
        assertArrayEquals(expected, actual, c + ": parameters after gradient + trainStep");
    }
}
