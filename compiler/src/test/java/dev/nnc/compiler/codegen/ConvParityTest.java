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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity with PyTorch for convolutional networks: the predictions, the loss and its gradient,
 * and five {@code trainStep}s (the loss before each update and the final parameters) of a
 * conv1d and a conv2d network agree with {@code torch.nn} and {@code torch.optim} from the same
 * parameters, to 1e-9 in double.
 *
 * <p>The fixtures in {@code src/test/resources/conv-parity} come from {@code
 * src/test/python/conv_parity.py} (float64, seeded random inputs and parameters). Each holds
 * the network on one line, the batch of five samples, the parameter layout and the initial
 * parameters in nnc's {@code PARAMETER_NAMES} order (PyTorch's names and layouts: {@code
 * c.weight [F, C, kh, kw]}, {@code c.bias [F]}), and PyTorch's results. This test needs no
 * Python: it compiles the fixture's network, loads the fixture's parameters and compares.
 *
 * <ul>
 *   <li>{@code conv1d}: {@code x[2, 11]} through {@code conv1d} with stride 2, padding 2 and
 *       dilation 2, {@code tanh}, {@code avg_pool1d} with padding (PyTorch's {@code
 *       count_include_pad}) and {@code max_pool1d} with padding (PyTorch pads with minus
 *       infinity; the first window's maximum is negative for some channels), joined with {@code
 *       concat}, {@code flatten}, {@code global_avg_pool}, {@code global_max_pool}, {@code dense},
 *       MSE, SGD with momentum.
 *   <li>{@code conv2d}: {@code x[2, 7, 6]} through a {@code conv2d} with the asymmetric kernel
 *       {@code [3, 2]}, stride {@code [2, 1]}, padding {@code [1, 0]} and dilation {@code [1,
 *       2]}, {@code relu}, {@code max_pool2d} and {@code avg_pool2d} with padding, a second
 *       {@code conv2d} with the even kernel {@code [2, 3]} and {@code padding = same} (PyTorch
 *       pads the extra row at the bottom), {@code flatten}, {@code concat}, {@code dense}, {@code
 *       softmax} with cross-entropy, Adam.
 *   <li>{@code conv1d_exclude_pad} and {@code conv2d_flipped_kernel}: the same starts computed
 *       with a deliberate mistake ({@code count_include_pad=False}; a true convolution instead
 *       of PyTorch's cross-correlation), which {@link #toleranceSeparatesPlausibleMistakes} uses
 *       to show that the tolerance would catch such a slip.
 * </ul>
 */
class ConvParityTest {
    /**
     * Absolute tolerance on predictions, losses, gradients and parameters. nnc and PyTorch
     * evaluate the same sums in different orders (PyTorch's convolutions go through its own
     * kernels, nnc's through window loops), and {@code tanh} or {@code exp} may differ by an ulp;
     * each is a relative difference near 1e-16 on values of order 1 (measured with PyTorch 1.13:
     * at most 2.3e-16 on any prediction, gradient element, loss or parameter). A wrong rule
     * moves the values by far more: the two mistake fixtures are 0.09 to 0.64 away (see {@link
     * #toleranceSeparatesPlausibleMistakes}).
     */
    private static final double TOLERANCE = 1e-9;

    /** How far, at least, the mistake fixtures must be from nnc: well clear of the tolerance. */
    private static final double MISTAKE_DISTANCE = 1000 * TOLERANCE;

    private static final int STEPS = 5;

    /** The deliberately wrong fixtures, each with the correct fixture it starts from. */
    private static final Map<String, String> MISTAKES =
            Map.of("conv1d_exclude_pad", "conv1d", "conv2d_flipped_kernel", "conv2d");

    private static final Set<String> PARITY = Set.of("conv1d", "conv2d");

    private static final Map<String, GeneratedClasses> COMPILED = new ConcurrentHashMap<>();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv1d", "conv2d"})
    void predictionsMatchPyTorch(String name, TestReporter reporter) {
        Fixture fixture = Fixture.read(name);
        double[] predictions = predict(start(fixture), fixture);
        report(reporter, "predictions", fixture.predictions(), predictions);
        assertClose(name + ": prediction", fixture.predictions(), predictions);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv1d", "conv2d"})
    void gradientMatchesPyTorch(String name, TestReporter reporter) {
        Fixture fixture = Fixture.read(name);
        TrainableNetwork network = start(fixture);
        double[] gradient = new double[network.parameterCount()];
        double loss = network.gradient(fixture.xs(), fixture.ys(), fixture.samples(), gradient);
        report(reporter, "gradient", fixture.gradient(), gradient);
        assertEquals(fixture.loss(), loss, TOLERANCE, name + ": loss");
        assertTrue(
                Arrays.stream(fixture.gradient()).allMatch(g -> g != 0),
                name + ": every parameter of the fixture has a gradient");
        for (int i = 0; i < gradient.length; i++) {
            int index = i;
            assertEquals(
                    fixture.gradient()[i],
                    gradient[i],
                    TOLERANCE,
                    () -> name + ": gradient of " + element(fixture.parameters(), index));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv1d", "conv2d"})
    void fiveTrainStepsMatchPyTorch(String name, TestReporter reporter) {
        Fixture fixture = Fixture.read(name);
        Trajectory run = train(fixture);
        report(reporter, "losses", fixture.losses(), run.losses());
        report(reporter, "final parameters", fixture.finalParameters(), run.finalParameters());
        assertClose(name + ": loss before update", fixture.losses(), run.losses());
        for (int i = 0; i < run.finalParameters().length; i++) {
            int index = i;
            assertEquals(
                    fixture.finalParameters()[i],
                    run.finalParameters()[i],
                    TOLERANCE,
                    () -> name + ": final " + element(fixture.parameters(), index));
        }
    }

    /**
     * The tolerance is tight enough to see a plausible slip: an average pool that divides an edge
     * window by the elements inside the signal ({@code count_include_pad=False}), or a true
     * convolution (the kernel rotated by 180 degrees) instead of PyTorch's cross-correlation.
     * Computed by PyTorch from the same start as the correct fixtures, they are far from what
     * nnc computes in the predictions, the gradient and the parameters after five steps.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv1d_exclude_pad", "conv2d_flipped_kernel"})
    void toleranceSeparatesPlausibleMistakes(String name, TestReporter reporter) {
        Fixture mistake = Fixture.read(name);
        Fixture correct = Fixture.read(MISTAKES.get(name));
        assertTrue(mistake.mistake().isPresent(), name + ": no 'mistake' line");
        assertEquals(correct.spec(), mistake.spec(), "same network");
        assertArrayEquals(correct.xs(), mistake.xs(), "same batch");
        assertArrayEquals(correct.initial(), mistake.initial(), "same start");

        TrainableNetwork network = start(mistake);
        double predictions = maxDeviation(mistake.predictions(), predict(network, mistake));
        double[] gradient = new double[network.parameterCount()];
        network.gradient(mistake.xs(), mistake.ys(), mistake.samples(), gradient);
        double gradients = maxDeviation(mistake.gradient(), gradient);
        double parameters =
                maxDeviation(mistake.finalParameters(), train(mistake).finalParameters());
        reporter.publishEntry(Map.of(
                "predictions", String.valueOf(predictions),
                "gradient", String.valueOf(gradients),
                "final parameters", String.valueOf(parameters)));
        assertTrue(predictions > MISTAKE_DISTANCE, "prediction deviation " + predictions);
        assertTrue(gradients > MISTAKE_DISTANCE, "gradient deviation " + gradients);
        assertTrue(parameters > MISTAKE_DISTANCE, "parameter deviation " + parameters);
    }

    /** No stale or unlisted fixture: every file is a parity case or a mistake. */
    @Test
    void everyFixtureIsUsed() {
        Set<String> expected = new TreeSet<>(PARITY);
        expected.addAll(MISTAKES.keySet());
        assertEquals(expected, fixtureNames(), "fixtures in conv-parity; run src/test/python/conv_parity.py");
        for (String name : PARITY) {
            assertTrue(Fixture.read(name).mistake().isEmpty(), name + " is marked as a mistake");
        }
    }

    private record Trajectory(double[] losses, double[] finalParameters) {}

    /** A fresh instance of the fixture's network, with the fixture's initial parameters. */
    private static TrainableNetwork start(Fixture fixture) {
        String spec = fixture.spec();
        String className =
                spec.substring("network ".length(), spec.indexOf('{')).strip();
        GeneratedClasses classes = COMPILED.computeIfAbsent(spec, s -> GeneratedClasses.compile("parity.nn", s));
        TrainableNetwork network = classes.newInstance(className);
        assertEquals(fixture.parameters(), shapes(network), "parameter layout of the generated class");
        network.setParameters(fixture.initial());
        return network;
    }

    private static double[] predict(TrainableNetwork network, Fixture fixture) {
        double[] outputs = new double[fixture.samples() * network.outputSize()];
        assertEquals(fixture.predictions().length, outputs.length, "output size");
        network.predict(fixture.xs(), fixture.samples(), outputs);
        return outputs;
    }

    private static Trajectory train(Fixture fixture) {
        TrainableNetwork network = start(fixture);
        double[] losses = new double[STEPS];
        for (int step = 0; step < STEPS; step++) {
            losses[step] = network.trainStep(fixture.xs(), fixture.ys(), fixture.samples());
        }
        double[] parameters = new double[network.parameterCount()];
        network.getParameters(parameters);
        return new Trajectory(losses, parameters);
    }

    private static void assertClose(String what, double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, what + ": count");
        for (int i = 0; i < expected.length; i++) {
            int index = i;
            assertEquals(expected[i], actual[i], TOLERANCE, () -> what + " " + index);
        }
    }

    private static void report(TestReporter reporter, String what, double[] expected, double[] actual) {
        reporter.publishEntry("max " + what + " deviation", String.valueOf(maxDeviation(expected, actual)));
    }

    /** {@code c.weight[3,2,3,2]} and so on, as the fixture writes the layout. */
    private static List<String> shapes(TrainableNetwork network) {
        List<String> names = network.parameterNames();
        List<int[]> shapes = network.parameterShapes();
        return IntStream.range(0, names.size())
                .mapToObj(i -> names.get(i)
                        + Arrays.stream(shapes.get(i))
                                .mapToObj(String::valueOf)
                                .collect(Collectors.joining(",", "[", "]")))
                .toList();
    }

    private static double maxDeviation(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, "length");
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        return max;
    }

    /** The parameter element at a flat index, {@code c.weight[1, 0, 2, 1]}, from the layout. */
    private static String element(List<String> layout, int flatIndex) {
        int offset = flatIndex;
        for (String entry : layout) {
            String name = entry.substring(0, entry.indexOf('['));
            int[] dims = Arrays.stream(entry.substring(name.length() + 1, entry.length() - 1)
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
                return name
                        + Arrays.stream(index).mapToObj(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
            }
            offset -= size;
        }
        return "parameter " + flatIndex;
    }

    private static Path fixtureDirectory() {
        URL url = ConvParityTest.class.getResource("/conv-parity");
        assertTrue(url != null, "no conv parity fixtures on the test class path");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> fixtureNames() {
        try (Stream<Path> files = Files.list(fixtureDirectory())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".txt"))
                    .map(f -> f.substring(0, f.length() - ".txt".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One fixture file: {@code key value...} lines, {@code #} comments. */
    private record Fixture(
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
            double[] finalParameters) {

        static Fixture read(String name) {
            Map<String, String> lines = new HashMap<>();
            try {
                for (String line :
                        Files.readAllLines(fixtureDirectory().resolve(name + ".txt"), StandardCharsets.UTF_8)) {
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
            Fixture fixture = new Fixture(
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
                    numbers(lines, name, "final"));
            assertEquals(STEPS, fixture.losses().length, name + ": losses");
            assertEquals(fixture.initial().length, fixture.gradient().length, name + ": gradient");
            assertEquals(fixture.initial().length, fixture.finalParameters().length, name + ": final parameters");
            assertEquals(fixture.loss(), fixture.losses()[0], name + ": the first step starts from the initial loss");
            return fixture;
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
    }
}
