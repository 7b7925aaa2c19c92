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
import org.junit.jupiter.api.Test;
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
        assertTrue(
                floats.files().get(0).content().contains("VectorProducts.multiply(h1_, 0, h2_weight, h2_bias, "),
                "a batch's product takes the bias into the kernel");
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

    /**
     * Batches of 8, 13 and 64 (a tile, a tile's worth that is not a multiple of four, a whole
     * tile of N5's size) predict what each sample predicts alone, and what the double twin
     * predicts within the float rule. The layer sizes make the plain loops of a prediction run in
     * slices of weight rows that do not divide the layer (300 inputs in slices of 20, 200 in
     * slices of 28, and 8 in double): in the plain loops the rows are equal to the last bit, in
     * float and in double, because every slice starts at a multiple of four and so adds the same
     * groups of four weight rows as one unsliced pass. With the Vector API a batch of four or
     * more sums the classes (narrower than a vector) in fused multiply-adds and one sample in the
     * plain form, so there the rows agree within the float rule.
     */
    @ParameterizedTest
    @CsvSource({"300, 200, 131, 10, 8", "300, 200, 131, 10, 13", "300, 200, 131, 10, 64", "784, 256, 128, 10, 64"})
    void batchedPredictionsAreOneSamplePredictions(int in, int h1, int h2, int out, int n) {
        String name = "Batch" + in + "x" + h1 + "x" + h2 + "x" + out + "n" + n;
        GeneratedClasses floats = Examples.compiled(name + ".nn", spec(name, "float", in, h1, h2, out));
        assertTrue(
                floats.files().get(0).content().contains("for (int from = 0; from < " + in + "; from += "),
                "prediction's plain product in slices");
        TrainableNetwork single = floats.newInstance(name);
        TrainableNetwork twin = Examples.compiled(name + "_double.nn", spec(name + "D", "double", in, h1, h2, out))
                .newInstance(name + "D");
        double[] parameters = new double[single.parameterCount()];
        single.getParameters(parameters);
        twin.setParameters(parameters);
        double[] xs = floatExact(gaussian(in + n, n * in));
        double[] floatRows = new double[n * out];
        double[] doubleRows = new double[n * out];
        single.predict(xs, n, floatRows);
        twin.predict(xs, n, doubleRows);
        double[] one = new double[out];
        for (int s = 0; s < n; s++) {
            double[] x = Arrays.copyOfRange(xs, s * in, (s + 1) * in);
            double[] floatRow = Arrays.copyOfRange(floatRows, s * out, (s + 1) * out);
            double[] doubleRow = Arrays.copyOfRange(doubleRows, s * out, (s + 1) * out);
            twin.predict(x, one);
            assertArrayEquals(doubleRow, one, name + ": double, sample " + s + " alone and in the batch");
            single.predict(x, one);
            if (Vectorization.ENABLED) {
                assertAllClose(floatRow, one, RTOL, ATOL, name + ": float, sample " + s + " alone and in the batch");
            } else {
                assertArrayEquals(floatRow, one, name + ": float, sample " + s + " alone and in the batch");
            }
            assertAllClose(doubleRow, floatRow, RTOL, ATOL, name + ": float against double in the batch, sample " + s);
        }
    }

    /**
     * A double network's predictions, alone and in batches of 4 and 64 (the plain loops, or with
     * the Vector API the runtime's {@code DoubleProducts}), are the spec's arithmetic done by hand
     * in double: relu, tanh and softmax of the dense layers, to 1e-12. Widths around the double
     * vector lengths (4 and 8) and an input layer longer than a slice of 256 weight rows reach the
     * kernels' blocks, tails and slices.
     */
    @ParameterizedTest
    @CsvSource({"64, 32, 10, 3", "300, 37, 9, 5", "19, 72, 17, 2"})
    void doublePredictionsAreTheLayersArithmetic(int in, int h1, int out, int h2Factor) {
        int h2 = h2Factor * 4 + 1;
        String name = "Exact" + in + "x" + h1 + "x" + h2 + "x" + out;
        GeneratedClasses classes = Examples.compiled(name + ".nn", spec(name, "double", in, h1, h2, out));
        assertTrue(
                classes.files().get(0).content().contains("DoubleProducts.multiply(inputRows, 0, h1_weight, h1_bias, "),
                "a double prediction's product has the Vector API path");
        TrainableNetwork network = classes.newInstance(name);
        double[] p = new double[network.parameterCount()];
        network.getParameters(p);
        for (int n : new int[] {1, 4, 64}) {
            double[] xs = gaussian(in + n, n * in);
            double[] predicted = new double[n * out];
            network.predict(xs, n, predicted);
            for (int s = 0; s < n; s++) {
                double[] x = Arrays.copyOfRange(xs, s * in, (s + 1) * in);
                int at = 0;
                double[] a1 = dense(p, at, x, h1);
                at += h1 * in + h1;
                double[] a2 = dense(p, at, relu(a1), h2);
                at += h2 * h1 + h2;
                double[] logits = dense(p, at, tanh(a2), out);
                double[] expected = softmax(logits);
                for (int j = 0; j < out; j++) {
                    assertEquals(expected[j], predicted[s * out + j], 1e-12, name + " n=" + n + " sample " + s);
                }
            }
        }
    }

    /** {@code W x + b} of a dense layer whose weight ({@code [width, x.length]}) and bias start at {@code p[at]}. */
    private static double[] dense(double[] p, int at, double[] x, int width) {
        double[] y = new double[width];
        for (int o = 0; o < width; o++) {
            double sum = p[at + width * x.length + o];
            for (int k = 0; k < x.length; k++) {
                sum += p[at + o * x.length + k] * x[k];
            }
            y[o] = sum;
        }
        return y;
    }

    private static double[] relu(double[] v) {
        return Arrays.stream(v).map(e -> Math.max(e, 0)).toArray();
    }

    private static double[] tanh(double[] v) {
        return Arrays.stream(v).map(Math::tanh).toArray();
    }

    private static double[] softmax(double[] v) {
        double max = Arrays.stream(v).max().orElseThrow();
        double[] e = Arrays.stream(v).map(z -> Math.exp(z - max)).toArray();
        double total = Arrays.stream(e).sum();
        return Arrays.stream(e).map(z -> z / total).toArray();
    }

    /**
     * The sliced loops of a prediction-only product name {@code Math} through its import, so a
     * network called {@code Math} still compiles, and predicts exactly what a twin with a
     * neutral name predicts.
     */
    @Test
    void slicedPredictionsCompileInAClassNamedMath() {
        String body = "{ input Model[100]; v = dense(Model, 100, activation = softplus); output v; seed 3; }";
        GeneratedClasses classes =
                GeneratedClasses.compile("math.nn", "network Math " + body + "\nnetwork Neutral " + body + "\n");
        assertTrue(classes.files().get(0).content().contains("int to = "), "the sliced loops are generated");
        dev.nnc.runtime.Network math = classes.newInstance("Math");
        dev.nnc.runtime.Network neutral = classes.newInstance("Neutral");
        double[] xs = gaussian(5, 3 * 100);
        double[] expected = new double[3 * 100];
        double[] actual = new double[3 * 100];
        neutral.predict(xs, 3, expected);
        math.predict(xs, 3, actual);
        assertArrayEquals(expected, actual);
    }
}
