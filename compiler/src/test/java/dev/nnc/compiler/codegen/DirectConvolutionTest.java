package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.runtime.TrainableNetwork;
import org.junit.jupiter.api.Test;

/**
 * A convolution whose patches would not fit in memory runs straight from its input: the spec
 * the accepted-specs campaign found (256 channels of 8x8 padded by 256, whose patches are 2,304
 * by 268,324 doubles, 4.9 GB a sample) compiles without patch arrays and trains, and a smaller
 * convolution padded far past its window predicts and differentiates as the reference evaluator
 * does.
 */
class DirectConvolutionTest {
    private static final String CAMPAIGN = """
            network Far {
                input x[256, 8, 8];
                target y[8];
                c = conv2d(x, 8, 3, padding = 256, activation = tanh);
                o = global_avg_pool(c);
                output o;
                loss mse(o, y);
                optimizer sgd(lr = 0.1);
                seed 5;
            }
            """;

    private static final String SMALLER = """
            network Near {
                input x[16, 8, 8];
                target y[8];
                c = conv2d(x, 8, 3, padding = 40, activation = tanh);
                o = global_avg_pool(c);
                output o;
                loss mse(o, y);
                optimizer sgd(lr = 0.1);
                seed 5;
            }
            """;

    @Test
    void theCampaignsSpecTrainsWithoutPatches() {
        GeneratedClasses classes = GeneratedClasses.compile("far.nn", CAMPAIGN);
        assertNoPatches(classes, "Far");
        TrainableNetwork network = classes.newInstance("Far");
        int n = 2;
        double[] xs = waves(n * network.inputSize(), 0.37);
        double[] ys = waves(n * network.targetSize(), 1.3);
        double[] parameters = Networks.parameters(network);
        double before = network.loss(xs, ys, n);
        for (int step = 0; step < 5; step++) {
            network.trainStep(xs, ys, n);
        }
        double after = network.loss(xs, ys, n);
        assertFalse(after >= before, () -> "five steps of SGD left the loss at " + after + " from " + before);
        assertFalse(java.util.Arrays.equals(parameters, Networks.parameters(network)), "SGD moved no parameter");
    }

    @Test
    void aConvolutionPaddedFarPastItsWindowIsTheReferencesConvolution() {
        GeneratedClasses classes = GeneratedClasses.compile("near.nn", SMALLER);
        assertNoPatches(classes, "Near");
        TrainableNetwork network = classes.newInstance("Near");
        Declaration.Network declaration = (Declaration.Network)
                Examples.check("near.nn", SMALLER).declarations().get(0);
        NetworkReference reference = new NetworkReference(declaration);
        int n = 2;
        double[] xs = waves(n * network.inputSize(), 0.37);
        double[] ys = waves(n * network.targetSize(), 1.3);
        double[] parameters = Networks.parameters(network);
        double[] outs = new double[n * network.outputSize()];
        network.predict(xs, n, outs);
        for (int row = 0; row < n; row++) {
            double[] expected = reference.predict(parameters, xs, row);
            for (int j = 0; j < expected.length; j++) {
                assertEquals(expected[j], outs[row * expected.length + j], 1e-12, "row " + row + " output " + j);
            }
        }
        double[] gradient = new double[network.parameterCount()];
        double loss = network.gradient(xs, ys, n, gradient);
        assertEquals(reference.meanLoss(parameters, xs, ys, n), loss, 1e-12);
        double[] expectedGradient = reference.meanGradient(parameters, xs, ys, n);
        double scale = 0;
        for (double g : expectedGradient) {
            scale = Math.max(scale, Math.abs(g));
        }
        for (int i = 0; i < gradient.length; i++) {
            assertEquals(expectedGradient[i], gradient[i], 1e-10 * scale, "gradient " + i);
        }
    }

    private static void assertNoPatches(GeneratedClasses classes, String name) {
        String source = classes.files().stream()
                .filter(f -> f.className().equals(name))
                .findFirst()
                .orElseThrow()
                .content();
        for (String scratch : new String[] {"patches", "positions", "tapPatches", "patchGrads", "positionGrads"}) {
            assertFalse(source.contains(scratch + " = new"), () -> "a scratch array of patches: " + scratch);
        }
    }

    private static double[] waves(int length, double frequency) {
        double[] values = new double[length];
        for (int i = 0; i < length; i++) {
            values[i] = 0.5 * Math.sin(frequency * i);
        }
        return values;
    }
}
