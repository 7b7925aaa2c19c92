package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.TrainableNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A max pool's window that holds a NaN gives NaN wherever in the window the NaN is, as the
 * graph's reference (and PyTorch) does, so that the loss check sees it; the generated maximum is
 * a branch-free {@code Math.max}, not a comparison that would skip a NaN after the first tap.
 */
class GeneratedMaxPoolNanTest {
    private static final String NETWORK = """
            network PoolNan {
                %s
                input x[1, 2, 4];
                target y[2];
                param w[2];
                o = flatten(max_pool2d(x, 2)) + w;
                output o;
                loss sse(o, y);
                optimizer sgd(lr = 0.1);
            }
            """;

    @ParameterizedTest
    @ValueSource(strings = {"", "precision float;"})
    void aNanAfterTheFirstTapOfAWindowReachesTheOutput(String precision) {
        TrainableNetwork network = GeneratedClasses.compile("pool_nan.nn", NETWORK.formatted(precision))
                .newInstance("PoolNan");
        network.setParameters(new double[] {0.5, 0.25});
        double[] out = new double[2];
        // Windows {3, 1, 5, NaN} and {NaN, 2, 0, 4}: the NaN last in one, first in the other.
        network.predict(new double[] {3, 1, Double.NaN, 2, 5, Double.NaN, 0, 4}, out);
        assertTrue(Double.isNaN(out[0]) && Double.isNaN(out[1]), "both windows give NaN: " + out[0] + ", " + out[1]);
        network.predict(new double[] {3, 1, -1, 2, 5, -2, 0, 4}, out);
        assertEquals(5.5, out[0]);
        assertEquals(4.25, out[1]);
    }
}
