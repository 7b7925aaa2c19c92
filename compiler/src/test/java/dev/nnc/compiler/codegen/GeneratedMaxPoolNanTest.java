package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.TrainableNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A max pool's window that holds a NaN gives NaN wherever in the window the NaN is, as the
 * graph's reference (and PyTorch) does, so that the loss check sees it; the generated maximum is
 * a branch-free {@code Math.max}, not a comparison that would skip a NaN after the first tap. The
 * gradient goes to the window's first maximum, found without a branch where the window holds no
 * NaN and by the reference's comparisons where it does.
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

    private static final String GRADIENT_NETWORK = """
            network PoolGradient {
                %s
                input x[1, 2, 4];
                target y[2];
                param p[1, 2, 4];
                o = flatten(max_pool2d(x + p, 2));
                output o;
                loss sse(o, y);
                optimizer sgd(lr = 0.1);
            }
            """;

    /**
     * Two windows of 2 x 2 ({@code x[0][0..1]} and {@code x[1][0..1]}, then columns 2 and 3), so
     * the gradient with respect to {@code p = 0} is nonzero exactly at each window's first
     * maximum, in row-major order: ties, zeros of both signs (equal), infinities, a NaN first
     * (kept) and a NaN later (never greater, so skipped).
     */
    @ParameterizedTest
    @ValueSource(strings = {"", "precision float;"})
    void theGradientGoesToTheFirstMaximumOfEachWindow(String precision) {
        TrainableNetwork network = GeneratedClasses.compile("pool_gradient.nn", GRADIENT_NETWORK.formatted(precision))
                .newInstance("PoolGradient");
        double nan = Double.NaN;
        double inf = Double.POSITIVE_INFINITY;
        // {window 0 in row-major order, window 1 in row-major order, first maximum of each}
        double[][][] cases = {
            {{5, 5, 1, 5}, {-1, -3, -2, -1}, {0, 0}},
            {{-0.0, 0.0, -1, 0.0}, {0.0, -0.0, -0.0, 0.0}, {0, 0}},
            {{-2, -0.0, 0.0, -1}, {-inf, -inf, -inf, -inf}, {1, 0}},
            {{nan, 3, 1, 2}, {1, nan, 3, 2}, {0, 2}},
            {{inf, 1, inf, 2}, {1, 2, 3, inf}, {0, 3}},
            {{1, 2, 3, 4}, {4, 3, 4, 4}, {3, 0}}
        };
        network.setParameters(new double[8]);
        double[] grad = new double[8];
        for (double[][] c : cases) {
            double[] x = new double[8];
            for (int k = 0; k < 4; k++) {
                // Window w's tap k = (ky, kx) is x[ky][2 w + kx], at 4 ky + 2 w + kx.
                x[4 * (k / 2) + k % 2] = c[0][k];
                x[4 * (k / 2) + 2 + k % 2] = c[1][k];
            }
            network.gradient(x, new double[] {100, 100}, 1, grad);
            boolean[] expected = new boolean[8];
            for (int w = 0; w < 2; w++) {
                int k = (int) c[2][w];
                expected[4 * (k / 2) + 2 * w + k % 2] = true;
            }
            boolean[] reached = new boolean[8];
            for (int i = 0; i < 8; i++) {
                reached[i] = grad[i] != 0;
            }
            assertArrayEquals(
                    expected, reached, () -> java.util.Arrays.toString(x) + " gave " + java.util.Arrays.toString(grad));
        }
    }
}
