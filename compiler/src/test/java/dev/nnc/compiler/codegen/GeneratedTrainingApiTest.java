package dev.nnc.compiler.codegen;

import static dev.nnc.compiler.codegen.Networks.parameters;
import static dev.nnc.compiler.codegen.Numerics.gaussian;
import static dev.nnc.compiler.codegen.Numerics.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.Dataset;
import dev.nnc.runtime.NonFiniteTrainingException;
import dev.nnc.runtime.ParameterFileException;
import dev.nnc.runtime.TrainableNetwork;
import dev.nnc.runtime.Trainer;
import dev.nnc.runtime.TrainingHistory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code trainingGradient}, {@code applyGradient} and checkpoints on every trainable example
 * (double, and the float MNIST network as it is), and on a few examples with every optimizer the
 * language has, with and without clipping and dropout, on one thread and on two:
 * {@code trainStep} is bit for bit {@code trainingGradient} then {@code applyGradient}, and
 * training N steps, checkpointing, loading and training M more is bit for bit N + M steps.
 */
class GeneratedTrainingApiTest {
    /** The batch sizes of the steps: one sample (the fused step), a few, and enough to split. */
    private static final int[] BATCHES = {3, 1, 200, 4, 1, 200};

    private static final List<String> OPTIMIZERS = List.of(
            "sgd(lr = 0.05)",
            "sgd(lr = 0.05, momentum = 0.9)",
            "sgd(lr = 0.05, momentum = 0.9, nesterov = true, clip_value = 0.01)",
            "adagrad(lr = 0.05)",
            "rmsprop(lr = 0.01, clip_norm = 0.5)",
            "adam(lr = 0.01)",
            "adam(lr = 0.01, clip_norm = 0.05)");

    /** Xor: straight-line code and the fused step; Iris: dropout; MnistMlp: float, tiles, threads. */
    private static final Map<String, String> MATRIX =
            Map.of("xor.nn", "Xor", "iris.nn", "Iris", "mnist_mlp.nn", "MnistMlp", "digits.nn", "Digits");

    private static final Map<String, GeneratedClasses> VARIANTS = new ConcurrentHashMap<>();

    /** A network class and the threads its instances train on. */
    record Case(String label, GeneratedClasses classes, String className, int threads) {
        TrainableNetwork create() {
            TrainableNetwork network = classes.newInstance(className);
            threads(network);
            return network;
        }

        void threads(TrainableNetwork network) {
            if (threads > 1) {
                Networks.setThreads(network, threads);
            }
        }

        /**
         * Whether a split {@code trainStep} clips by a norm summed part by part, where
         * {@code applyGradient}, which has no batch to split, sums it in one pass: the clipping
         * scale, and so the step, then differ in the last bits (documented on applyGradient).
         */
        boolean normInParts() {
            return threads > 1 && label.contains("clip_norm");
        }

        /**
         * Whether training differs from prediction beyond the optimizer: dropout (Iris) or batch
         * statistics (Normalized), where trainingGradient is not gradient.
         */
        boolean trainsDifferently() {
            return label.startsWith("iris.nn") || label.startsWith("normalized.nn");
        }

        /**
         * The batch of a step: batch_norm over a vector needs two samples, so one-sample steps
         * take two in a network with it.
         */
        int batch(int step) {
            return BATCHES[step] == 1 && label.startsWith("normalized.nn") ? 2 : BATCHES[step];
        }

        @Override
        public String toString() {
            return label + (threads > 1 ? " on " + threads + " threads" : "");
        }
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (Examples.NetworkCase c : Examples.trainableNetworks()) {
            cases.add(new Case(c.toString(), c.classes(), c.className(), 1));
        }
        cases.add(new Case("mnist_mlp.nn:MnistMlp", Examples.compiled("mnist_mlp.nn"), "MnistMlp", 1));
        for (String file : MATRIX.keySet().stream().sorted().toList()) {
            String name = MATRIX.get(file);
            for (String optimizer : OPTIMIZERS) {
                GeneratedClasses classes = variant(file, optimizer);
                String label = file + ":" + name + " with " + optimizer;
                cases.add(new Case(label, classes, name, 1));
                if (file.equals("mnist_mlp.nn") || file.equals("digits.nn")) {
                    cases.add(new Case(label, classes, name, 2));
                }
            }
        }
        return cases.stream();
    }

    private static GeneratedClasses variant(String file, String optimizer) {
        return VARIANTS.computeIfAbsent(file + " " + optimizer, key -> {
            String text = Examples.text(file).replaceAll("optimizer [^;]*;", "optimizer " + optimizer + ";");
            return GeneratedClasses.compile(file, text);
        });
    }

    private static double[] inputs(TrainableNetwork network, int step) {
        return gaussian(100 + step, 200 * network.inputSize());
    }

    private static double[] targets(TrainableNetwork network, int step) {
        return uniform(200 + step, 200 * network.targetSize());
    }

