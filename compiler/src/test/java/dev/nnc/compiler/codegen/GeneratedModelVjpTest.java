package dev.nnc.compiler.codegen;

import static dev.nnc.compiler.codegen.Numerics.assertClose;
import static dev.nnc.compiler.codegen.Numerics.gaussian;
import static dev.nnc.compiler.codegen.Numerics.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.codegen.Examples.NetworkCase;
import dev.nnc.compiler.graph.Lowering;
import dev.nnc.compiler.graph.SpatialOp;
import dev.nnc.runtime.TrainableNetwork;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RELIABILITY G4 on every whole trainable example without dropout: {@code <grad L, t>} against
 * {@code (L(p + eps t) - L(p - eps t)) / 2 eps} for t ~ N(0, 1) from three fixed seeds, eps 1e-6
 * and 1e-4, atol = rtol = 1e-5 (JAX {@code check_vjp}, float64).
 *
 * <p>One exception, measured: a probe that moves the parameters by more than {@link
 * #MAX_PROBE_NORM} in norm is skipped. Only the MNIST twin (235,146 parameters, |eps t| = 0.05 at
 * eps 1e-4) reaches it, and there the step crosses ReLU kinks: the difference quotient's error is
 * 2.2e-6, 1.4e-5, 5.5e-5 at eps 1e-5, 2.5e-5, 5e-5 (falling as eps^2, so the gradient is right)
 * and then jumps to 0.67 at 1e-4 and to 1.2, 3.7, 2.1 at 2e-4, 4e-4, 1e-3 (erratic: kinks).
 *
 * <p>Max pooling adds a kink wherever two elements of a window trade places, and a convolution
 * feeds every pooled window from many parameters, so a network with max pooling meets a kink
 * after a shorter step: {@link #MAX_POOL_PROBE_NORM}. Measured on {@code cnn.nn}'s {@code
 * DigitsCnn} (1,898 parameters, |t| = 43.6): the error is 3.0e-9, 2.3e-9, 5.2e-8, 3.2e-7, 1.3e-6
 * at eps 1e-7, 1e-6, 1e-5, 2.5e-5, 5e-5 (falling as eps^2 from 1e-5 on, so the gradient is right)
 * and jumps to 7.0e-3 at 1e-4 (|eps t| = 0.0044) and 7.8e-3 at 2e-4.
 */
class GeneratedModelVjpTest {
    private static final int BATCH = 3;
    private static final long[] DIRECTION_SEEDS = {11, 12, 13};
    private static final double[] STEPS = {1e-6, 1e-4};
    private static final double TOLERANCE = 1e-5;
    private static final double MAX_PROBE_NORM = 0.01;
    private static final double MAX_POOL_PROBE_NORM = 0.002;

    static Stream<NetworkCase> networks() {
        return Examples.trainableNetworksWithoutDropout().stream();
    }

    @ParameterizedTest
    @MethodSource("networks")
    void gradientAlongRandomDirectionsMatchesCentralDifferencesOfLoss(NetworkCase c) {
        TrainableNetwork network = c.classes().newInstance(c.className());
        int count = network.parameterCount();
        double[] parameters = new double[count];
        network.getParameters(parameters);
        double[] xs = gaussian(5, BATCH * network.inputSize());
        double[] ys = uniform(6, BATCH * network.targetSize());
        double[] grad = new double[count];
        network.gradient(xs, ys, BATCH, grad);
        double maxProbeNorm = hasMaxPooling(c) ? MAX_POOL_PROBE_NORM : MAX_PROBE_NORM;
        for (long seed : DIRECTION_SEEDS) {
            double[] t = gaussian(seed, count);
            double analytic = 0;
            for (int i = 0; i < count; i++) {
                analytic += grad[i] * t[i];
            }
            double norm = Math.sqrt(Arrays.stream(t).map(v -> v * v).sum());
            int probes = 0;
            for (double eps : STEPS) {
                if (eps * norm > maxProbeNorm) {
                    continue;
                }
                probes++;
                double numeric =
                        (lossAt(network, parameters, t, eps, xs, ys) - lossAt(network, parameters, t, -eps, xs, ys))
                                / (2 * eps);
                assertClose(
                        numeric, analytic, TOLERANCE, TOLERANCE, c + ": <grad, t> for seed " + seed + ", eps " + eps);
            }
            network.setParameters(parameters);
            assertTrue(probes >= 1, c + ": no probe left for seed " + seed);
        }
        double[] restored = new double[count];
        network.getParameters(restored);
        assertArrayEquals(parameters, restored);
    }

    private static boolean hasMaxPooling(NetworkCase c) {
        return Lowering.lower(c.declaration(), Lowering.Mode.PREDICTION).nodes().stream()
                .anyMatch(node -> node.op() instanceof SpatialOp.MaxPool);
    }

    private static double lossAt(
            TrainableNetwork network, double[] parameters, double[] t, double eps, double[] xs, double[] ys) {
        double[] moved = new double[parameters.length];
        for (int i = 0; i < moved.length; i++) {
            moved[i] = parameters[i] + eps * t[i];
        }
        network.setParameters(moved);
        return network.loss(xs, ys, BATCH);
    }
}
