package dev.nnc.compiler.codegen;

import static dev.nnc.compiler.codegen.Numerics.assertClose;
import static dev.nnc.compiler.codegen.Numerics.gaussian;
import static dev.nnc.compiler.codegen.Numerics.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.runtime.GradientCheck;
import dev.nnc.runtime.TrainableNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Softplus layers and binary cross-entropy from logits compute {@code exp(-|z|)} once per
 * element, for the value and for the derivative: the generated training code holds one
 * exponential per softplus unit and per logit, and the networks, unrolled and in loops over
 * two tiles, in double and in float, agree with the reference interpreter and pass the
 * gradient check.
 */
class SharedExponentialTest {
    private static final int BATCH = 70;

    private static final String SPEC = """
            network Soft {
                %s
                input x[%d];
                target y[%d];
                h = dense(x, %d, activation = softplus);
                out = dense(h, %d, activation = sigmoid);
                output out;
                loss binary_cross_entropy(out, y);
                optimizer sgd(lr = 0.1);
                seed 5;
            }
            """;

    @ParameterizedTest(name = "{0}, {1} hidden, {2}")
    @CsvSource({"3, 4, 1, double", "3, 4, 1, float", "40, 70, 3, double", "40, 70, 3, float"})
    void oneExponentialPerElementForValueAndGradient(int inputs, int hidden, int outputs, String precision) {
        String spec =
                SPEC.formatted(precision.equals("float") ? "precision float;" : "", inputs, outputs, hidden, outputs);
        GeneratedClasses classes = GeneratedClasses.compile("soft.nn", spec);
        String source = classes.files().get(0).content();
        assertFalse(source.contains("softplus("), source);
        if (hidden <= 4) {
            String train = method(source, " trainSample(" + precision + "[] xs");
            assertEquals(hidden + outputs, count(train, "Math.exp("), train);
        }
        TrainableNetwork network = classes.newInstance("Soft");
        double[] xs = gaussian(21, BATCH * inputs);
        double[] ys = uniform(22, BATCH * outputs);
        double[] parameters = new double[network.parameterCount()];
        network.getParameters(parameters);
        Declaration.Network declaration = (Declaration.Network)
                Examples.check("soft.nn", spec).declarations().get(0);
        NetworkReference reference = new NetworkReference(declaration);
        double tolerance = precision.equals("float") ? 1e-4 : 1e-12;
        double[] predicted = new double[BATCH * outputs];
        network.predict(xs, BATCH, predicted);
        for (int row = 0; row < BATCH; row++) {
            double[] expected = reference.predict(parameters, xs, row);
            for (int o = 0; o < outputs; o++) {
                assertClose(expected[o], predicted[row * outputs + o], tolerance, tolerance, "output " + row);
            }
        }
        assertClose(reference.meanLoss(parameters, xs, ys, BATCH), network.loss(xs, ys, BATCH), tolerance, 0, "loss");
        if (precision.equals("double")) {
            GradientCheck.Result result = GradientCheck.check(network, xs, ys, BATCH, GradientCheck.Options.defaults());
            assertTrue(result.passed(), result::toString);
        }
    }

    /** The text of the first method whose declaration contains {@code signature}. */
    private static String method(String source, String signature) {
        int start = source.indexOf(signature);
        assertTrue(start >= 0, signature + " not found");
        int end = source.indexOf("\n    }\n", start);
        return source.substring(start, end);
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}
