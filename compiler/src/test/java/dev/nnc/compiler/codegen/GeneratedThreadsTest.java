package dev.nnc.compiler.codegen;

import static dev.nnc.compiler.codegen.Networks.parameters;
import static dev.nnc.compiler.codegen.Networks.setThreads;
import static dev.nnc.compiler.codegen.Numerics.assertAllClose;
import static dev.nnc.compiler.codegen.Numerics.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.TrainableNetwork;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code setThreads(k)} on a class with tiled kernels splits each large enough batch into
 * {@code k} parts that run at once: predictions are exactly those of one thread, training steps
 * differ from one thread's only by the order of the gradient sum, and a split step gives the same
 * bits on every run.
 */
class GeneratedThreadsTest {
    /** MnistMlp in double (split from 1 sample per part), Digits (from 83 per part; has an L2 term). */
    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of(Examples.MNIST_TWIN_FILE, "MnistMlpDouble", 64), Arguments.of("digits.nn", "Digits", 200));
    }

    private static TrainableNetwork network(String file, String name) {
        GeneratedClasses classes = file.equals(Examples.MNIST_TWIN_FILE)
                ? Examples.compiled(Examples.MNIST_TWIN_FILE, Examples.mnistDoubleTwinText())
                : Examples.compiled(file);
        return classes.newInstance(name);
    }

    private static double[] batch(int n, int width, long seed) {
        return uniform(seed, n * width);
    }

    @ParameterizedTest
    @MethodSource("networks")
    void splitPredictionIsExactlyTheOneThreadPrediction(String file, String name, int n) {
        TrainableNetwork one = network(file, name);
        TrainableNetwork two = network(file, name);
        setThreads(two, 2);
        double[] xs = batch(n, one.inputSize(), 1);
        double[] expected = new double[n * one.outputSize()];
        double[] actual = new double[n * one.outputSize()];
        one.predict(xs, n, expected);
        two.predict(xs, n, actual);
        assertArrayEquals(expected, actual);
    }

    @ParameterizedTest
    @MethodSource("networks")
    void splitTrainingFollowsOneThreadUpToTheOrderOfTheGradientSum(String file, String name, int n) {
        TrainableNetwork one = network(file, name);
        TrainableNetwork two = network(file, name);
        setThreads(two, 2);
        double[] gradientOne = new double[one.parameterCount()];
        double[] gradientTwo = new double[one.parameterCount()];
        for (int step = 0; step < 10; step++) {
            double[] xs = batch(n, one.inputSize(), 100 + step);
            double[] ys = Numerics.oneHot(n, one.targetSize(), 200 + step);
            double lossOne = one.gradient(xs, ys, n, gradientOne);
            double lossTwo = two.gradient(xs, ys, n, gradientTwo);
            assertEquals(lossOne, lossTwo, 1e-12 * Math.abs(lossOne), "loss at step " + step);
            assertAllClose(gradientOne, gradientTwo, 1e-9, 1e-13, "gradient at step " + step);
            one.trainStep(xs, ys, n);
            two.trainStep(xs, ys, n);
        }
        assertAllClose(parameters(one), parameters(two), 1e-9, 1e-12, "parameters after 10 steps");
    }

    @ParameterizedTest
    @MethodSource("networks")
    void splitStepsGiveTheSameBitsOnEveryRun(String file, String name, int n) {
        TrainableNetwork first = network(file, name);
        TrainableNetwork second = network(file, name);
        setThreads(first, 2);
        setThreads(second, 2);
        for (int step = 0; step < 5; step++) {
            double[] xs = batch(n, first.inputSize(), 300 + step);
            double[] ys = Numerics.oneHot(n, first.targetSize(), 400 + step);
            assertEquals(first.trainStep(xs, ys, n), second.trainStep(xs, ys, n), "loss at step " + step);
        }
        assertArrayEquals(parameters(first), parameters(second));
    }

    /** Clipping by norm takes the norm from the parts' sums; clipping by value first clamps, then sums. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {
                "rmsprop(lr = 0.01, clip_norm = 0.05)",
                "sgd(lr = 0.1, momentum = 0.9, clip_value = 0.001, clip_norm = 0.02)"
            })
    void splitStepsClipLikeOneThread(String optimizer) {
        String spec = "network Clipped {\n"
                + "    input x[40];\n"
                + "    target y[6];\n"
                + "    hidden = dense(x, 48, activation = tanh);\n"
                + "    out = dense(hidden, 6);\n"
                + "    output out;\n"
                + "    loss mse(out, y);\n"
                + "    optimizer " + optimizer + ";\n"
                + "}\n";
        GeneratedClasses classes = GeneratedClasses.compile("clipped.nn", spec);
        TrainableNetwork one = classes.newInstance("Clipped");
        TrainableNetwork two = classes.newInstance("Clipped");
        setThreads(two, 2);
        int n = 200;
        for (int step = 0; step < 10; step++) {
            double[] xs = batch(n, 40, 500 + step);
            double[] ys = batch(n, 6, 600 + step);
            double lossOne = one.trainStep(xs, ys, n);
            double lossTwo = two.trainStep(xs, ys, n);
            assertEquals(lossOne, lossTwo, 1e-12 * Math.abs(lossOne), "loss at step " + step);
        }
        assertAllClose(parameters(one), parameters(two), 1e-9, 1e-12, "parameters after 10 clipped steps");
    }

    @Test
    void aSplitBatchPutsAHelperThreadToWork() {
        TrainableNetwork network = network(Examples.MNIST_TWIN_FILE, "MnistMlpDouble");
        setThreads(network, 2);
        double[] xs = batch(64, network.inputSize(), 5);
        double[] ys = Numerics.oneHot(64, network.targetSize(), 6);
        network.trainStep(xs, ys, 64);
        assertTrue(
                Thread.getAllStackTraces().keySet().stream()
                        .anyMatch(t -> t.getName().startsWith("nnc-part-")),
                "no nnc-part helper thread was started");
    }

    @Test
    void setThreadsRejectsFewerThanOneThread() {
        TrainableNetwork network = network("digits.nn", "Digits");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> setThreads(network, 0));
        assertEquals("threads must be at least 1, found 0", e.getMessage());
    }

    @Test
    void aCopyStartsWithOneThreadAndOwnsItsParameters() {
        TrainableNetwork network = network("digits.nn", "Digits");
        setThreads(network, 2);
        TrainableNetwork copy = assertInstanceOf(TrainableNetwork.class, network.copy());
        double[] before = parameters(copy);
        int n = 200;
        network.trainStep(batch(n, network.inputSize(), 7), Numerics.oneHot(n, network.targetSize(), 8), n);
        assertArrayEquals(before, parameters(copy), "training the original changed its copy");
        assertFalse(java.util.Arrays.equals(before, parameters(network)), "the split step changed nothing");
    }

    @Test
    void smallNetworksWithoutTiledKernelsHaveNoThreadsSetting() {
        TrainableNetwork xor = Examples.compiled("xor.nn").newInstance("Xor");
        assertThrows(NoSuchMethodException.class, () -> xor.getClass().getMethod("setThreads", int.class));
    }
}
