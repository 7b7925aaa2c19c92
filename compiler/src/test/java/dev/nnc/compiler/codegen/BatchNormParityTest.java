package dev.nnc.compiler.codegen;

import static dev.nnc.compiler.codegen.Numerics.assertAllClose;
import static dev.nnc.compiler.codegen.Numerics.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.TrainableNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code batch_norm} against PyTorch ({@code nn.BatchNorm1d}, {@code nn.BatchNorm2d}), from the
 * fixtures of {@code src/test/python/batch_norm_parity.py}: in evaluation mode the predictions,
 * the loss and its gradient ({@code predict}, {@code loss}, {@code gradient}); in training mode
 * the loss and its gradient; five optimizer steps in training mode, the running statistics they
 * leave and the predictions after them. Everything to 1e-9 in double.
 */
class BatchNormParityTest {
    private static final double TOLERANCE = 1e-9;
    private static final int STEPS = 5;

    private static Map<String, String> fixture(String name) {
        Map<String, String> lines = new HashMap<>();
        try {
            Path file = Path.of(BatchNormParityTest.class
                    .getResource("/batch-norm-parity/" + name + ".txt")
                    .toURI());
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    int space = line.indexOf(' ');
                    lines.put(
                            line.substring(0, space), line.substring(space + 1).strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
        return lines;
    }

    private static double[] numbers(Map<String, String> fixture, String key) {
        assertTrue(fixture.containsKey(key), "fixture has no " + key);
        return Arrays.stream(fixture.get(key).split(" +"))
                .mapToDouble(Double::parseDouble)
                .toArray();
    }

    private static TrainableNetwork network(String name, String spec) {
        return GeneratedClasses.compile(name + ".nn", spec).newInstance(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"BatchNormFeatures", "BatchNormImage", "BatchNormSignal", "BatchNormStacked"})
    void matchesPyTorch(String name) {
        Map<String, String> fixture = fixture(name);
        String spec = fixture.get("spec");
        int n = Integer.parseInt(fixture.get("samples"));
        double[] xs = numbers(fixture, "xs");
        double[] ys = numbers(fixture, "ys");
        double[] initial = numbers(fixture, "initial");
        TrainableNetwork network = network(name, spec);
        assertEquals(
                List.of(fixture.get("buffers").replaceAll("\\[[^]]*]", "").split(" ")),
                readField(network, "BUFFER_NAMES"),
                name + " buffer names");
        network.setParameters(initial);

        double[] predictions = new double[n * network.outputSize()];
        network.predict(xs, n, predictions);
        assertAllClose(numbers(fixture, "predictions"), predictions, TOLERANCE, TOLERANCE, name + " eval predictions");
        double[] gradient = new double[initial.length];
        assertClose(numbers(fixture, "loss")[0], network.gradient(xs, ys, n, gradient), TOLERANCE, TOLERANCE, name);
        assertAllClose(numbers(fixture, "gradient"), gradient, TOLERANCE, TOLERANCE, name + " eval gradient");

        // The training-mode gradient, from an SGD step with learning rate 1 of the same network.
        TrainableNetwork sgd = network(
                name + "Sgd",
                spec.replace("network " + name, "network " + name + "Sgd")
                        .replaceAll("optimizer [^;]*;", "optimizer sgd(lr = 1);"));
        sgd.setParameters(initial);
        assertClose(numbers(fixture, "training_loss")[0], sgd.copy().trainStep(xs, ys, n), TOLERANCE, TOLERANCE, name);
        sgd.trainStep(xs, ys, n);
        double[] after = Networks.parameters(sgd);
        double[] stepped = new double[initial.length];
        for (int i = 0; i < stepped.length; i++) {
            stepped[i] = initial[i] - after[i];
        }
        assertAllClose(
                numbers(fixture, "training_gradient"), stepped, TOLERANCE, TOLERANCE, name + " training gradient");

        double[] losses = new double[STEPS];
        for (int step = 0; step < STEPS; step++) {
            losses[step] = network.trainStep(xs, ys, n);
        }
        assertAllClose(numbers(fixture, "losses"), losses, TOLERANCE, TOLERANCE, name + " training losses");
        assertAllClose(numbers(fixture, "final"), Networks.parameters(network), TOLERANCE, TOLERANCE, name + " final");
        assertAllClose(
                numbers(fixture, "final_buffers"),
                Networks.buffers(network),
                TOLERANCE,
                TOLERANCE,
                name + " running statistics");
        network.predict(xs, n, predictions);
        assertAllClose(
                numbers(fixture, "final_predictions"),
                predictions,
                TOLERANCE,
                TOLERANCE,
                name + " eval predictions after");
    }

    private static Object readField(Object network, String field) {
        try {
            return network.getClass().getField(field).get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