    private static byte[] checkpoint(TrainableNetwork network) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            network.saveCheckpoint(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void trainStepIsTrainingGradientThenApplyGradientBitForBit(Case c) {
        TrainableNetwork stepped = c.create();
        TrainableNetwork applied = c.create();
        double[] grad = new double[stepped.parameterCount()];
        for (int step = 0; step < BATCHES.length; step++) {
            double[] xs = inputs(stepped, step);
            double[] ys = targets(stepped, step);
            int n = c.batch(step);
            double expected = stepped.trainStep(xs, ys, n);
            double actual = applied.trainingGradient(xs, ys, n, grad);
            applied.applyGradient(grad);
            if (c.normInParts()) {
                Numerics.assertClose(expected, actual, 1e-12, 0, c + ": loss of step " + step);
                Numerics.assertAllClose(
                        parameters(stepped), parameters(applied), 1e-9, 1e-12, c + ": parameters after step " + step);
                continue;
            }
            assertEquals(expected, actual, c + ": loss of step " + step);
            assertArrayEquals(parameters(stepped), parameters(applied), c + ": parameters after step " + step);
        }
        if (!c.normInParts()) {
            // The optimizer state, the step and the dropout generator too.
            assertArrayEquals(checkpoint(stepped), checkpoint(applied), c + ": checkpoints after the steps");
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void trainingGradientChangesNoParameterAndIsTheGradientWithoutDropout(Case c) {
        TrainableNetwork network = c.create();
        double[] xs = inputs(network, 0);
        double[] ys = targets(network, 0);
        double[] before = parameters(network);
        double[] training = new double[network.parameterCount()];
        Arrays.fill(training, 7.0);
        double loss = network.trainingGradient(xs, ys, c.batch(0), training);
        assertArrayEquals(before, parameters(network), c + ": trainingGradient changed the parameters");
        double[] exact = new double[network.parameterCount()];
        double exactLoss = network.gradient(xs, ys, c.batch(0), exact);
        if (!c.trainsDifferently()) {
            assertEquals(exactLoss, loss, c.toString());
            assertArrayEquals(exact, training, c + ": without dropout, trainingGradient is gradient");
        }
        // No step was counted: a step taken now is the first one (Adam's bias correction).
        TrainableNetwork fresh = c.create();
        if (!c.trainsDifferently()) {
            network.trainStep(xs, ys, c.batch(0));
            fresh.trainStep(xs, ys, c.batch(0));
            assertArrayEquals(parameters(fresh), parameters(network), c + ": trainingGradient counted a step");
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aNonFiniteGradientLeavesTheNetworkUnchanged(Case c) {
        TrainableNetwork network = c.create();
        network.trainStep(inputs(network, 0), targets(network, 0), c.batch(0));
        byte[] before = checkpoint(network);
        double[] grad = new double[network.parameterCount()];
        network.trainingGradient(inputs(network, 1), targets(network, 1), c.batch(1), grad);
        before = checkpoint(network); // trainingGradient may advance the dropout generator
        grad[grad.length - 1] = Double.NaN;
        double[] bad = grad;
        NonFiniteTrainingException e =
                assertThrows(NonFiniteTrainingException.class, () -> network.applyGradient(bad), c.toString());
        assertEquals(2, e.step(), c + ": " + e.getMessage());
        assertArrayEquals(before, checkpoint(network), c + ": a failed applyGradient changed the network");
        IllegalArgumentException wrong =
                assertThrows(IllegalArgumentException.class, () -> network.applyGradient(new double[grad.length + 1]));
        assertEquals(
                "grad must have " + grad.length + " elements, found " + (grad.length + 1),
                wrong.getMessage(),
                c.toString());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void trainingResumedFromACheckpointIsBitForBitUninterruptedTraining(Case c) throws IOException {
        TrainableNetwork uninterrupted = c.create();
        TrainableNetwork interrupted = c.create();
        int split = 3;
        for (int step = 0; step < split; step++) {
            uninterrupted.trainStep(inputs(uninterrupted, step), targets(uninterrupted, step), c.batch(step));
            interrupted.trainStep(inputs(interrupted, step), targets(interrupted, step), c.batch(step));
        }
        byte[] saved = checkpoint(interrupted);
        TrainableNetwork loaded = loadCheckpoint(c, new ByteArrayInputStream(saved));
        c.threads(loaded);
        TrainableNetwork restored = seeded(c, 12345);
        c.threads(restored);
        restored.restoreCheckpoint(new ByteArrayInputStream(saved));
        for (int step = split; step < BATCHES.length; step++) {
            double[] xs = inputs(uninterrupted, step);
            double[] ys = targets(uninterrupted, step);
            double expected = uninterrupted.trainStep(xs, ys, c.batch(step));
            assertEquals(expected, loaded.trainStep(xs, ys, c.batch(step)), c + ": loss of step " + step);
            assertEquals(expected, restored.trainStep(xs, ys, c.batch(step)), c + ": loss of step " + step);
        }
        assertArrayEquals(parameters(uninterrupted), parameters(loaded), c + ": loaded");
        assertArrayEquals(parameters(uninterrupted), parameters(restored), c + ": restored");
        assertArrayEquals(checkpoint(uninterrupted), checkpoint(loaded), c + ": loaded, whole state");
        assertArrayEquals(checkpoint(uninterrupted), checkpoint(restored), c + ": restored, whole state");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aDamagedCheckpointOrAParameterFileIsRejectedAndChangesNothing(Case c) throws IOException {
        TrainableNetwork network = c.create();
        network.trainStep(inputs(network, 0), targets(network, 0), c.batch(0));
        byte[] good = checkpoint(network);
        TrainableNetwork target = seeded(c, 99);
        byte[] before = checkpoint(target);
        byte[] flipped = good.clone();
        flipped[flipped.length / 2] ^= 4;
        ByteArrayOutputStream parameterFile = new ByteArrayOutputStream();
        network.save(parameterFile);
        List<byte[]> bad = List.of(flipped, Arrays.copyOf(good, good.length - 9), parameterFile.toByteArray());
        for (byte[] bytes : bad) {
            ParameterFileException e = assertThrows(
                    ParameterFileException.class, () -> target.restoreCheckpoint(new ByteArrayInputStream(bytes)));
            assertTrue(
                    e.getMessage().startsWith("corrupted nnc checkpoint")
                            || e.getMessage().startsWith("truncated nnc checkpoint")
                            || e.getMessage().startsWith("not an nnc checkpoint"),
                    c + ": " + e.getMessage());
            assertArrayEquals(before, checkpoint(target), c + ": a rejected checkpoint changed the network");
        }
    }

    @Test
    void anotherNetworksOrOptimizersCheckpointIsRejected() throws IOException {
        TrainableNetwork xor = Examples.compiled("xor.nn").newInstance("Xor");
        TrainableNetwork iris = Examples.compiled("iris.nn").newInstance("Iris");
        ParameterFileException e = assertThrows(
                ParameterFileException.class, () -> iris.restoreCheckpoint(new ByteArrayInputStream(checkpoint(xor))));
        assertEquals("checkpoint belongs to network 'Xor', not to 'Iris'", e.getMessage());
        TrainableNetwork sgd = variant("xor.nn", OPTIMIZERS.get(1)).newInstance("Xor");
        e = assertThrows(
                ParameterFileException.class, () -> sgd.restoreCheckpoint(new ByteArrayInputStream(checkpoint(xor))));
        assertEquals(
                "checkpoint was written by a 'Xor' trained with adam, but this one trains with sgd", e.getMessage());
        assertEquals(List.of(), xor.bufferNames());
    }

    /** Iris has dropout: its generator goes through the trainer's file with the rest. */
    @Test
    void aTrainerRunResumedFromItsCheckpointIsBitForBitTheUninterruptedRun(@TempDir Path directory) {
        int n = 90;
        Dataset data = new Dataset(gaussian(1, n * 4), Numerics.oneHot(n, 3, 2), n, 4, 3);
        Trainer.Builder settings = Trainer.builder().batchSize(8).seed(3).validationSplit(0.2);
        TrainableNetwork whole = Examples.compiled("iris.nn").newInstance("Iris");
        TrainingHistory expected = settings.epochs(6).build().fit(whole, data);
        TrainableNetwork interrupted = Examples.compiled("iris.nn").newInstance("Iris");
        settings.epochs(4).checkpointEvery(2, directory).build().fit(interrupted, data);
        TrainableNetwork resumed = Examples.compiled("iris.nn").newInstance("Iris");
        TrainingHistory actual = Trainer.builder()
                .batchSize(8)
                .seed(3)
                .validationSplit(0.2)
                .epochs(6)
                .resumeFrom(Trainer.checkpointFile(directory, 4))
                .build()
                .fit(resumed, data);
        assertArrayEquals(parameters(whole), parameters(resumed));
        assertArrayEquals(checkpoint(whole), checkpoint(resumed), "the whole state, dropout generator included");
        assertArrayEquals(expected.losses(), actual.losses());
        assertArrayEquals(expected.validationLosses(), actual.validationLosses());
    }

    private static TrainableNetwork loadCheckpoint(Case c, InputStream in) {
        try {
            return (TrainableNetwork) c.classes()
                    .load(c.className())
                    .getMethod("loadCheckpoint", InputStream.class)
                    .invoke(null, in);
        } catch (InvocationTargetException e) {
            throw new AssertionError(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static TrainableNetwork seeded(Case c, long seed) {
        try {
            return (TrainableNetwork)
                    c.classes().load(c.className()).getConstructor(long.class).newInstance(seed);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
