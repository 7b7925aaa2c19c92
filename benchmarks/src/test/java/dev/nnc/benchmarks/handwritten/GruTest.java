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
 * The hand-written GRU of R1 computes what PyTorch computes. {@link ReferenceGru}, a plain double
 * implementation, reproduces PyTorch's loss, gradient, Adam steps and prediction (numbers from
 * {@code pytorch_suite.py --r1-fixture}) and its gradient matches central differences; the fast
 * {@link FloatGru} agrees with it in loss, every gradient entry, training and prediction, on R1
 * and on a small odd network, at full and at smaller batches; training lowers the loss, and a
 * step allocates nothing.
 */
class GruTest {
    private static final int STEPS = 32;
    private static final int FEATURES = 8;
    private static final int UNITS = 64;
    private static final int BATCH = 32;

    /** {@code pytorch_suite.py --r1-fixture}: R1 in float64, parameter i = 0.2 sin(0.37 i + 0.1), batch 0. */
    private static final double TORCH_LOSS = 1.3105156020097395;

    private static final double TORCH_GRADIENT_NORM = 6.403844639618376;
    /** Gradient entries at flat indices: W_ih, W_hh, b_ih, b_hh (r, z, n), the dense weight and bias. */
    private static final int[] PROBES = {
        0, 5, 200, 1535, 1536, 3000, 13823, 13824, 14000, 14015, 14016, 14100, 14207, 14208, 14250, 14271, 14272
    };

    private static final double[] TORCH_GRADIENT = {
        0.0013906684720922595,
        -3.952762104331759e-05,
        0.0023261640010759387,
        0.01808295379511452,
        0.0004968287781175995,
        0.00029057078637886467,
        -0.02175453273537953,
        -0.011561693747734846,
        -0.02173801920571247,
        0.16506367055328736,
        -0.011561693747734851,
        0.005111590625072892,
        0.08622049759789233,
        -0.11937575032627498,
        -0.9609886087079504,
        -0.5014890173137934,
        1.9771781816382492
    };
    /** The losses of five Adam steps (lr 1e-3) on batches 0-4, then the output for sample 0 of batch 0. */
    private static final double[] TORCH_LOSSES = {
        1.3105156020097395, 1.2479383329968798, 1.0598002578904844, 1.3376105499881086, 0.8937415426702937
    };

    private static final double TORCH_PREDICTION = 0.5986280415981722;

    private static double[] fixtureParameters(int count) {
        double[] parameters = new double[count];
        for (int i = 0; i < count; i++) {
            parameters[i] = 0.2 * Math.sin(0.37 * i + 0.1);
        }
        return parameters;
    }

    @Test
    void referenceReproducesPyTorch() {
        ReferenceGru reference = new ReferenceGru(STEPS, FEATURES, UNITS, 1e-3);
        assertEquals(14273, reference.parameterCount());
        reference.setParameters(fixtureParameters(reference.parameterCount()));
        SuiteData data = SuiteData.of(Problem.R1);
        double[] grad = new double[reference.parameterCount()];
        assertEquals(TORCH_LOSS, reference.gradient(data.inputs(0), data.targets(0), BATCH, grad), 1e-12);
        assertEquals(TORCH_GRADIENT_NORM, norm(grad), 1e-12);
        for (int i = 0; i < PROBES.length; i++) {
            assertEquals(
                    TORCH_GRADIENT[i],
                    grad[PROBES[i]],
                    1e-12 + 1e-9 * Math.abs(TORCH_GRADIENT[i]),
                    "entry " + PROBES[i]);
        }
        for (int step = 0; step < TORCH_LOSSES.length; step++) {
            assertEquals(TORCH_LOSSES[step], reference.trainStep(data.inputs(step), data.targets(step), BATCH), 1e-12);
        }
        assertEquals(TORCH_PREDICTION, reference.predict(data.inputs(0), 0), 1e-12);
    }

