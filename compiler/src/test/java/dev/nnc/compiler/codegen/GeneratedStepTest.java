package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.TrainableNetwork;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code step(x)}, the relu derivative's factor, is {@code x > 0 ? 1 : 0} with NaN giving 0 (the
 * graph's {@code UnaryOp.Step}); the generated helper computes it from the bits of {@code x}
 * without a branch, so these are the values where bit tests could go wrong: both zeros, the
 * smallest subnormals of either sign, the largest finite values, the infinities and NaN. The
 * networks are named {@code Double} and {@code Float}, as a fuzzed spec was, so the helper must
 * not name java.lang's classes by their simple names.
 */
class GeneratedStepTest {
    private static final double[] X = {
        Double.NaN,
        Double.NEGATIVE_INFINITY,
        -Double.MAX_VALUE,
        -1,
        -Float.MIN_VALUE,
        -Double.MIN_VALUE,
        -0.0,
        0.0,
        Double.MIN_VALUE,
        Float.MIN_VALUE,
        1e-40,
        1,
        Float.MAX_VALUE,
        Double.MAX_VALUE,
        Double.POSITIVE_INFINITY,
        -Double.NaN
    };

    private static final String NETWORK = """
            network %s {
                %s
                input x[%d];
                target y[%d];
                param w[%d];
                o = step(x) * w;
                output o;
                loss sse(o, y);
                optimizer sgd(lr = 0.1);
            }
            """;

    /** Named after the boxed type of its precision, which hides java.lang's inside the class. */
    @ParameterizedTest
    @CsvSource({"Double, ''", "Float, precision float;"})
    void stepIsOneAboveZeroAndZeroElsewhereAndForNan(String name, String precision) {
        int n = X.length;
        GeneratedClasses classes = GeneratedClasses.compile("steps.nn", NETWORK.formatted(name, precision, n, n, n));
        assertTrue(classes.files().get(0).content().contains("step("), "the branch-free helper");
        TrainableNetwork network = classes.newInstance(name);
        double[] ones = new double[n];
        Arrays.fill(ones, 1);
        network.setParameters(ones);
        double[] out = new double[n];
        network.predict(X, out);
        boolean isFloat = !precision.isEmpty();
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
            double seen = isFloat ? (float) X[i] : X[i];
            expected[i] = seen > 0 ? 1 : 0;
        }
        assertArrayEquals(expected, out, Arrays.toString(X));
    }
}
