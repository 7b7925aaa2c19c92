package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.TrainableNetwork;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Networks with hundreds of parameter tensors: 300 scalar parameters in one expression, 300
 * small vectors between layers, and 200 stacked dense layers under SGD and under Adam. Every
 * method that visits each parameter (update, norm, finiteness scan, copies, constructors,
 * parameter tables) is split into parts, so every method of every class stays under HotSpot's
 * 8,000-byte limit; the classes round-trip their parameters, match finite differences, take
 * exactly the optimizer's step, and copy, save, load and split batches like small ones.
 */
class LargeNetworkTest {
    private static final int SCALARS = 300;
    private static final int VECTORS = 300;
    private static final int LAYERS = 200;

    private static GeneratedClasses generated;

    /** All four networks in one source: one generation, one javac run. */
    @BeforeAll
    static void compile() throws IOException {
        String spec =
                scalars() + vectors() + layers("DeepSgd", "sgd(lr = 0.01)") + layers("DeepAdam", "adam(lr = 0.01)");
        generated = GeneratedClasses.compile("large-networks.nn", spec);
        MethodSizeTest.assertAllMethodsUnderLimit(generated);
    }

    /** {@code o = x[0] * (p0 * p1 + p1 * p2 + ... + p299 * p0) + x[1] * p7}. */
    private static String scalars() {
        StringBuilder spec = new StringBuilder("network Scalars {\n  input x[2];\n  target y;\n");
        StringBuilder sum = new StringBuilder();
        for (int i = 0; i < SCALARS; i++) {
            spec.append("  param p").append(i).append(";\n");
            sum.append(i == 0 ? "" : " + ").append("p").append(i).append(" * p").append((i + 1) % SCALARS);
        }
        return spec.append("  o = x[0] * (")
                .append(sum)
                .append(") + x[1] * p7;\n  output o;\n  loss mse(o, y);\n  optimizer adam(lr = 0.01);\n}\n")
                .toString();
    }

    /** A dense layer, then 300 small parameter vectors: {@code h_i = tanh(h_{i-1} * q_{i-1} + q_i)}. */
    private static String vectors() {
        StringBuilder spec = new StringBuilder("network Vectors {\n  input x[4];\n  target y[2];\n");
        for (int i = 0; i < VECTORS; i++) {
            spec.append("  param q").append(i).append("[2];\n");
        }
        spec.append("  h0 = dense(x, 2, activation = tanh);\n");
        for (int i = 1; i < VECTORS; i++) {
            spec.append("  h")
                    .append(i)
                    .append(" = tanh(h")
                    .append(i - 1)
                    .append(" * q")
                    .append(i - 1)
                    .append(" + q")
                    .append(i)
                    .append(");\n");
        }
        int last = VECTORS - 1;
        return spec.append("  output h")
                .append(last)
                .append(";\n  loss mse(h")
                .append(last)
                .append(", y);\n  optimizer sgd(lr = 0.01);\n}\n")
                .toString();
    }

    private static String layers(String name, String optimizer) {
        StringBuilder spec = new StringBuilder("network ")
                .append(name)
                .append(" {\n  input x[3];\n  target y[3];\n  h0 = dense(x, 3, activation = tanh);\n");
        for (int i = 1; i < LAYERS; i++) {
            spec.append("  h").append(i).append(" = dense(h").append(i - 1).append(", 3, activation = tanh);\n");
        }
        int last = LAYERS - 1;
        return spec.append("  output h")
                .append(last)
                .append(";\n  loss mse(h")
                .append(last)
                .append(", y);\n  optimizer ")
                .append(optimizer)
                .append(";\n}\n")
                .toString();
    }

    private static final int BATCH = 3;

    private static double[] inputs(TrainableNetwork network) {
        return Numerics.uniform(11, BATCH * network.inputSize());
    }

    private static double[] targets(TrainableNetwork network) {
        return Numerics.uniform(12, BATCH * network.targetSize());
    }

    /**
     * Parameters of moderate size, so that no layer saturates and every gradient entry is
     * far from zero.
     */
    private static TrainableNetwork instance(String name) {
        TrainableNetwork network = generated.newInstance(name);
        double[] values = Numerics.gaussian(5, network.parameterCount());
        for (int i = 0; i < values.length; i++) {
            values[i] = 0.4 * values[i] + (name.equals("Scalars") ? 0.05 : 0.0);
        }
        network.setParameters(values);
        return network;
    }

