package dev.nnc.compiler.codegen;

import static dev.nnc.compiler.codegen.Numerics.assertAllClose;
import static dev.nnc.compiler.codegen.Numerics.assertAllFinite;
import static dev.nnc.compiler.codegen.Numerics.assertClose;
import static dev.nnc.compiler.codegen.Numerics.floatExact;
import static dev.nnc.compiler.codegen.Numerics.gaussian;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.TrainableNetwork;
import dev.nnc.runtime.Vectorization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Vector API path of tiled float networks, end to end: this class runs in its own test JVM
 * started with {@code --add-modules jdk.incubator.vector} (the {@code vector-kernels} execution
 * in the compiler's POM), where the generated MNIST-sized network takes the runtime's
 * register-blocked products, and is checked against its double twin, which runs the plain loops,
 * with the float precision rule of RELIABILITY 1.5 (rtol 1e-4, atol 1e-5). Batches of 1, 5, 64
 * and 100 samples reach the kernels' single rows, blocks of four rows, full tiles and a second
 * tile that adds to the gradient of the first. Recurrent float networks take the runtime's vector
 * logistic and tanh functions for their gates and its products for their weights' sums over the
 * steps, and are checked the same way. Convolutional networks are checked against double twins
 * that take the double kernels of their convolutions' products (the same blocks over doubles).
 */
class VectorKernelsTest {
    private static final double RTOL = 1e-4;
    private static final double ATOL = 1e-5;

    private static TrainableNetwork[] pair() {
        assertTrue(Vectorization.ENABLED, "this test runs with --add-modules " + Vectorization.MODULE);
        assertTrue(
                Examples.compiled("mnist_mlp.nn").files().get(0).content().contains("VectorProducts.addOuterProducts("),
                "the float class calls the Vector API kernels");
        return Examples.mnistWithDoubleTwin();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 64, 100})
    void predictionsAndGradientsMatchTheDoubleTwin(int n) {
        TrainableNetwork[] pair = pair();
        TrainableNetwork single = pair[0];
        TrainableNetwork twin = pair[1];
        double[] xs = floatExact(gaussian(70 + n, n * single.inputSize()));
        double[] ys = Numerics.oneHot(n, single.targetSize(), 80 + n);

        double[] expectedOutputs = new double[n * single.outputSize()];
        double[] outputs = new double[expectedOutputs.length];
        twin.predict(xs, n, expectedOutputs);
        single.predict(xs, n, outputs);
        assertAllClose(expectedOutputs, outputs, RTOL, ATOL, "outputs of " + n + " samples");

        double[] expectedGradient = new double[single.parameterCount()];
        double[] gradient = new double[expectedGradient.length];
        double expectedLoss = twin.gradient(xs, ys, n, expectedGradient);
        double loss = single.gradient(xs, ys, n, gradient);
        assertClose(expectedLoss, loss, RTOL, ATOL, "loss of " + n + " samples");
        assertAllFinite(gradient, "gradient");
        assertAllClose(expectedGradient, gradient, RTOL, ATOL, "gradient of " + n + " samples");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void trainingStepsMatchTheDoubleTwin(int threads) throws ReflectiveOperationException {
        TrainableNetwork[] pair = pair();
        TrainableNetwork single = pair[0];
        TrainableNetwork twin = pair[1];
        single.getClass().getMethod("setThreads", int.class).invoke(single, threads);
        int n = 128;
        for (int step = 0; step < 3; step++) {
            double[] xs = floatExact(gaussian(90 + step, n * single.inputSize()));
            double[] ys = Numerics.oneHot(n, single.targetSize(), 100 + step);
            assertClose(twin.trainStep(xs, ys, n), single.trainStep(xs, ys, n), RTOL, ATOL, "loss of step " + step);
        }
        double[] expected = new double[single.parameterCount()];
        double[] actual = new double[expected.length];
        twin.getParameters(expected);
        single.getParameters(actual);
        assertAllClose(expected, actual, RTOL, ATOL, "parameters after 3 steps with " + threads + " threads");
    }

    /**
     * A float CNN whose three products over patches reach every form of the Vector API path: a
     * forward product with more filters than positions and one with fewer than four filters
     * (single rows), an input gradient by tap ({@code c1}: 36 patch elements, 81 positions) and
     * by position ({@code c2}, {@code c3}), padding, a stride and a convolution without bias.
     */
    private static final String CONV = """
            network ConvVector {
                precision float;
                input image[2, 9, 9];
                target label[5];
                c0 = conv2d(image, 4, 1, activation = tanh);
                c1 = conv2d(c0, 6, 3, padding = 1, activation = relu);
                c2 = conv2d(c1, 20, 3, stride = 2, activation = tanh);
                c3 = conv2d(c2, 3, 2, bias = false);
                out = dense(flatten(c3), 5);
                probs = softmax(out);
                output probs;
                loss cross_entropy(probs, label);
                optimizer sgd(lr = 0.1, momentum = 0.9);
                seed 3;
            }
            """;

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 9})
    void convolutionsMatchTheDoubleTwin(int n) throws ReflectiveOperationException {
        assertTrue(Vectorization.ENABLED, "this test runs with --add-modules " + Vectorization.MODULE);
        GeneratedClasses classes = GeneratedClasses.compile("ConvVector", CONV);
        String source = classes.files().get(0).content();
        // c2 forward (stride 2), input gradients of c1 to c3, weight gradients of c0 to c3
        assertTrue(
                source.split("PatchProducts\\.multiply\\(", -1).length - 1 >= 8,
                "the three products over patches take the Vector API kernel");
        // c0, c1 (padded) and c3 forward: stride 1, read from the padded input in place
        assertTrue(
                source.split("PatchProducts\\.multiplyShifted\\(", -1).length - 1 >= 3,
                "the convolutions of stride 1 take the kernel over their padded input");
        TrainableNetwork single = classes.newInstance("ConvVector");
        GeneratedClasses twinClasses = GeneratedClasses.compile(
                "ConvVectorDouble", CONV.replace("precision float;", "").replace("ConvVector", "ConvVectorDouble"));
        // The double twin takes the same products over doubles, so the two kernels agree too.
        String twinSource = twinClasses.files().get(0).content();
        assertTrue(
                twinSource.split("DoublePatchProducts\\.multiply\\(", -1).length - 1 >= 8
                        && twinSource.split("DoublePatchProducts\\.multiplyShifted\\(", -1).length - 1 >= 3,
                "the double twin's products over patches take the double kernels");
        TrainableNetwork twin = twinClasses.newInstance("ConvVectorDouble");
        double[] parameters = new double[single.parameterCount()];
        single.getParameters(parameters);
        twin.setParameters(parameters);
        single.getClass().getMethod("setThreads", int.class).invoke(single, n == 9 ? 2 : 1);

        double[] xs = floatExact(gaussian(110 + n, n * single.inputSize()));
        double[] ys = Numerics.oneHot(n, single.targetSize(), 120 + n);
        double[] expectedOutputs = new double[n * single.outputSize()];
        double[] outputs = new double[expectedOutputs.length];
        twin.predict(xs, n, expectedOutputs);
        single.predict(xs, n, outputs);
        assertAllClose(expectedOutputs, outputs, RTOL, ATOL, "outputs of " + n + " samples");

        assertGradientAndStepsMatch(twin, single, xs, ys, n, n + " samples");
    }

    /**
     * Convolutions of stride 1 that read their patches from the padded input in place: an even
     * kernel padded to the same size (one column before, two after), two filters (single rows of
     * the kernel), a dilated window with five filters (an overlapping block of four rows), and a
     * 1-D convolution with padding; and a window so large against its input ({@code c3}: 9 x 9 on
     * 11 x 13) that the padded rows would be more than half as wide again as the outputs, so its
     * patches are copied, by the runtime's vector copy. Against the double twin in the predictions
     * of one, three and nine samples, one of them alone (the one-sample form), the gradient and
     * three steps.
     */
    private static final String SHIFTED = """
            network ConvShifted {
                precision float;
                input image[3, 11, 13];
                target label[4];
                c0 = conv2d(image, 2, [3, 4], padding = same, activation = tanh);
                c1 = conv2d(c0, 5, 3, dilation = 2, padding = 1, activation = relu);
                s = reshape(c1, [5, 99]);
                c2 = conv1d(s, 6, 5, padding = 2, activation = tanh);
                c3 = conv2d(image, 3, 9, activation = tanh);
                out = dense(concat(flatten(c2), flatten(c3)), 4);
                probs = softmax(out);
                output probs;
                loss cross_entropy(probs, label);
                optimizer sgd(lr = 0.1, momentum = 0.9);
                seed 5;
            }
            """;

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 9})
    void shiftedConvolutionsMatchTheDoubleTwin(int n) throws ReflectiveOperationException {
        assertTrue(Vectorization.ENABLED, "this test runs with --add-modules " + Vectorization.MODULE);
        GeneratedClasses classes = GeneratedClasses.compile("ConvShifted", SHIFTED);
        String source = classes.files().get(0).content();
        assertTrue(
                source.split("PatchProducts\\.multiplyShifted\\(", -1).length - 1 >= 3,
                "the three convolutions read their padded inputs in place");
        assertTrue(source.contains("PatchProducts.copyRun("), "the wide window's patches are copied by vectors");
        TrainableNetwork single = classes.newInstance("ConvShifted");
        TrainableNetwork twin = doubleTwin(single, "ConvShifted", SHIFTED);
        single.getClass().getMethod("setThreads", int.class).invoke(single, n == 9 ? 2 : 1);

        double[] xs = floatExact(gaussian(210 + n, n * single.inputSize()));
        double[] ys = Numerics.oneHot(n, single.targetSize(), 220 + n);
        double[] expectedOutputs = new double[n * single.outputSize()];
        double[] outputs = new double[expectedOutputs.length];
        twin.predict(xs, n, expectedOutputs);
        single.predict(xs, n, outputs);
        assertAllClose(expectedOutputs, outputs, RTOL, ATOL, "outputs of " + n + " samples");
        double[] x = java.util.Arrays.copyOf(xs, single.inputSize());
        double[] one = new double[single.outputSize()];
        single.predict(x, one);
        assertAllClose(java.util.Arrays.copyOf(expectedOutputs, one.length), one, RTOL, ATOL, "one sample");

        assertGradientAndStepsMatch(twin, single, xs, ys, n, n + " samples");
    }

    /**
     * Weight gradients kept by lanes over the tile ({@code PatchProducts.addShiftedLanes}): short
     * patches on planes of 400 and 288 outputs, read from the padded input in place; five filters
     * (a block of four rows and a single row) by 18 taps (blocks of four and single taps), and a
     * dilated window with three filters (single rows only), whose input gradient is computed over
     * the rows of its input and added under the taps by runs ({@code PatchProducts.addUnderTaps}).
     * Against the double twin in the gradient of one, three and nine samples (two threads), and
     * the same sample twice at half weight adds exactly the one sample's gradient.
     */
    private static final String LANES = """
            network ConvLanes {
                precision float;
                input image[2, 20, 20];
                target label[3];
                c0 = conv2d(image, 5, 3, padding = 1, activation = relu);
                c1 = conv2d(c0, 3, [2, 3], dilation = 2, activation = tanh);
                out = dense(flatten(max_pool2d(c1, 2)), 3);
                probs = softmax(out);
                output probs;
                loss cross_entropy(probs, label);
                optimizer sgd(lr = 0.1, momentum = 0.9);
                seed 7;
            }
            """;

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 9})
    void weightGradientsByLanesMatchTheDoubleTwin(int n) throws ReflectiveOperationException {
        Twins t = twins("ConvLanes", LANES, n, 310);
        assertTrue(
                t.source().split("PatchProducts\\.addShiftedLanes\\(", -1).length - 1 == 2,
                "both weight gradients are kept by lanes");
        assertTrue(
                t.source().contains("PatchProducts.addUnderTaps("),
                "c1's input gradient is added under its taps by runs");
        assertTwiceAtHalfWeightIsOnce(t.single(), t.xs(), t.ys());
        assertGradientAndStepsMatch(t.twin(), t.single(), t.xs(), t.ys(), n, n + " samples");
    }

    /**
     * Weight gradients kept by taps over the tile ({@code PatchProducts.addTapProducts}): planes
     * too short for lanes, filters that fill most of a vector; a padded window at stride 1 read in
     * its padded copy (27 taps: blocks of eight and singles) and a strided, dilated one read in its
     * input (72 taps). Against the double twin in the gradient of one, three and nine samples (two
     * threads), and the same sample twice at half weight adds exactly the one sample's gradient.
     */
    private static final String TAPS = """
            network ConvTaps {
                precision float;
                input image[3, 9, 9];
                target label[3];
                c0 = conv2d(image, 12, 3, padding = 1, activation = relu);
                c1 = conv2d(c0, 16, [2, 3], stride = 2, dilation = [1, 2], activation = tanh);
                out = dense(flatten(c1), 3);
                probs = softmax(out);
                output probs;
                loss cross_entropy(probs, label);
                optimizer sgd(lr = 0.1, momentum = 0.9);
                seed 8;
            }
            """;

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 9})
    void weightGradientsByTapsMatchTheDoubleTwin(int n) throws ReflectiveOperationException {
        Twins t = twins("ConvTaps", TAPS, n, 330);
        assertTrue(
                t.source().split("PatchProducts\\.addTapProducts\\(", -1).length - 1 == 2,
                "both weight gradients are kept by taps");
        assertTrue(t.source().contains("xp, 0, taps"), "c0's taps read its padded copy");
        assertTwiceAtHalfWeightIsOnce(t.single(), t.xs(), t.ys());
        assertGradientAndStepsMatch(t.twin(), t.single(), t.xs(), t.ys(), n, n + " samples");
    }

    /**
     * Max pools of two columns by vectors ({@code VectorPools}): a 2 x 2 pool of rows of 18
     * outputs (two vectors at AVX-512, more at narrower lengths) with an odd last row and column
     * under no window, and a 1-D pool of rows of 9; relu's zeros tie in many windows, so a
     * gradient at another element of a window than the first maximum would show. Against the
     * double twin in the outputs, the gradient of one, three and nine samples (two threads) and
     * three steps.
     */
    private static final String POOLS = """
            network PoolPairs {
                precision float;
                input image[2, 9, 37];
                target label[3];
                c0 = conv2d(image, 4, 3, padding = 1, activation = relu);
                p0 = max_pool2d(c0, 2);
                p1 = max_pool1d(reshape(p0, [16, 18]), 2);
                out = dense(flatten(p1), 3);
                probs = softmax(out);
                output probs;
                loss cross_entropy(probs, label);
                optimizer sgd(lr = 0.1, momentum = 0.9);
                seed 9;
            }
            """;

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 9})
    void maxPoolsByVectorsMatchTheDoubleTwin(int n) throws ReflectiveOperationException {
        Twins t = twins("PoolPairs", POOLS, n, 350);
        assertTrue(t.source().contains("VectorPools.maxPoolPairs(c0_"), "the 2-D pool by vectors");
        assertTrue(t.source().contains("VectorPools.maxPoolPairsGradient("), "its gradient by vectors");
        double[] outputs = new double[n * t.single().outputSize()];
        double[] expected = new double[outputs.length];
        t.single().predict(t.xs(), n, outputs);
        t.twin().predict(t.xs(), n, expected);
        assertAllClose(expected, outputs, RTOL, ATOL, "outputs of " + n + " samples");
        assertGradientAndStepsMatch(t.twin(), t.single(), t.xs(), t.ys(), n, n + " samples");
    }

    /** A float network's generated source and instance, its double twin, and {@code n} samples of data. */
    private record Twins(String source, TrainableNetwork single, TrainableNetwork twin, double[] xs, double[] ys) {}

    /**
     * Float network {@code name} of {@code spec} on the Vector API path (two threads for nine
     * samples, one otherwise), its double twin with the same parameters, and {@code n} samples:
     * float-exact inputs from seed {@code seed + n}, one-hot targets from {@code seed + 10 + n}.
     */
    private static Twins twins(String name, String spec, int n, int seed) throws ReflectiveOperationException {
        assertTrue(Vectorization.ENABLED, "this test runs with --add-modules " + Vectorization.MODULE);
        GeneratedClasses classes = GeneratedClasses.compile(name, spec);
        TrainableNetwork single = classes.newInstance(name);
        TrainableNetwork twin = doubleTwin(single, name, spec);
        single.getClass().getMethod("setThreads", int.class).invoke(single, n == 9 ? 2 : 1);
        double[] xs = floatExact(gaussian(seed + n, n * single.inputSize()));
        double[] ys = Numerics.oneHot(n, single.targetSize(), seed + 10 + n);
        return new Twins(classes.files().get(0).content(), single, twin, xs, ys);
    }

    /** The gradient of the first sample, and of the same sample twice (each at half weight): the same bits. */
    private static void assertTwiceAtHalfWeightIsOnce(TrainableNetwork network, double[] xs, double[] ys) {
        double[] x = java.util.Arrays.copyOf(xs, network.inputSize());
        double[] y = java.util.Arrays.copyOf(ys, network.targetSize());
        double[] once = new double[network.parameterCount()];
        double[] twice = new double[once.length];
        network.gradient(x, y, 1, once);
        network.gradient(concat(x, x), concat(y, y), 2, twice);
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                once, twice, "one sample, and the same twice at half weight");
    }

    /** The double twin of float network {@code name} of {@code spec}, with the float network's parameters. */
    private static TrainableNetwork doubleTwin(TrainableNetwork single, String name, String spec) {
        TrainableNetwork twin = GeneratedClasses.compile(
                        name + "Double", spec.replace("precision float;", "").replace(name, name + "Double"))
                .newInstance(name + "Double");
        double[] parameters = new double[single.parameterCount()];
        single.getParameters(parameters);
        twin.setParameters(parameters);
        return twin;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /**
     * A float recurrent network of each cell against its double twin, in the gradient of nine
     * samples (two tiles and a rest) and after three Adam steps: 20 units make runs of gates that
     * end in the scalar tails of the vector functions at every vector length.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gru(x, 20)", "lstm(x, 20)", "rnn(x, 20)"})
    void recurrentGatesAndWeightSumsMatchTheDoubleTwin(String layer) {
        String spec = """
                network Seq {
                    %s
                    input  x[6, 3];
                    target y[1];
                    h = %s;
                    out = dense(h, 1);
                    output out;
                    loss mse(out, y);
                    optimizer adam(lr = 1e-2);
                    seed 5;
                }
                """;
        String name = "vector_" + layer.substring(0, layer.indexOf('('));
        GeneratedClasses floats = Examples.compiled(name + ".nn", spec.formatted("precision float;", layer));
        String source = floats.files().get(0).content();
        assertTrue(source.contains("VectorFunctions.sigmoid(") || layer.startsWith("rnn"), "vector logistic gates");
        assertTrue(source.contains("VectorFunctions.tanh("), "vector tanh");
        assertTrue(source.contains("VectorProducts.multiply(termScalars"), "the weight sums as products");
        TrainableNetwork single = floats.newInstance("Seq");
        TrainableNetwork twin = Examples.compiled(name + "_double.nn", spec.formatted("", layer))
                .newInstance("Seq");
        double[] parameters = new double[single.parameterCount()];
        single.getParameters(parameters);
        twin.setParameters(parameters);

        int n = 9;
        double[] xs = floatExact(gaussian(110, n * single.inputSize()));
        double[] ys = floatExact(gaussian(111, n));
        assertGradientAndStepsMatch(twin, single, xs, ys, n, layer);
    }

    /**
     * The float network {@code single} against its double {@code twin} on one batch: the loss and
     * gradient, then three training steps and the parameters after them.
     */
    private static void assertGradientAndStepsMatch(
            TrainableNetwork twin, TrainableNetwork single, double[] xs, double[] ys, int n, String what) {
        double[] expected = new double[single.parameterCount()];
        double[] actual = new double[expected.length];
        assertClose(
                twin.gradient(xs, ys, n, expected), single.gradient(xs, ys, n, actual), RTOL, ATOL, "loss of " + what);
        assertAllFinite(actual, "gradient of " + what);
        assertAllClose(expected, actual, RTOL, ATOL, "gradient of " + what);
        for (int step = 0; step < 3; step++) {
            assertClose(twin.trainStep(xs, ys, n), single.trainStep(xs, ys, n), RTOL, ATOL, "loss of step " + step);
        }
        twin.getParameters(expected);
        single.getParameters(actual);
        assertAllClose(expected, actual, RTOL, ATOL, "parameters after 3 steps of " + what);
    }
}
