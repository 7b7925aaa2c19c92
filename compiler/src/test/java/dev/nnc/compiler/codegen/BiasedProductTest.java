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
import org.junit.jupiter.api.Test;

/**
 * A tiled product {@code W x} whose only reader is {@code W x + b} starts each output row from
 * {@code b} and leaves the sum in its own array: no second pass adds the bias. A product with
 * another reader keeps its own array and the sum is computed apart. Both forms must train the
 * same mathematics, so each is gradient-checked over two tiles (70 samples, tiles of 64).
 */
class BiasedProductTest {
    private static final int BATCH = 70;
    /** Prediction, loss and training each have a tiled kernel. */
    private static final int KERNELS = 3;

    private static final String FOLDED = """
            network Folded {
                input x[40];
                target y[5];
                param W1[24, 40] = he_normal;
                param b1[24] = uniform(-0.5, 0.5);
                param W2[5, 24];
                param b2[5] = uniform(-0.5, 0.5);
                z = W1 @ x + b1;
                h = tanh(z);
                out = b2 + W2 @ h;
                output out;
                loss mse(out, y);
                optimizer sgd(lr = 0.01);
                seed 3;
            }
            """;

    /** The first product is also read by {@code h}, so its sum cannot live in its array. */
    private static final String SHARED = """
            network Shared {
                input x[40];
                target y[5];
                param W1[24, 40] = he_normal;
                param b1[24] = uniform(-0.5, 0.5);
                param W2[5, 24];
                param b2[5] = uniform(-0.5, 0.5);
                p = W1 @ x;
                z = p + b1;
                h = tanh(z) * p;
                out = W2 @ h + b2;
                output out;
                loss mse(out, y);
                optimizer sgd(lr = 0.01);
                seed 3;
            }
            """;

    private static String source(String name, String spec) {
        return Examples.compiled(name + ".nn", spec).files().get(0).content();
    }

    @Test
    void productsReadOnlyByTheirBiasStartFromIt() {
        String source = source("Folded", FOLDED);
        assertEquals(2 * KERNELS, count(source, "= W x + bias for each sample"), source);
        assertTrue(source.contains("y[j] = b1[j];"), source);
        assertTrue(source.contains("y[j] = b2[j];"), source);
        assertFalse(source.contains("+ b1[i]"), "no separate pass adds b1");
    }

    @Test
    void aProductWithAnotherReaderKeepsItsOwnArray() {
        String source = source("Shared", SHARED);
        assertEquals(KERNELS, count(source, "= W x + bias for each sample"), source);
        assertTrue(source.contains("y[j] = b2[j];"), source);
        assertFalse(source.contains("y[j] = b1[j];"), source);
    }

    @Test
    void foldedNetworkPassesTheGradientCheckOverTwoTiles() {
        assertGradientChecks("Folded", FOLDED);
    }

    @Test
    void sharedNetworkPassesTheGradientCheckOverTwoTiles() {
        assertGradientChecks("Shared", SHARED);
    }

    /**
     * The outputs and the loss against the reference interpreter (which a bias added twice or
     * not at all would fail, gradient check or not), then the gradient against central
     * differences.
     */
    private static void assertGradientChecks(String name, String spec) {
        TrainableNetwork network = Examples.compiled(name + ".nn", spec).newInstance(name);
        double[] xs = gaussian(11, BATCH * network.inputSize());
        double[] ys = uniform(12, BATCH * network.targetSize());
        double[] parameters = new double[network.parameterCount()];
        network.getParameters(parameters);
        Declaration.Network declaration = (Declaration.Network)
                Examples.check(name + ".nn", spec).declarations().get(0);
        NetworkReference reference = new NetworkReference(declaration);
        double[] outputs = new double[BATCH * network.outputSize()];
        network.predict(xs, BATCH, outputs);
        for (int row = 0; row < BATCH; row++) {
            double[] expected = reference.predict(parameters, xs, row);
            for (int o = 0; o < expected.length; o++) {
                assertClose(expected[o], outputs[row * expected.length + o], 1e-12, 1e-12, name + " output " + row);
            }
        }
        assertClose(reference.meanLoss(parameters, xs, ys, BATCH), network.loss(xs, ys, BATCH), 1e-12, 0, name);
        GradientCheck.Result result = GradientCheck.check(network, xs, ys, BATCH, GradientCheck.Options.defaults());
        assertTrue(result.passed(), () -> name + ": " + result);
        assertEquals(network.parameterCount(), result.checked());
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}