    @Test
    void floatGruReproducesPyTorch() {
        FloatGru network = Baselines.handwrittenR1(BATCH);
        network.setParameters(SuiteData.toFloats(fixtureParameters(network.parameterCount())));
        SuiteData data = SuiteData.of(Problem.R1);
        float[] grad = new float[network.parameterCount()];
        double loss = network.gradient(data.floatInputs(0), data.floatTargets(0), BATCH, grad);
        assertEquals(TORCH_LOSS, loss, 1e-5);
        for (int i = 0; i < PROBES.length; i++) {
            assertEquals(TORCH_GRADIENT[i], grad[PROBES[i]], 1e-5, "entry " + PROBES[i]);
        }
        for (int step = 0; step < TORCH_LOSSES.length; step++) {
            assertEquals(
                    TORCH_LOSSES[step],
                    network.trainStep(data.floatInputs(step), data.floatTargets(step), BATCH),
                    1e-4,
                    "step " + step);
        }
        float[] out = new float[1];
        network.predict(SuiteData.toFloats(data.sample(0)), out);
        assertEquals(TORCH_PREDICTION, out[0], 1e-4);
    }

    /** Every derivative of the reference against central differences, on a small network (5 steps, 3 features, 4 units). */
    @Test
    void referenceGradientMatchesCentralDifferences() {
        int steps = 5;
        int features = 3;
        int units = 4;
        int n = 3;
        ReferenceGru reference = new ReferenceGru(steps, features, units, 1e-3);
        SplittableRandom random = new SplittableRandom(5);
        double[] parameters = uniform(random, reference.parameterCount(), 0.9);
        double[] xs = uniform(random, n * steps * features, 1.0);
        double[] ys = uniform(random, n, 1.0);
        reference.setParameters(parameters);
        double[] grad = new double[parameters.length];
        reference.gradient(xs, ys, n, grad);
        double h = 1e-6;
        double[] scratch = new double[parameters.length];
        for (int i = 0; i < parameters.length; i++) {
            double saved = parameters[i];
            parameters[i] = saved + h;
            reference.setParameters(parameters);
            double plus = reference.gradient(xs, ys, n, scratch);
            parameters[i] = saved - h;
            reference.setParameters(parameters);
            double minus = reference.gradient(xs, ys, n, scratch);
            parameters[i] = saved;
            double numeric = (plus - minus) / (2 * h);
            assertEquals(numeric, grad[i], 1e-8 + 1e-6 * Math.abs(numeric), "parameter " + i);
            assertTrue(grad[i] != 0, "parameter " + i + " takes no part");
        }
    }

    @Test
    void floatGruAgreesWithReferenceOnR1() {
        SuiteData data = SuiteData.of(Problem.R1);
        FloatGru network = Baselines.handwrittenR1(BATCH);
        network.initialise(Problem.R1.seed());
        float[] start = new float[network.parameterCount()];
        network.getParameters(start);
        ReferenceGru reference = new ReferenceGru(STEPS, FEATURES, UNITS, 1e-3);
        reference.setParameters(toDoubles(start));
        assertAgrees(reference, network, data.inputs(0), data.targets(0), BATCH);
        // Five steps at the full batch, then five at a smaller one: the rows of each step move.
        for (int step = 0; step < 10; step++) {
            int n = step < 5 ? BATCH : 7;
            double expected = reference.trainStep(data.inputs(step), data.targets(step), n);
            double actual = network.trainStep(data.floatInputs(step), data.floatTargets(step), n);
            assertEquals(expected, actual, 1e-5 * expected, "step " + step);
        }
        assertAgrees(reference, network, data.inputs(10), data.targets(10), 5);
        float[] trained = new float[start.length];
        network.getParameters(trained);
        double[] expectedParameters = new double[start.length];
        reference.getParameters(expectedParameters);
        for (int i = 0; i < trained.length; i++) {
            // Ten Adam steps of 1e-3 move a parameter by at most 1e-2; float rounding of the
            // gradient can change the direction of a step only where the gradient is near zero.
            assertEquals(expectedParameters[i], trained[i], 2e-3, "parameter " + i);
        }
        float[] out = new float[1];
        for (int s = 0; s < 4; s++) {
            network.predict(SuiteData.toFloats(data.sample(s)), out);
            assertEquals(reference.predict(data.sample(s), 0), out[0], 1e-5, "sample " + s);
        }
    }

