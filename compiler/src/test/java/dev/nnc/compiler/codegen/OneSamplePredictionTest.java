package dev.nnc.compiler.codegen;

import static dev.nnc.compiler.codegen.Numerics.assertAllClose;
import static dev.nnc.compiler.codegen.Numerics.floatExact;
import static dev.nnc.compiler.codegen.Numerics.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.TrainableNetwork;
import dev.nnc.runtime.Vectorization;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A one-sample prediction ({@code predict(x, out)}, a tile of one sample) of a tiled network
 * gives the outputs of the batched forward pass that loss and training share: to the last bit
 * against the same samples' rows of a batch of three (the same sums in the same order, then the
 * bias), and within the float precision rule of RELIABILITY 1.5 (rtol 1e-4, atol 1e-5) against
 * the double twin. Layer widths are chosen around the vector lengths (8 and 16 floats), so the
 * one-sample kernel's blocks of eight, four and one vectors and its scalar tails all run. The
 * build runs this class twice: in the default JVM, where the plain loops run, and with {@code
 * --add-modules jdk.incubator.vector} (the compiler POM's {@code vector-kernels} execution),
 * where float classes take the runtime's one-sample kernel.
 */
class OneSamplePredictionTest {
    private static final double RTOL = 1e-4;
    private static final double ATOL = 1e-5;

    private static String spec(String name, String precision, int in, int h1, int h2, int out) {
        return """
                network %s {
                    precision %s;
                    input x[%d];
                    target y[%d];
                    h1 = dense(x, %d, activation = relu, init = he_normal);
                    h2 = dense(h1, %d, activation = tanh);
                    logits = dense(h2, %d);
                    probs = softmax(logits);
                    output probs;
                    loss cross_entropy(probs, y);
                    optimizer sgd(lr = 0.01);
                    seed 11;
                }
                """.formatted(name, precision, in, out, h1, h2, out);
    }

    @ParameterizedTest
    @CsvSource({"37, 200, 131, 3", "64, 256, 128, 10", "19, 16, 72, 17", "100, 7, 9, 5"})
    void oneSampleIsTheBatchedForwardPass(int in, int h1, int h2, int out) {
        String name = "One" + in + "x" + h1 + "x" + h2 + "x" + out;
        GeneratedClasses floats = Examples.compiled(name + ".nn", spec(name, "float", in, h1, h2, out));
        assertTrue(floats.files().get(0).content().contains("VectorProducts.multiplyOne("), "float one-sample kernel");
        TrainableNetwork single = floats.newInstance(name);
        TrainableNetwork twin = Examples.compiled(name + "_double.nn", spec(name + "D", "double", in, h1, h2, out))
                .newInstance(name + "D");
        double[] parameters = new double[single.parameterCount()];
        single.getParameters(parameters);
        twin.setParameters(parameters);
        int n = 3;
        double[] xs = floatExact(gaussian(in + h1, n * in));
        for (TrainableNetwork network : new TrainableNetwork[] {single, twin}) {
            double[] batched = new double[n * out];
            network.predict(xs, n, batched);
            for (int s = 0; s < n; s++) {
                double[] one = new double[out];
                network.predict(Arrays.copyOfRange(xs, s * in, (s + 1) * in), one);
                assertArrayEquals(
                        Arrays.copyOfRange(batched, s * out, (s + 1) * out),
                        one,
                        network.name() + ": sample " + s + " alone and in a batch (Vector API: " + Vectorization.ENABLED
                                + ")");
            }
        }
        double[] expected = new double[out];
        double[] actual = new double[out];
        for (int s = 0; s < n; s++) {
            double[] x = Arrays.copyOfRange(xs, s * in, (s + 1) * in);
            twin.predict(x, expected);
            single.predict(x, actual);
            assertAllClose(expected, actual, RTOL, ATOL, name + ": float against double, sample " + s);
        }
        assertEquals(out, single.outputSize());
    }
}
