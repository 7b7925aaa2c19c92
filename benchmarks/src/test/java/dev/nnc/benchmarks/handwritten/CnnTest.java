package dev.nnc.benchmarks.handwritten;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.benchmarks.Baselines;
import dev.nnc.benchmarks.Problem;
import dev.nnc.benchmarks.SuiteData;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The hand-written CNN baselines compute the gradient of the loss they report (central finite
 * differences in double), the float network agrees with the double one, training lowers the
 * loss, and a step allocates nothing.
 */
class CnnTest {
    /**
     * Two input channels, a padded stage on an odd 7x7 map (its pooling drops the last row and
     * column), an unpadded stage with a 2x2 kernel: both weight gradients as dot products.
     */
    private static final DoubleCnn.Stage[] DOT_STAGES = {new DoubleCnn.Stage(3, 3, 1), new DoubleCnn.Stage(4, 2, 0)};

    /** The second stage has 8x3x3 weights per filter: its weight gradient comes from the patches, padding included. */
    private static final DoubleCnn.Stage[] PATCH_STAGES = {new DoubleCnn.Stage(8, 3, 1), new DoubleCnn.Stage(4, 3, 1)};

    private static final int BATCH = 3;

    @Test
    void gradientMatchesCentralDifferences() {
        assertGradientMatchesCentralDifferences(DOT_STAGES);
    }

    @Test
    void gradientFromPatchesMatchesCentralDifferences() {
        assertTrue(8 * 3 * 3 >= DoubleCnn.PATCH_POSITIONS && 2 * 3 * 3 < DoubleCnn.PATCH_POSITIONS);
        assertGradientMatchesCentralDifferences(PATCH_STAGES);
    }

