package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.TrainableNetwork;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generated code of {@code embedding}: every entry point that reads inputs rejects a bad id
 * of any sample before it changes anything, naming the sample, the input element and the value;
 * the weight's gradient is non-zero only in the rows the batch's ids name, a row looked up twice
 * getting both lookups' sums; and networks with embeddings and {@code layer_norm} allocate
 * nothing and keep every method under HotSpot's limit, in both kernel forms.
 */
class EmbeddingTest {
    /** Unrolled: a scalar id and a slice of ids; the id inputs sit between ordinary ones. */
    private static final String SMALL = """
            network Small {
                %s
                input x[2];
                input week;
                input tokens[3];
                target y[1];
                w = embedding(week, 6, 2);
                t = embedding(tokens[1:3], 5, 2);
                n = layer_norm(x);
                out = dense(concat(w, flatten(t), n), 1);
                output out;
                loss mse(out, y);
                optimizer adam(lr = 0.01);
            }
            """;

    /** Tiled: the dense layer's weight product makes the kernels work on tiles. */
    private static final String TILED = """
            network Tiled {
                %s
                input tokens[3];
                input x[40];
                target y[4];
                e = embedding(tokens, 30, 8);
                h = dense(concat(flatten(e), x), 32, activation = tanh);
                n = layer_norm(h);
                out = softmax(dense(n, 4));
                output out;
                loss cross_entropy(out, y);
                optimizer sgd(lr = 0.1, momentum = 0.9);
            }
            """;

    private static TrainableNetwork small(String precision) {
        return GeneratedClasses.compile("small.nn", SMALL.formatted(precision)).newInstance("Small");
    }

    /** Three samples of Small's inputs: x[2], week, tokens[3] with valid ids. */
    private static final double[] XS = {
        0.5, -1, 5, 0, 4, 4, //
        1, 2, 0, 1, 3, 3, //
        -0.5, 0.25, 3, 2, 1, 0
    };

    private static final double[] YS = {0.5, -0.5, 1};