    /** Odd sizes (no multiple of the kernels' unrolling by four), batches of 1 and 3. */
    @Test
    void floatGruAgreesWithReferenceOnASmallNetwork() {
        int steps = 6;
        int features = 5;
        int units = 7;
        FloatGru network = new FloatGru(steps, features, units, 3, 1e-2f);
        ReferenceGru reference = new ReferenceGru(steps, features, units, 1e-2);
        SplittableRandom random = new SplittableRandom(3);
        double[] parameters = uniform(random, reference.parameterCount(), 0.7);
        network.setParameters(SuiteData.toFloats(parameters));
        reference.setParameters(toDoubles(SuiteData.toFloats(parameters)));
        for (int round = 0; round < 4; round++) {
            int n = round % 2 == 0 ? 3 : 1;
            double[] xs = toDoubles(SuiteData.toFloats(uniform(random, 3 * steps * features, 1.0)));
            double[] ys = toDoubles(SuiteData.toFloats(uniform(random, 3, 1.0)));
            assertAgrees(reference, network, xs, ys, n);
            double expected = reference.trainStep(xs, ys, n);
            assertEquals(expected, network.trainStep(SuiteData.toFloats(xs), SuiteData.toFloats(ys), n), 1e-5);
        }
    }

    /** Loss and every gradient entry, the float network against the reference. */
    private static void assertAgrees(ReferenceGru reference, FloatGru network, double[] xs, double[] ys, int n) {
        double[] expected = new double[reference.parameterCount()];
        double expectedLoss = reference.gradient(xs, ys, n, expected);
        float[] actual = new float[expected.length];
        double loss = network.gradient(SuiteData.toFloats(xs), SuiteData.toFloats(ys), n, actual);
        assertEquals(expectedLoss, loss, 1e-5 * expectedLoss);
        double scale = 0;
        for (double g : expected) {
            scale = Math.max(scale, Math.abs(g));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * scale, "parameter " + i);
        }
    }

    @Test
    void trainingLowersTheLoss() {
        FloatGru network = Baselines.handwrittenR1(BATCH);
        network.initialise(Problem.R1.seed());
        SuiteData data = SuiteData.of(Problem.R1);
        double first = network.trainStep(data.floatInputs(0), data.floatTargets(0), BATCH);
        double last = first;
        for (int step = 0; step < 300; step++) {
            last = network.trainStep(data.floatInputs(0), data.floatTargets(0), BATCH);
        }
        assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
    }

    @Test
    void stepsAndPredictionsAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        FloatGru network = Baselines.handwrittenR1(BATCH);
        network.initialise(1);
        SuiteData data = SuiteData.of(Problem.R1);
        float[] sample = SuiteData.toFloats(data.sample(0));
        float[] out = new float[1];
        for (int round = 0; round < 2; round++) {
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int step = 0; step < 5; step++) {
                network.trainStep(data.floatInputs(step), data.floatTargets(step), BATCH);
                network.predict(sample, out);
            }
            long allocated =
                    threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            if (round == 1) {
                assertEquals(0, allocated, "bytes allocated by 5 steps and 5 predictions of R1");
            }
        }
    }

    private static double[] uniform(SplittableRandom random, int count, double limit) {
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = random.nextDouble(-limit, limit);
        }
        return values;
    }

    private static double[] toDoubles(float[] values) {
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }

    private static double norm(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v * v;
        }
        return Math.sqrt(sum);
    }
}
