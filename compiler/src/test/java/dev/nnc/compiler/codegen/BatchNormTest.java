package dev.nnc.compiler.codegen;

import static dev.nnc.compiler.codegen.Numerics.assertAllClose;
import static dev.nnc.compiler.codegen.Numerics.assertClose;
import static dev.nnc.compiler.codegen.Numerics.gaussian;
import static dev.nnc.compiler.codegen.Numerics.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.runtime.NonFiniteTrainingException;
import dev.nnc.runtime.TrainableNetwork;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code batch_norm} in generated classes, against the reference evaluator over whole batches
 * ({@code Evaluator.evaluateBatch}) and central differences: the gradient that training follows
 * (batch statistics, the full backward pass through the mean and the variance), the running
 * statistics a step leaves, prediction and {@code gradient} with the running statistics, the
 * buffers through {@code save}/{@code load} and {@code copy}, a batch larger than a tile, and the
 * batch of one that cannot give a variance.
 *
 * <p>The gradient of a training step is read from an SGD step with learning rate 1 (the
 * parameters before minus after), which is the gradient itself to the rounding of one
 * subtraction.
 */
class BatchNormTest {
    private static final int BATCH = 5;

    record Case(String name, String body, boolean vector) {
        String spec() {
            return "network " + name + " {\n" + body + """
                        output o;
                        loss mse(o, y);
                        optimizer sgd(lr = 1);
                    }
                    """;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case("Features", """
                            input x[6];
                            target y[3];
                            h = dense(x, 7);
                            n = batch_norm(h, momentum = 0.3, eps = 0.01);
                            o = dense(tanh(n), 3);
                        """, true),
                new Case("Channels", """
                            input x[2, 5, 5];
                            target y[3];
                            c = conv2d(x, 3, 3, padding = 1);
                            n = batch_norm(c);
                            p = max_pool2d(relu(n), 2);
                            o = dense(flatten(p), 3);
                        """, false),
                new Case("Signal", """
                            input s[3, 8];
                            target y[3];
                            n = batch_norm(s, momentum = 0.5);
                            c = conv1d(n, 2, 3);
                            o = dense(flatten(sigmoid(c)), 3);
                        """, false),
                new Case("Stacked", """
                            input x[5];
                            target y[3];
                            a = batch_norm(x);
                            h = dense(a, 6, activation = tanh);
                            b = batch_norm(h);
                            o = dense(b, 3);
                        """, true));
    }

    private static Declaration.Network declaration(Case c) {
        return (Declaration.Network)
                Examples.check(c.name() + ".nn", c.spec()).declarations().get(0);
    }

    private static TrainableNetwork compiled(Case c) {
        return Examples.compiled(c.name() + ".nn", c.spec()).newInstance(c.name());
    }

    /** The gradient {@code trainStep} followed, from an SGD step with learning rate 1. */
    private static double[] stepGradient(TrainableNetwork network, double[] xs, double[] ys, int n) {
        double[] before = Networks.parameters(network);
        network.trainStep(xs, ys, n);
        double[] after = Networks.parameters(network);
        double[] gradient = new double[before.length];
        for (int i = 0; i < gradient.length; i++) {
            gradient[i] = before[i] - after[i];
        }
        return gradient;
    }