    @ParameterizedTest
    @ValueSource(strings = {"", "precision float;"})
    void everyEntryPointRejectsABadIdBeforeChangingAnything(String precision) {
        TrainableNetwork net = small(precision);
        double[] before = parameters(net);
        // Sample 1, tokens[2] (the second id of the slice), which the kernels would read.
        for (double bad : new double[] {1.5, -1, Double.NaN, Double.POSITIVE_INFINITY, 5}) {
            double[] xs = XS.clone();
            xs[6 + 5] = bad;
            String value = precision.isEmpty() ? Double.toString(bad) : Float.toString((float) bad);
            String expected = "sample 1: tokens[2] = " + value + " is not an id of embedding 't', an integer in [0, 5)";
            List<Consumer<TrainableNetwork>> calls = List.of(
                    n -> n.predict(xs, 3, new double[3]),
                    n -> n.loss(xs, YS, 3),
                    n -> n.gradient(xs, YS, 3, new double[n.parameterCount()]),
                    n -> n.trainStep(xs, YS, 3));
            for (Consumer<TrainableNetwork> call : calls) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> call.accept(net));
                assertEquals(expected, e.getMessage());
            }
        }
        // A fraction that a float network would round to an integer is rejected as given.
        double[] nearly = withId(XS, 11, 2.0000000001);
        IllegalArgumentException rounded = assertThrows(IllegalArgumentException.class, () -> net.loss(nearly, YS, 3));
        assertTrue(rounded.getMessage().startsWith("sample 1: tokens[2] = 2.0000000001 "), rounded.getMessage());
        double[] one = java.util.Arrays.copyOfRange(XS, 0, 6);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> net.predict(withId(one, 2, 6), new double[1]));
        assertEquals("sample 0: week = 6.0 is not an id of embedding 'w', an integer in [0, 6)", e.getMessage());
        // One sample: trainStep's fused one-sample path checks too.
        IllegalArgumentException single =
                assertThrows(IllegalArgumentException.class, () -> net.trainStep(withId(one, 4, -2), YS, 1));
        assertTrue(single.getMessage().startsWith("sample 0: tokens[1] = -2.0"), single.getMessage());
        assertArrayEquals(before, parameters(net), "parameters changed by a rejected call");
        // The step count is untouched too: the next step is the first step of a fresh network.
        TrainableNetwork fresh = small(precision);
        assertEquals(fresh.trainStep(XS, YS, 3), net.trainStep(XS, YS, 3));
        assertArrayEquals(parameters(fresh), parameters(net));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "precision float;"})
    void theWeightGradientHasOnlyTheRowsOfTheIdsUsed(String precision) {
        for (boolean tiled : new boolean[] {false, true}) {
            TrainableNetwork net = tiled
                    ? GeneratedClasses.compile("tiled.nn", TILED.formatted(precision))
                            .newInstance("Tiled")
                    : small(precision);
            int n = 3;
            double[] xs = new double[n * net.inputSize()];
            java.util.Random random = new java.util.Random(7);
            for (int i = 0; i < xs.length; i++) {
                xs[i] = random.nextGaussian();
            }
            // Ids 4 and 7 (twice in sample 0) for Tiled; Small's ids are XS's.
            int[] used = tiled ? new int[] {4, 7} : new int[] {0, 1, 3, 4};
            for (int s = 0; s < n && tiled; s++) {
                int row = s * net.inputSize();
                xs[row] = 7;
                xs[row + 1] = s == 0 ? 7 : 4;
                xs[row + 2] = 4;
            }
            if (!tiled) {
                xs = XS.clone();
            }
            double[] ys = new double[n * net.targetSize()];
            for (int i = 0; i < ys.length; i += net.targetSize()) {
                ys[i] = 1;
            }
            double[] grad = new double[net.parameterCount()];
            net.gradient(xs, ys, n, grad);
            // The table of tokens is the first parameter of Tiled, the second of Small.
            int offset = tiled ? 0 : 12;
            int rows = tiled ? 30 : 5;
            int dim = tiled ? 8 : 2;
            for (int r = 0; r < rows; r++) {
                boolean isUsed = false;
                for (int u : used) {
                    isUsed |= u == r;
                }
                for (int j = 0; j < dim; j++) {
                    double g = grad[offset + r * dim + j];
                    String where = (tiled ? "Tiled" : "Small") + " row " + r + " column " + j + ": " + g;
                    assertTrue(isUsed ? g != 0 : g == 0, where);
                }
            }
        }
    }

    /**
     * A class named after a type of {@code java.lang} hides it inside the class: the id checks,
     * the buffers and the checkpoints must name such types in full (a campaign found {@code
     * String position = ...} in a network named {@code String}).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"String", "Math", "System", "Arrays", "Double"})
    void classesNamedAfterJavaLangTypesCompile(String name) {
        String spec = """
                network %s {
                    input x[4];
                    input id;
                    target y[2];
                    e = embedding(id, 3, 2);
                    z = dense(concat(x, e), 5);
                    m = layer_norm(z);
                    n = relu(batch_norm(m));
                    o = dense(n, 2);
                    output o;
                    loss mse(o, y);
                    optimizer adam(lr = 0.01);
                }
                """.formatted(name);
        TrainableNetwork network = GeneratedClasses.compile(name + ".nn", spec).newInstance(name);
        double[] xs = {0.1, 0.2, 0.3, 0.4, 2, -0.1, 0.5, 0.2, 0.3, 1};
        double[] ys = {0.5, -0.5, 0.25, 0.75};
        assertTrue(Double.isFinite(network.trainStep(xs, ys, 2)), name);
        xs[4] = 3;
        assertThrows(IllegalArgumentException.class, () -> network.trainStep(xs, ys, 2), name);
    }

    @Test
    void networksWithEmbeddingsAndLayerNormAllocateNothingAndStayUnderTheMethodLimit() throws IOException {
        for (String precision : List.of("", "precision float;")) {
            GeneratedClasses small = GeneratedClasses.compile("small.nn", SMALL.formatted(precision));
            GeneratedClasses tiled = GeneratedClasses.compile("tiled.nn", TILED.formatted(precision));
            MethodSizeTest.assertAllMethodsUnderLimit(small);
            MethodSizeTest.assertAllMethodsUnderLimit(tiled);
            assertAllocatesNothing(small.newInstance("Small"), XS, YS);
            TrainableNetwork net = tiled.newInstance("Tiled");
            double[] xs = new double[4 * net.inputSize()];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = i % net.inputSize() < 3 ? (i * 7) % 30 : Math.sin(i);
            }
            double[] ys = new double[4 * net.targetSize()];
            ys[0] = 1;
            assertAllocatesNothing(net, xs, ys);
        }
    }

    private static void assertAllocatesNothing(TrainableNetwork net, double[] xs, double[] ys) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int n = xs.length / net.inputSize();
        double[] x = java.util.Arrays.copyOfRange(xs, 0, net.inputSize());
        double[] out = new double[net.outputSize()];
        double[] outs = new double[n * net.outputSize()];
        double[] grad = new double[net.parameterCount()];
        Runnable calls = () -> {
            net.predict(x, out);
            net.predict(xs, n, outs);
            net.gradient(xs, ys, n, grad);
            net.trainStep(xs, ys, n);
        };
        for (int i = 0; i < 20_000; i++) {
            calls.run();
        }
        long quietest = Long.MAX_VALUE;
        for (int window = 0; window < 5; window++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 1_000; i++) {
                calls.run();
            }
            quietest = Math.min(quietest, threads.getCurrentThreadAllocatedBytes() - before);
        }
        assertEquals(0, quietest, net.getClass().getSimpleName() + " allocated " + quietest + " bytes per window");
    }

    private static double[] withId(double[] x, int position, double id) {
        double[] copy = x.clone();
        copy[position] = id;
        return copy;
    }

    private static double[] parameters(TrainableNetwork net) {
        double[] values = new double[net.parameterCount()];
        net.getParameters(values);
        return values;
    }
}