    @ParameterizedTest
    @ValueSource(strings = {"Scalars", "Vectors", "DeepSgd", "DeepAdam"})
    void parametersRoundTripAndTheGradientMatchesFiniteDifferences(String name) {
        TrainableNetwork network = instance(name);
        double[] values = Networks.parameters(network);
        double[] back = new double[values.length];
        network.setParameters(values);
        network.getParameters(back);
        assertArrayEquals(values, back, "parameters round-trip");
        double[] xs = inputs(network);
        double[] ys = targets(network);
        double[] grad = new double[values.length];
        double loss = network.gradient(xs, ys, BATCH, grad);
        assertEquals(network.loss(xs, ys, BATCH), loss, 1e-12 * Math.max(1, Math.abs(loss)));
        double scale = 0;
        for (double g : grad) {
            scale = Math.max(scale, Math.abs(g));
        }
        assertTrue(scale > 1e-6, name + " has a gradient");
        // The first 40 parameters, then about a hundred spread over the rest.
        int step = Math.max(1, values.length / 97);
        for (int i = 0; i < values.length; i = i < 40 ? i + 1 : i + step) {
            double h = 1e-6;
            double saved = values[i];
            values[i] = saved + h;
            network.setParameters(values);
            double up = network.loss(xs, ys, BATCH);
            values[i] = saved - h;
            network.setParameters(values);
            double down = network.loss(xs, ys, BATCH);
            values[i] = saved;
            double central = (up - down) / (2 * h);
            Numerics.assertClose(central, grad[i], 1e-5, 1e-7 * scale + 1e-10, name + " d loss / d parameter " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Scalars", "Vectors", "DeepSgd", "DeepAdam"})
    void aStepIsTheOptimizersRuleAndCopiesSavesAndLoadsKeepTheState(String name) throws Exception {
        TrainableNetwork network = instance(name);
        double[] xs = inputs(network);
        double[] ys = targets(network);
        double[] before = Networks.parameters(network);
        double[] grad = new double[before.length];
        network.gradient(xs, ys, BATCH, grad);
        network.trainStep(xs, ys, BATCH);
        double[] after = Networks.parameters(network);
        boolean adam = name.equals("Scalars") || name.equals("DeepAdam");
        for (int i = 0; i < before.length; i++) {
            assertEquals(expectedStep(before[i], grad[i], adam), after[i], 1e-15, name + " parameter " + i);
        }
        TrainableNetwork copy = network.copy();
        assertArrayEquals(after, Networks.parameters(copy), "copy");
        // Same optimizer state: the next step of the copy is bitwise the original's.
        assertEquals(network.trainStep(xs, ys, BATCH), copy.trainStep(xs, ys, BATCH));
        assertArrayEquals(Networks.parameters(network), Networks.parameters(copy), "copy after a step");
        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        network.save(saved);
        Method load = generated.load(name).getMethod("load", java.io.InputStream.class);
        TrainableNetwork loaded = (TrainableNetwork) load.invoke(null, new ByteArrayInputStream(saved.toByteArray()));
        assertArrayEquals(Networks.parameters(network), Networks.parameters(loaded), "save and load");
        assertEquals(name, loaded.name());
        int tensors = switch (name) {
            case "Scalars" -> SCALARS;
            case "Vectors" -> VECTORS + 2;
            default -> 2 * LAYERS;
        };
        assertEquals(tensors, loaded.parameterNames().size());
        assertEquals(network.parameterNames(), loaded.parameterNames());
        assertEquals(tensors, loaded.parameterShapes().size());
    }

    /** SGD's {@code p - lr g}, or Adam's first step from zero state (PyTorch's formula). */
    private static double expectedStep(double p, double g, boolean adam) {
        if (!adam) {
            return p - 0.01 * g;
        }
        double m = 0.09999999999999998 * g;
        double v = 0.0010000000000000009 * (g * g);
        double stepSize = 0.01 / (1.0 - Math.pow(0.9, 1));
        double biasCorrection2Sqrt = Math.sqrt(1.0 - Math.pow(0.999, 1));
        return p - stepSize * (m / (Math.sqrt(v) / biasCorrection2Sqrt + 1.0E-8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"DeepSgd", "DeepAdam"})
    void aBatchSplitAcrossThreadsGivesTheSameGradientAndStep(String name) {
        TrainableNetwork single = instance(name);
        TrainableNetwork split = instance(name);
        Networks.setThreads(split, 2);
        int n = 256; // past MIN_PART_SAMPLES (200,000 / 2,400 parameters) per thread
        double[] xs = Numerics.uniform(21, n * single.inputSize());
        double[] ys = Numerics.uniform(22, n * single.targetSize());
        double[] expected = new double[single.parameterCount()];
        double[] actual = new double[expected.length];
        assertEquals(single.gradient(xs, ys, n, expected), split.gradient(xs, ys, n, actual), 1e-12);
        Numerics.assertAllClose(expected, actual, 1e-9, 1e-15, name + " split gradient");
        single.trainStep(xs, ys, n);
        split.trainStep(xs, ys, n);
        Numerics.assertAllClose(
                Networks.parameters(single), Networks.parameters(split), 1e-9, 1e-15, name + " split step");
    }
}
