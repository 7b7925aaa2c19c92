package dev.nnc.compiler.codegen;

import dev.nnc.runtime.SeededRandom;
import dev.nnc.runtime.TrainableNetwork;
import java.lang.management.ManagementFactory;
import jdk.jfr.Recording;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opentest4j.AssertionFailedError;

/**
 * Once constructed, a generated network allocates nothing in {@code predict(x, out)},
 * {@code gradient}, {@code trainStep}, {@code trainingGradient} and {@code applyGradient}: measured with the thread's allocation counter over
 * many calls, after a warm-up that lets the JIT compile the code.
 */
class AllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** The JIT's deoptimisations while the tests run, named when a test fails. */
    private static Recording deoptimizations;

    /** The most windows measured before a test fails. */
    private static final int WINDOWS = 20;

    @BeforeAll
    static void recordDeoptimizations() {
        deoptimizations = AllocationSites.deoptimizations();
    }

    @AfterAll
    static void stopRecording() {
        deoptimizations.close();
    }

    @ParameterizedTest
    @CsvSource({
        "xor.nn, Xor",
        "digits.nn, Digits",
        "iris.nn, Iris",
        "explicit.nn, Explicit",
        "rbf.nn, Rbf",
        "normalized.nn, Normalized"
    })
    void trainingAndPredictionAllocateNothing(String example, String network) {
        assertTheApiAllocatesNothing(GeneratedClasses.compileExample(example).newInstance(network), network);
    }

    /**
     * {@code predict} of one sample and of a batch, {@code gradient}, {@code trainStep}, {@code
     * trainingGradient} and {@code applyGradient} in turn.
     */
    private static void assertTheApiAllocatesNothing(TrainableNetwork net, String network) {
        int n = 4;
        double[] xs = random(n * net.inputSize(), 1);
        double[] ys = random(n * net.targetSize(), 2);
        double[] x = random(net.inputSize(), 3);
        double[] out = new double[net.outputSize()];
        double[] outs = new double[n * net.outputSize()];
        double[] grad = new double[net.parameterCount()];
        Runnable calls = () -> {
            net.predict(x, out);
            net.predict(xs, n, outs);
            net.gradient(xs, ys, n, grad);
            net.trainStep(xs, ys, n);
            net.trainingGradient(xs, ys, n, grad);
            net.applyGradient(grad);
        };
        assertAllocatesNothing(network, calls, 20_000, 1_000);
    }

    /**
     * A float CNN, whose convolutions and max pools take the runtime's vector kernels when the
     * Vector API is on (this class runs in that JVM too): in-place convolutions, gathered pools,
     * the second convolution's patches by position copied by vectors.
     */
    @org.junit.jupiter.api.Test
    void aFloatCnnAllocatesNothing() {
        String spec = """
                network SmallCnn {
                    precision float;
                    input image[1, 12, 12];
                    target label[4];
                    c1 = conv2d(image, 4, 3, padding = 1, activation = relu);
                    p1 = max_pool2d(c1, 2);
                    c2 = conv2d(p1, 6, 3, activation = relu);
                    p2 = max_pool2d(c2, 2);
                    out = dense(flatten(p2), 4);
                    probs = softmax(out);
                    output probs;
                    loss cross_entropy(probs, label);
                    optimizer sgd(lr = 0.01, momentum = 0.9);
                    seed 3;
                }
                """;
        GeneratedClasses classes = GeneratedClasses.compile("SmallCnn", spec);
        org.junit.jupiter.api.Assertions.assertTrue(
                classes.source("SmallCnn").contains("PatchProducts.positionPatches("),
                "the spec no longer copies patches by vectors");
        assertTheApiAllocatesNothing(classes.newInstance("SmallCnn"), "SmallCnn");
    }

    /**
     * A float CNN whose weight gradients are kept by taps with the Vector API ({@code
     * PatchProducts.addTapProducts}): 12 and 16 filters, the first convolution padded (read in its
     * padded copy), the second not (read in its input).
     */
    @org.junit.jupiter.api.Test
    void aFloatCnnWithTheWeightGradientsByTapsAllocatesNothing() {
        String spec = """
                network TapCnn {
                    precision float;
                    input image[2, 10, 10];
                    target label[4];
                    c1 = conv2d(image, 12, 3, padding = 1, activation = relu);
                    p1 = max_pool2d(c1, 2);
                    c2 = conv2d(p1, 16, 3, activation = relu);
                    out = dense(flatten(c2), 4);
                    probs = softmax(out);
                    output probs;
                    loss cross_entropy(probs, label);
                    optimizer sgd(lr = 0.01, momentum = 0.9);
                    seed 3;
                }
                """;
        GeneratedClasses classes = GeneratedClasses.compile("TapCnn", spec);
        org.junit.jupiter.api.Assertions.assertEquals(
                3,
                classes.source("TapCnn").split("PatchProducts\\.addTapProducts\\(", -1).length,
                "both weight gradients by taps");
        assertTheApiAllocatesNothing(classes.newInstance("TapCnn"), "TapCnn");
    }

    /**
     * A CNN whose first convolution has short patches (9 taps) over a plane of 256 outputs: with
     * the Vector API its weight gradient is {@code PatchProducts.addShiftedLanes} in float, whose
     * sums wait by lanes in an array, and {@code DoublePatchProducts.dots} in double, whose sums
     * end in reading their vectors' lanes one by one.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"float", "double"})
    void aCnnWithTheWeightGradientAsDotProductsAllocatesNothing(String precision) {
        String spec = """
                network WideCnn {
                    precision %s;
                    input image[1, 16, 16];
                    target label[4];
                    c1 = conv2d(image, 4, 3, padding = 1, activation = relu);
                    p1 = max_pool2d(c1, 2);
                    out = dense(flatten(p1), 4);
                    probs = softmax(out);
                    output probs;
                    loss cross_entropy(probs, label);
                    optimizer sgd(lr = 0.01, momentum = 0.9);
                    seed 3;
                }
                """.formatted(precision);
        GeneratedClasses classes = GeneratedClasses.compile("WideCnn", spec);
        String kernel = precision.equals("float") ? "PatchProducts.addShiftedLanes(" : "PatchProducts.dots(";
        org.junit.jupiter.api.Assertions.assertTrue(
                classes.source("WideCnn").contains(kernel), "the spec no longer reaches " + kernel);
        assertTheApiAllocatesNothing(classes.newInstance("WideCnn"), "WideCnn");
    }

    /**
     * Fails, naming the sites that allocate, unless some window of {@code rounds} calls after
     * {@code warmUp} calls allocated nothing on the calling thread.
     */
    private static void assertAllocatesNothing(String what, Runnable calls, int warmUp, int rounds) {
        long quietest = quietestWindow(calls, warmUp, rounds);
        if (quietest > 0) {
            throw new AssertionFailedError(what + " allocated " + quietest + " bytes in each window of " + rounds
                    + " rounds; where, in the next " + rounds + ":" + AllocationSites.of(calls, rounds)
                    + "\nthe deoptimisations since the first test, by reason and place:"
                    + AllocationSites.traps(deoptimizations));
        }
    }

    /**
     * Bytes the calling thread allocated in the quietest window of {@code rounds} calls, after
     * {@code warmUp} calls that let the JIT compile the code, measuring up to {@link #WINDOWS}
     * windows and stopping at the first that allocated nothing. An allocation per call shows in
     * every window; a method that the JIT has not compiled yet (its queue is long on a slow
     * machine) or a one-off allocation of the JVM's own (a deoptimisation, say) only in some.
     */
    private static long quietestWindow(Runnable calls, int warmUp, int rounds) {
        for (int i = 0; i < warmUp; i++) {
            calls.run();
        }
        long quietest = Long.MAX_VALUE;
        for (int window = 0; window < WINDOWS && quietest > 0; window++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++) {
                calls.run();
            }
            quietest = Math.min(quietest, THREADS.getCurrentThreadAllocatedBytes() - before);
        }
        return quietest;
    }

    /** With two threads the caller hands parts to a helper and sums the shards' gradients. */
    @org.junit.jupiter.api.Test
    void splitTrainingAndPredictionAllocateNothingOnTheCallingThread() throws ReflectiveOperationException {
        TrainableNetwork net = GeneratedClasses.compileExample("mnist_mlp.nn").newInstance("MnistMlp");
        net.getClass().getMethod("setThreads", int.class).invoke(net, 2);
        int n = 8;
        double[] xs = random(n * net.inputSize(), 1);
        double[] ys = random(n * net.targetSize(), 2);
        double[] outs = new double[n * net.outputSize()];
        double[] grad = new double[net.parameterCount()];
        Runnable calls = () -> {
            net.predict(xs, n, outs);
            net.gradient(xs, ys, n, grad);
            net.trainStep(xs, ys, n);
            net.trainingGradient(xs, ys, n, grad);
            net.applyGradient(grad);
        };
        assertAllocatesNothing("MnistMlp with two threads", calls, 3_000, 200);
    }

    /**
     * A whole tile of a float network (64 samples, ten classes): with the Vector API its logits
     * product runs the leftover columns over a padded copy in a per-thread buffer, made on the
     * first call and reused after, so prediction and training still allocate nothing.
     */
    @org.junit.jupiter.api.Test
    void batchesOfATileAllocateNothing() {
        TrainableNetwork net = GeneratedClasses.compileExample("mnist_mlp.nn").newInstance("MnistMlp");
        int n = 64;
        double[] xs = random(n * net.inputSize(), 1);
        double[] ys = random(n * net.targetSize(), 2);
        double[] outs = new double[n * net.outputSize()];
        Runnable calls = () -> {
            net.predict(xs, n, outs);
            net.trainStep(xs, ys, n);
        };
        assertAllocatesNothing("MnistMlp at a batch of 64", calls, 1_000, 20);
    }

    @org.junit.jupiter.api.Test
    void theCounterSeesAnAllocation() {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        double[] array = new double[1000];
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        org.junit.jupiter.api.Assertions.assertTrue(
                allocated >= 8000, "counter saw " + allocated + " bytes; " + array.length);
    }

    private static double[] random(int size, long seed) {
        SeededRandom random = new SeededRandom(seed);
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            values[i] = random.nextDouble() * 0.5;
        }
        return values;
    }
}