    private static void assertGradientMatchesCentralDifferences(DoubleCnn.Stage[] stages) {
        DoubleCnn network =
                new DoubleCnn(2, 7, 7, stages, new int[] {5, 3}, BATCH, DoubleCnn.Optimizer.SGD_MOMENTUM, 0.05);
        SplittableRandom random = new SplittableRandom(7);
        double[] parameters = new double[network.parameterCount()];
        for (int i = 0; i < parameters.length; i++) {
            parameters[i] = random.nextDouble(-0.8, 0.8);
        }
        network.setParameters(parameters);
        double[] xs = new double[BATCH * 2 * 7 * 7];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = random.nextDouble(-1, 1);
        }
        double[] ys = new double[BATCH * 3];
        for (int s = 0; s < BATCH; s++) {
            ys[s * 3 + s % 3] = 1;
        }
        double[] grad = new double[parameters.length];
        double loss = network.gradient(xs, ys, BATCH, grad);
        double h = 1e-6;
        int nonZero = 0;
        for (int i = 0; i < parameters.length; i++) {
            double saved = parameters[i];
            parameters[i] = saved + h;
            network.setParameters(parameters);
            double plus = network.gradient(xs, ys, BATCH, new double[parameters.length]);
            parameters[i] = saved - h;
            network.setParameters(parameters);
            double minus = network.gradient(xs, ys, BATCH, new double[parameters.length]);
            parameters[i] = saved;
            double numeric = (plus - minus) / (2 * h);
            assertEquals(numeric, grad[i], 1e-7 + 1e-6 * Math.abs(numeric), "parameter " + i);
            nonZero += grad[i] != 0 ? 1 : 0;
        }
        network.setParameters(parameters);
        assertEquals(loss, network.gradient(xs, ys, BATCH, grad), 0.0);
        // Most parameters must take part (ReLU leaves some units dead), or the check would prove little.
        assertTrue(nonZero > parameters.length / 2, nonZero + " of " + parameters.length + " gradients non-zero");
    }

    @Test
    void floatNetworkAgreesWithDoubleOnC1() {
        DoubleCnn reference = Baselines.handwrittenC1();
        reference.initialise(11);
        assertFloatAgrees(reference, Baselines.handwrittenC1Float(), Problem.C1);
    }

    /** C2's second stage (6x5x5 weights per filter, no padding) takes the patch path. */
    @Test
    void floatNetworkAgreesWithDoubleOnC2() {
        DoubleCnn reference = new DoubleCnn(
                1,
                28,
                28,
                new DoubleCnn.Stage[] {new DoubleCnn.Stage(6, 5, 2), new DoubleCnn.Stage(16, 5, 0)},
                new int[] {120, 84, 10},
                64,
                DoubleCnn.Optimizer.SGD_MOMENTUM,
                0.01);
        reference.initialise(12);
        assertFloatAgrees(reference, Baselines.handwrittenC2(64), Problem.C2);
    }

    private static void assertFloatAgrees(DoubleCnn reference, FloatCnn network, Problem problem) {
        double[] parameters = new double[reference.parameterCount()];
        reference.getParameters(parameters);
        network.setParameters(SuiteData.toFloats(parameters));
        SuiteData data = SuiteData.of(problem);
        int batch = problem.batch();
        double[] expected = new double[parameters.length];
        double expectedLoss = reference.gradient(data.inputs(0), data.targets(0), batch, expected);
        float[] actual = new float[parameters.length];
        double loss = network.gradient(data.floatInputs(0), data.floatTargets(0), batch, actual);
        assertEquals(expectedLoss, loss, 1e-5);
        double scale = 0;
        for (double g : expected) {
            scale = Math.max(scale, Math.abs(g));
        }
        for (int i = 0; i < parameters.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * scale, "parameter " + i);
        }
        double[] probs = new double[10];
        float[] floatProbs = new float[10];
        reference.predict(data.sample(3), probs);
        network.predict(SuiteData.toFloats(data.sample(3)), floatProbs);
        for (int j = 0; j < 10; j++) {
            assertEquals(probs[j], floatProbs[j], 1e-5, "probability " + j);
        }
    }

    @Test
    void trainingLowersTheLossOfC1() {
        DoubleCnn network = Baselines.handwrittenC1();
        network.initialise(Problem.C1.seed());
        SuiteData data = SuiteData.of(Problem.C1);
        double first = network.trainStep(data.inputs(0), data.targets(0), 32);
        double last = first;
        for (int step = 0; step < 100; step++) {
            last = network.trainStep(data.inputs(0), data.targets(0), 32);
        }
        assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
    }

    @Test
    void trainingLowersTheLossOfC2() {
        FloatCnn network = Baselines.handwrittenC2(64);
        network.initialise(Problem.C2.seed());
        SuiteData data = SuiteData.of(Problem.C2);
        double first = network.trainStep(data.floatInputs(0), data.floatTargets(0), 64);
        double last = first;
        for (int step = 0; step < 200; step++) {
            last = network.trainStep(data.floatInputs(0), data.floatTargets(0), 64);
        }
        assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
    }

    @Test
    void stepsAndPredictionsAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        DoubleCnn c1 = Baselines.handwrittenC1();
        FloatCnn c2 = Baselines.handwrittenC2(64);
        c1.initialise(1);
        c2.initialise(2);
        SuiteData c1Data = SuiteData.of(Problem.C1);
        SuiteData c2Data = SuiteData.of(Problem.C2);
        float[] sample = c2Data.floatInputs(0);
        float[] out = new float[10];
        for (int round = 0; round < 2; round++) {
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int step = 0; step < 5; step++) {
                c1.trainStep(c1Data.inputs(step), c1Data.targets(step), 32);
                c2.trainStep(c2Data.floatInputs(step), c2Data.floatTargets(step), 64);
                c2.predict(sample, out);
            }
            long allocated =
                    threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            if (round == 1) {
                assertEquals(0, allocated, "bytes allocated by 5 steps of C1 and C2 and 5 predictions");
            }
        }
    }
}