    /** Running means N(0, 0.5²), running variances in [0.5, 2): a state training could have left. */
    private static double[] plausibleBuffers(Declaration.Network declaration, long seed) {
        double[] noise = gaussian(seed, 2 * declaration.parameterCount() + 64);
        double[] values = new double
                [declaration.buffers().stream().mapToInt(b -> b.shape().size()).sum()];
        int offset = 0;
        for (var buffer : declaration.buffers()) {
            for (int i = 0; i < buffer.shape().size(); i++, offset++) {
                values[offset] =
                        buffer.initial() == 0 ? 0.5 * noise[offset] : 0.5 + 1.5 * Math.abs(Math.tanh(noise[offset]));
            }
        }
        return values;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void trainingFollowsTheGradientOfTheBatchStatistics(Case c) {
        Declaration.Network declaration = declaration(c);
        TrainableNetwork network = compiled(c);
        double[] xs = gaussian(3, BATCH * network.inputSize());
        double[] ys = uniform(4, BATCH * network.targetSize());
        double[] parameters = Networks.parameters(network);
        NetworkReference.TrainingBatch expected =
                new NetworkReference(declaration).trainingBatch(parameters, xs, ys, BATCH);

        TrainableNetwork copy = network.copy();
        double loss = copy.copy().trainStep(xs, ys, BATCH);
        assertClose(expected.loss(), loss, 1e-12, 1e-14, c + " training loss");
        double[] gradient = stepGradient(copy, xs, ys, BATCH);
        assertAllClose(expected.gradient(), gradient, 1e-9, 1e-12, c + " training gradient");
        assertAllClose(
                expected.buffers(), Networks.buffers(copy), 1e-12, 1e-14, c + " running statistics after a step");

        // The reference's gradient against central differences of the training loss, which a
        // trainStep of a copy returns (before its update).
        double h = 1e-6;
        for (int i = 0; i < parameters.length; i++) {
            double[] plus = parameters.clone();
            double[] minus = parameters.clone();
            plus[i] += h;
            minus[i] -= h;
            TrainableNetwork up = network.copy();
            up.setParameters(plus);
            TrainableNetwork down = network.copy();
            down.setParameters(minus);
            double difference = (up.trainStep(xs, ys, BATCH) - down.trainStep(xs, ys, BATCH)) / (2 * h);
            assertClose(difference, gradient[i], 1e-5, 1e-7, c + " central difference of parameter " + i);
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void trainingGradientMovesTheStatisticsAndCheckpointsCarryThem(Case c) throws Exception {
        Declaration.Network declaration = declaration(c);
        TrainableNetwork network = compiled(c);
        double[] xs = gaussian(18, BATCH * network.inputSize());
        double[] ys = uniform(19, BATCH * network.targetSize());
        NetworkReference.TrainingBatch expected =
                new NetworkReference(declaration).trainingBatch(Networks.parameters(network), xs, ys, BATCH);
        double[] grad = new double[network.parameterCount()];
        assertClose(expected.loss(), network.trainingGradient(xs, ys, BATCH, grad), 1e-12, 1e-14, c + " loss");
        assertAllClose(expected.gradient(), grad, 1e-10, 1e-13, c + " trainingGradient");
        assertAllClose(
                expected.buffers(), Networks.buffers(network), 1e-12, 1e-14, c + " statistics after trainingGradient");

        ByteArrayOutputStream checkpoint = new ByteArrayOutputStream();
        network.saveCheckpoint(checkpoint);
        Method load = network.getClass().getMethod("loadCheckpoint", java.io.InputStream.class);
        Object loaded = load.invoke(null, new ByteArrayInputStream(checkpoint.toByteArray()));
        assertArrayEquals(Networks.buffers(network), Networks.buffers(loaded), c + " buffers through a checkpoint");
        TrainableNetwork restored = compiled(c);
        restored.restoreCheckpoint(new ByteArrayInputStream(checkpoint.toByteArray()));
        assertArrayEquals(
                Networks.buffers(network), Networks.buffers(restored), c + " buffers restored from a checkpoint");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void predictionAndGradientUseTheRunningStatistics(Case c) {
        Declaration.Network declaration = declaration(c);
        TrainableNetwork network = compiled(c);
        double[] running = plausibleBuffers(declaration, 8);
        Networks.setBuffers(network, running);
        NetworkReference reference = new NetworkReference(declaration).withBuffers(running);
        double[] parameters = Networks.parameters(network);
        double[] xs = gaussian(5, BATCH * network.inputSize());
        double[] ys = uniform(6, BATCH * network.targetSize());
        double[] outs = new double[BATCH * network.outputSize()];
        network.predict(xs, BATCH, outs);
        for (int row = 0; row < BATCH; row++) {
            double[] one = reference.predict(parameters, xs, row);
            assertAllClose(
                    one,
                    Arrays.copyOfRange(outs, row * one.length, (row + 1) * one.length),
                    1e-12,
                    1e-14,
                    c + " prediction of row " + row);
        }
        double[] grad = new double[parameters.length];
        double loss = network.gradient(xs, ys, BATCH, grad);
        assertClose(reference.meanLoss(parameters, xs, ys, BATCH), loss, 1e-12, 1e-14, c + " loss");
        assertAllClose(reference.meanGradient(parameters, xs, ys, BATCH), grad, 1e-10, 1e-13, c + " gradient");
        assertClose(loss, network.loss(xs, ys, BATCH), 1e-14, 0, c + " loss() and gradient()");
        assertArrayEquals(
                running, Networks.buffers(network), c + ": predict, loss and gradient leave the buffers alone");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void buffersTravelWithTheParameters(Case c) throws Exception {
        Declaration.Network declaration = declaration(c);
        TrainableNetwork network = compiled(c);
        double[] running = plausibleBuffers(declaration, 9);
        Networks.setBuffers(network, running);
        assertEquals(
                declaration.buffers().stream().map(b -> b.name()).toList(),
                network.getClass().getField("BUFFER_NAMES").get(null));
        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        network.save(saved);
        Method load = network.getClass().getMethod("load", java.io.InputStream.class);
        Object loaded = load.invoke(null, new ByteArrayInputStream(saved.toByteArray()));
        assertArrayEquals(running, Networks.buffers(loaded), c + " buffers after save and load");
        TrainableNetwork copy = network.copy();
        assertArrayEquals(running, Networks.buffers(copy), c + " buffers of a copy");
        double[] xs = gaussian(7, BATCH * network.inputSize());
        copy.trainStep(xs, uniform(8, BATCH * network.targetSize()), BATCH);
        assertArrayEquals(running, Networks.buffers(network), c + ": training a copy leaves the original's buffers");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aBatchLargerThanATileIsNormalisedAsOne(Case c) {
        Declaration.Network declaration = declaration(c);
        TrainableNetwork network = compiled(c);
        int n = 150;
        double[] xs = gaussian(10, n * network.inputSize());
        double[] ys = uniform(11, n * network.targetSize());
        double[] parameters = Networks.parameters(network);
        NetworkReference reference = new NetworkReference(declaration);
        NetworkReference.TrainingBatch expected = reference.trainingBatch(parameters, xs, ys, n);
        TrainableNetwork copy = network.copy();
        assertAllClose(expected.gradient(), stepGradient(copy, xs, ys, n), 1e-9, 1e-12, c + " gradient of 150");
        // A smaller batch after a larger one runs in the grown arrays.
        NetworkReference.TrainingBatch small = reference.trainingBatch(parameters, xs, ys, 3);
        TrainableNetwork again = network.copy();
        again.trainStep(xs, ys, n);
        again.setParameters(parameters);
        assertAllClose(small.gradient(), stepGradient(again, xs, ys, 3), 1e-9, 1e-12, c + " gradient of 3 after 150");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aBatchOfOneGivesAVarianceOnlyOverAFeatureMap(Case c) {
        TrainableNetwork network = compiled(c);
        double[] x = gaussian(12, network.inputSize());
        double[] y = uniform(13, network.targetSize());
        double[] before = Networks.parameters(network);
        if (c.vector()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> network.trainStep(x, y, 1));
            assertTrue(e.getMessage().contains("at least 2 samples"), e.getMessage());
            assertArrayEquals(before, Networks.parameters(network), c + ": a refused step changes nothing");
        } else {
            assertTrue(Double.isFinite(network.trainStep(x, y, 1)), c + " one sample of a feature map");
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aFailedStepLeavesTheRunningStatistics(Case c) {
        TrainableNetwork network = compiled(c);
        double[] xs = gaussian(14, BATCH * network.inputSize());
        xs[1] = Double.NaN;
        double[] before = Networks.buffers(network);
        assertThrows(
                NonFiniteTrainingException.class,
                () -> network.trainStep(xs, uniform(15, BATCH * network.targetSize()), BATCH));
        assertArrayEquals(before, Networks.buffers(network), c + " buffers after a refused step");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void floatClassesFollowTheirDoubleTwins(Case c) throws IOException {
        String spec = c.spec().replace("{\n", "{\n    precision float;\n");
        TrainableNetwork single = Examples.compiled(c.name() + "Float.nn", spec).newInstance(c.name());
        TrainableNetwork twin = compiled(c);
        double[] xs = Numerics.floatExact(gaussian(16, BATCH * twin.inputSize()));
        double[] ys = Numerics.floatExact(uniform(17, BATCH * twin.targetSize()));
        single.setParameters(Networks.parameters(twin));
        assertAllClose(
                stepGradient(twin, xs, ys, BATCH), stepGradient(single, xs, ys, BATCH), 1e-3, 1e-4, c + " float");
        assertAllClose(Networks.buffers(twin), Networks.buffers(single), 1e-4, 1e-5, c + " float running statistics");
    }
}
