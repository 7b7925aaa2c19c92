package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.TrainableNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestReporter;

/**
 * One PyTorch parity fixture of a whole network, as {@code src/test/python/conv_parity.py} and
 * {@code recurrent_parity.py} write them: {@code key value...} lines, {@code #} comments. It
 * holds the network on one line ({@code spec}), a batch, the parameter layout and the initial
 * parameters in nnc's {@code PARAMETER_NAMES} order, and what {@code torch.nn} and {@code
 * torch.optim} compute from there: the predictions, the loss and its gradient, the loss before
 * each of {@link #STEPS} updates and the final parameters. A {@code mistake} line marks a
 * fixture computed with a deliberate slip; a {@code zero_gradient} line lists the flat indices of
 * parameters whose gradient is exactly zero by design (the rows of an embedding that no id of
 * the batch names), which nnc must leave exactly zero too.
 *
 * <p>Besides reading, it runs the fixture's network as nnc compiles it and compares with what
 * PyTorch computed, so that each parity test only says which fixtures and which tolerance.
 */
record ParityFixture(
        String name,
        Optional<String> mistake,
        String spec,
        int samples,
        double[] xs,
        double[] ys,
        List<String> parameters,
        double[] initial,
        double[] predictions,
        double loss,
        double[] gradient,
        double[] losses,
        double[] finalParameters,
        Set<Integer> zeroGradient) {

    /** The optimizer updates each fixture records. */
    static final int STEPS = 5;

    /** Compiled networks by spec: the tests of one fixture share one compilation. */
    private static final Map<String, GeneratedClasses> COMPILED = new ConcurrentHashMap<>();

    /** What nnc computes for a fixture: the loss before each update and the final parameters. */
    private record Trajectory(double[] losses, double[] finalParameters) {}

    /** The largest absolute differences between nnc and a fixture. */
    record Deviations(double predictions, double gradient, double finalParameters) {}

    /** The fixture {@code <directory>/<name>.txt} on the test class path. */
    static ParityFixture read(String directory, String name) {
        Map<String, String> lines = new HashMap<>();
        try {
            for (String line :
                    Files.readAllLines(directory(directory).resolve(name + ".txt"), StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int space = line.indexOf(' ');
                assertTrue(space > 0, name + ": malformed line " + line);
                String previous = lines.put(
                        line.substring(0, space), line.substring(space + 1).strip());
                assertTrue(previous == null, name + ": duplicate key in " + line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ParityFixture fixture = new ParityFixture(
                name,
                Optional.ofNullable(lines.get("mistake")),
                value(lines, name, "spec"),
                Integer.parseInt(value(lines, name, "samples")),
                numbers(lines, name, "xs"),
                numbers(lines, name, "ys"),
                List.of(value(lines, name, "parameters").split(" +")),
                numbers(lines, name, "initial"),
                numbers(lines, name, "predictions"),
                Double.parseDouble(value(lines, name, "loss")),
                numbers(lines, name, "gradient"),
                numbers(lines, name, "losses"),
                numbers(lines, name, "final"),
                lines.containsKey("zero_gradient")
                        ? Arrays.stream(lines.get("zero_gradient").split(" +"))
                                .map(Integer::valueOf)
                                .collect(Collectors.toCollection(TreeSet::new))
                        : Set.of());
        assertEquals(STEPS, fixture.losses().length, name + ": losses");
        assertEquals(fixture.initial().length, fixture.gradient().length, name + ": gradient");
        assertEquals(fixture.initial().length, fixture.finalParameters().length, name + ": final parameters");
        assertEquals(fixture.loss(), fixture.losses()[0], name + ": the first step starts from the initial loss");
        return fixture;
    }

    /** The names of the fixtures in a directory of the test class path, without {@code .txt}. */
    static Set<String> names(String directory) {
        try (Stream<Path> files = Files.list(directory(directory))) {
            return files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".txt"))
                    .map(f -> f.substring(0, f.length() - ".txt".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A fresh instance of the fixture's network, with the fixture's initial parameters; its
     * parameter layout must be the fixture's.
     */
    private TrainableNetwork start() {
        String className =
                spec.substring("network ".length(), spec.indexOf('{')).strip();
        GeneratedClasses classes = COMPILED.computeIfAbsent(spec, s -> GeneratedClasses.compile("parity.nn", s));
        TrainableNetwork network = classes.newInstance(className);
        assertEquals(parameters, layout(network), name + ": parameter layout of the generated class");
        network.setParameters(initial);
        return network;
    }

    /** {@link #STEPS} {@code trainStep}s from the initial parameters. */
    private Trajectory train() {
        TrainableNetwork network = start();
        double[] losses = new double[STEPS];
        for (int step = 0; step < STEPS; step++) {
            losses[step] = network.trainStep(xs, ys, samples);
        }
        double[] parameters = new double[network.parameterCount()];
        network.getParameters(parameters);
        return new Trajectory(losses, parameters);
    }

    /** nnc's predictions of the batch at the initial parameters agree with the fixture's. */
    void assertPredictionsMatch(double tolerance, TestReporter reporter) {
        double[] actual = predict(start());
        report(reporter, "predictions", predictions, actual);
        for (int i = 0; i < actual.length; i++) {
            int index = i;
            assertEquals(predictions[i], actual[i], tolerance, () -> name + ": prediction " + index);
        }
    }

    /**
     * nnc's mean loss of the batch and its gradient at the initial parameters agree with the
     * fixture's, and every parameter has a gradient (a zero would leave its rule untested)
     * except those the fixture lists as zero by design, which nnc leaves exactly zero.
     */
    void assertGradientMatches(double tolerance, TestReporter reporter) {
        TrainableNetwork network = start();
        double[] actual = new double[network.parameterCount()];
        double actualLoss = network.gradient(xs, ys, samples, actual);
        report(reporter, "gradient", gradient, actual);
        assertEquals(loss, actualLoss, tolerance, name + ": loss");
        for (int i = 0; i < actual.length; i++) {
            int index = i;
            boolean zero = zeroGradient.contains(i);
            assertEquals(zero, gradient[i] == 0, () -> name + ": fixture's gradient of " + element(index));
            if (zero) {
                assertEquals(0.0, actual[i], () -> name + ": gradient of " + element(index) + " is not exactly 0");
            }
            assertEquals(gradient[i], actual[i], tolerance, () -> name + ": gradient of " + element(index));
        }
    }

    /** nnc's loss before each of the {@link #STEPS} updates and its final parameters agree. */
    void assertTrainingMatches(double tolerance, TestReporter reporter) {
        Trajectory run = train();
        report(reporter, "losses", losses, run.losses());
        report(reporter, "final parameters", finalParameters, run.finalParameters());
        for (int step = 0; step < STEPS; step++) {
            int index = step;
            assertEquals(losses[step], run.losses()[step], tolerance, () -> name + ": loss before update " + index);
        }
        for (int i = 0; i < finalParameters.length; i++) {
            int index = i;
            assertEquals(
                    finalParameters[i], run.finalParameters()[i], tolerance, () -> name + ": final " + element(index));
        }
    }

    /**
     * How far nnc is from this fixture in the predictions, the gradient and the parameters after
     * {@link #STEPS} updates; for a mistake fixture, which must start where {@code correct}
     * starts (the same network, batch and parameters).
     */
    Deviations deviationsFrom(ParityFixture correct) {
        assertTrue(mistake.isPresent(), name + ": no 'mistake' line");
        assertEquals(correct.spec(), spec, name + ": same network as " + correct.name());
        assertArrayEquals(correct.xs(), xs, name + ": same batch as " + correct.name());
        assertArrayEquals(correct.ys(), ys, name + ": same targets as " + correct.name());
        assertArrayEquals(correct.initial(), initial, name + ": same start as " + correct.name());
        TrainableNetwork network = start();
        return new Deviations(
                maxDeviation(predictions, predict(network)),
                maxDeviation(gradient, gradient(network)),
                maxDeviation(finalParameters, train().finalParameters()));
    }

    /** nnc's predictions of the fixture's batch. */
    private double[] predict(TrainableNetwork network) {
        double[] outputs = new double[samples * network.outputSize()];
        assertEquals(predictions.length, outputs.length, name + ": output size");
        network.predict(xs, samples, outputs);
        return outputs;
    }

    /** nnc's gradient of the batch's mean loss. */
    private double[] gradient(TrainableNetwork network) {
        double[] result = new double[network.parameterCount()];
        network.gradient(xs, ys, samples, result);
        return result;
    }

    /** The parameter element at a flat index, {@code c.weight[1, 0, 2, 1]}, from the layout. */
    private String element(int flatIndex) {
        int offset = flatIndex;
        for (String entry : parameters) {
            String parameter = entry.substring(0, entry.indexOf('['));
            int[] dims = Arrays.stream(entry.substring(parameter.length() + 1, entry.length() - 1)
                            .split(","))
                    .mapToInt(Integer::parseInt)
                    .toArray();
            int size = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
            if (offset < size) {
                int[] index = new int[dims.length];
                for (int d = dims.length - 1; d >= 0; d--) {
                    index[d] = offset % dims[d];
                    offset /= dims[d];
                }
                return parameter
                        + Arrays.stream(index).mapToObj(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
            }
            offset -= size;
        }
        return "parameter " + flatIndex;
    }

    private static void report(TestReporter reporter, String what, double[] expected, double[] actual) {
        reporter.publishEntry("max " + what + " deviation", String.valueOf(maxDeviation(expected, actual)));
    }

    private static double maxDeviation(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, "length");
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        return max;
    }

    /** {@code c.weight[3,2,3,2]} and so on, as the fixture writes the layout. */
    private static List<String> layout(TrainableNetwork network) {
        List<String> names = network.parameterNames();
        List<int[]> shapes = network.parameterShapes();
        return IntStream.range(0, names.size())
                .mapToObj(i -> names.get(i)
                        + Arrays.stream(shapes.get(i))
                                .mapToObj(String::valueOf)
                                .collect(Collectors.joining(",", "[", "]")))
                .toList();
    }

    private static Path directory(String directory) {
        URL url = ParityFixture.class.getResource("/" + directory);
        assertTrue(url != null, "no fixtures " + directory + " on the test class path");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String value(Map<String, String> lines, String name, String key) {
        String value = lines.get(key);
        assertTrue(value != null, name + ": no line '" + key + "'");
        return value;
    }

    private static double[] numbers(Map<String, String> lines, String name, String key) {
        return Arrays.stream(value(lines, name, key).split(" +"))
                .mapToDouble(Double::parseDouble)
                .toArray();
    }

    /**
     * Asserts that the deliberately wrong fixture {@code mistake} is more than {@code distance}
     * from its correct twin {@code correct} (which nnc matches) in the predictions, the gradient
     * and the parameters after five steps, and reports the three deviations.
     */
    static void assertMistakeSeparated(
            String directory,
            String mistake,
            String correct,
            double distance,
            org.junit.jupiter.api.TestReporter reporter) {
        Deviations deviations = read(directory, mistake).deviationsFrom(read(directory, correct));
        reporter.publishEntry(Map.of(
                "predictions", String.valueOf(deviations.predictions()),
                "gradient", String.valueOf(deviations.gradient()),
                "final parameters", String.valueOf(deviations.finalParameters())));
        assertTrue(deviations.predictions() > distance, "prediction deviation " + deviations.predictions());
        assertTrue(deviations.gradient() > distance, "gradient deviation " + deviations.gradient());
        assertTrue(deviations.finalParameters() > distance, "parameter deviation " + deviations.finalParameters());
    }

    /**
     * Asserts that {@code directory} holds exactly the parity fixtures {@code parity} and the
     * mistakes {@code mistakes}, none of the former marked as a mistake: no stale or unlisted
     * file. {@code script} is what writes them.
     */
    static void assertFixturesAre(String directory, Set<String> parity, Set<String> mistakes, String script) {
        Set<String> expected = new TreeSet<>(parity);
        expected.addAll(mistakes);
        assertEquals(expected, names(directory), "fixtures in " + directory + "; run " + script);
        for (String name : parity) {
            assertTrue(read(directory, name).mistake().isEmpty(), name + " is marked as a mistake");
        }
    }
}
