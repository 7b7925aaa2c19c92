package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.TrainableNetwork;
import java.lang.reflect.InvocationTargetException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generated code splits the adjoint of {@code min} and {@code max} half and half at a tie, as
 * PyTorch's {@code torch.minimum} and {@code torch.maximum} do (KinkParityTest compares small
 * functions with PyTorch itself): in double and float, unrolled (3 elements) and in loops (200,
 * past {@link KernelEmitter#UNROLL_LIMIT}). The values are exact in float, so the gradients must
 * be equal, not close.
 */
class GeneratedTieTest {
    private static final String NETWORK = """
            network Ties {
                %s
                input x[%d];
                target y[%d];
                param w[%d];
                h = max(x, w) + 3 * min(x, w);
                output h;
                loss sse(h, y);
                optimizer sgd(lr = 0.1);
            }
            """;

    /** {@code w}, and {@code x} equal to it, above it and below it in turn. */
    private static double w(int i) {
        return 0.5 + (i % 5) * 0.25;
    }

    private static double x(int i) {
        return w(i) + new double[] {0, 0.5, -0.5}[i % 3];
    }

    /** dh/dw: half of max's and half of min's at a tie; min's where x > w; max's where x < w. */
    private static double slope(int i) {
        return new double[] {0.5 + 3 * 0.5, 3, 1}[i % 3];
    }

    @ParameterizedTest(name = "{0} elements, {1}")
    @CsvSource({"3, double", "3, float", "200, double", "200, float"})
    void aNetworkSplitsTheGradientAtTies(int size, String precision) {
        String header = precision.equals("float") ? "precision float;" : "";
        TrainableNetwork network = GeneratedClasses.compile("ties.nn", NETWORK.formatted(header, size, size, size))
                .newInstance("Ties");
        double[] w = new double[size];
        double[] xs = new double[size];
        double[] ys = new double[size];
        double[] expected = new double[size];
        for (int i = 0; i < size; i++) {
            w[i] = w(i);
            xs[i] = x(i);
            ys[i] = 0.25;
            double h = Math.max(xs[i], w[i]) + 3 * Math.min(xs[i], w[i]);
            expected[i] = (h - ys[i]) * slope(i);
        }
        network.setParameters(w);
        double[] gradient = new double[size];
        network.gradient(xs, ys, 1, gradient);
        assertArrayEquals(expected, gradient);
    }

    @ParameterizedTest(name = "{0} elements")
    @ValueSource(ints = {3, 200})
    void aFunctionSplitsTheGradientAtTies(int size) throws ReflectiveOperationException {
        GeneratedClasses classes = GeneratedClasses.compile(
                "ties.nn", "function S(a[%d], b[%d]) = sum(max(a, b)) + 2 * sum(min(a, b) * b);".formatted(size, size));
        double[] a = new double[size];
        double[] b = new double[size];
        double[] expected = new double[2 * size];
        for (int i = 0; i < size; i++) {
            b[i] = w(i);
            a[i] = x(i);
            double maxShareA = a[i] > b[i] ? 1 : a[i] == b[i] ? 0.5 : 0;
            double minShareA = 1 - maxShareA;
            expected[i] = maxShareA + 2 * b[i] * minShareA;
            expected[size + i] = (1 - maxShareA) + 2 * b[i] * maxShareA + 2 * Math.min(a[i], b[i]);
        }
        double[] gradient = new double[2 * size];
        try {
            classes.load("S")
                    .getMethod("gradient", double[].class, double[].class, double[].class)
                    .invoke(null, a, b, gradient);
        } catch (InvocationTargetException e) {
            throw new AssertionError(e.getCause());
        }
        assertArrayEquals(expected, gradient);
        String source = classes.source("S");
        assertTrue(source.contains("== ") && source.contains("0.5"), "a tie test in the generated code");
    }
}
