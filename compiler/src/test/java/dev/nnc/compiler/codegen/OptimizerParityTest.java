package dev.nnc.compiler.codegen;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with PyTorch: ten {@code trainStep}s of every optimizer and clipping mode give the
 * losses and parameters that {@code torch.optim} gives from the same start.
 *
 * <p>The fixtures in {@code src/test/resources/parity} come from
 * {@code src/test/python/optimizer_parity.py} (float64, PyTorch's own optimizers and
 * {@code clip_grad_value_}/{@code clip_grad_norm_}); each holds the optimizer statement, the
 * batch, the initial parameters, the ten losses and the final parameters. This test needs no
 * Python: it compiles the network below with that statement, starts from the fixture's
 * parameters and compares.
 */
class OptimizerParityTest {
    /**
     * Absolute tolerance on losses and parameters. nnc and PyTorch evaluate the same formulas,
     * but not in the same order: the mean over the batch, the matrix products and the global
     * gradient norm (PyTorch: the norm of the per-tensor norms) sum in a different order,
     * {@code tanh} may differ by an ulp, and nnc updates Adam's first moment as
     * {@code m + (1 - beta1) (g - m)} where PyTorch 1.13 computes {@code beta1 m + (1 - beta1) g}.
     * Each of these is a relative difference near 1e-16, and ten steps on values of order 1
     * keep it there (measured with PyTorch 1.13: at most 2.5e-16 on any loss or parameter). A
     * wrong rule moves the values by far more than 1e-9: even swapping Adagrad's eps of 1e-8
     * for PyTorch's default 1e-10 moves the parameters by about 1e-7 (checked by
     * {@link #toleranceSeparatesADifferentEpsilon}).
     */
    private static final double TOLERANCE = 1e-9;

    private static final int STEPS = 10;

    /** 3 -> 4 tanh -> 2 identity with MSE, as in optimizer_parity.py. */
    private static final String NETWORK = """
            network Parity {
                input x[3];
                target y[2];
                hidden = dense(x, 4, activation = tanh);
                out = dense(hidden, 2);
                output out;
                loss mse(out, y);
                %s
            }
            """;

    /** The cases the task asks for; the script may add more, which run too. */
    private static final Set<String> REQUIRED = Set.of(
            "sgd",
            "sgd_momentum",
            "sgd_nesterov",
            "adagrad",
            "rmsprop",
            "adam",
            "adam_betas",
            "sgd_clip_value",
            "adam_clip_norm",
            "sgd_momentum_clip_both");

    static Stream<String> fixtures() {
        return fixtureNames().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void tenTrainStepsMatchPyTorch(String name, TestReporter reporter) {
        Fixture fixture = Fixture.read(name);
        Trajectory run = train(fixture.statement(), fixture);

        double lossDeviation = maxDeviation(fixture.losses(), run.losses());
        double parameterDeviation = maxDeviation(fixture.finalParameters(), run.finalParameters());
        reporter.publishEntry(Map.of(
                "max loss deviation", String.valueOf(lossDeviation),
                "max parameter deviation", String.valueOf(parameterDeviation)));

        for (int step = 0; step < STEPS; step++) {
            int at = step;
            assertEquals(
                    fixture.losses()[step],
                    run.losses()[step],
                    TOLERANCE,
                    () -> name + ": loss before update " + (at + 1) + " (max loss deviation " + lossDeviation + ")");
        }
        double[] expected = fixture.finalParameters();
        for (int i = 0; i < expected.length; i++) {
            int index = i;
            assertEquals(
                    expected[i],
                    run.finalParameters()[i],
                    TOLERANCE,
                    () -> name + ": final " + element(fixture.parameters(), index) + " (max parameter deviation "
                            + parameterDeviation + ")");
        }
    }

    @Test
    void everyRequiredCaseHasAFixture() {
        Set<String> missing = new TreeSet<>(REQUIRED);
        missing.removeAll(fixtureNames());
        assertTrue(missing.isEmpty(), "no fixture for " + missing + "; run src/test/python/optimizer_parity.py");
    }

    /**
     * The tolerance is tight enough to see a wrong constant: Adagrad with PyTorch's default eps
     * (1e-10) instead of nnc's (1e-8), the classic porting slip, must not pass.
     */
    @Test
    void toleranceSeparatesADifferentEpsilon() {
        Fixture fixture = Fixture.read("adagrad");
        assertEquals("optimizer adagrad(lr = 0.1);", fixture.statement());
        Trajectory run = train("optimizer adagrad(lr = 0.1, eps = 1e-10);", fixture);
        double deviation = maxDeviation(fixture.finalParameters(), run.finalParameters());
        assertTrue(deviation > 10 * TOLERANCE, "deviation " + deviation);
    }

    private record Trajectory(double[] losses, double[] finalParameters) {}

    private static Trajectory train(String statement, Fixture fixture) {
        TrainableNetwork network = GeneratedClasses.compile("parity.nn", NETWORK.formatted(statement))
                .newInstance("Parity");
        assertEquals(fixture.parameters(), shapes(network), "parameter layout of the generated class");
        network.setParameters(fixture.initial());
        double[] losses = new double[STEPS];
        for (int step = 0; step < STEPS; step++) {
            losses[step] = network.trainStep(fixture.xs(), fixture.ys(), fixture.samples());
        }
        double[] parameters = new double[network.parameterCount()];
        network.getParameters(parameters);
        return new Trajectory(losses, parameters);
    }

    /** {@code hidden.weight[4,3]} and so on, as the fixture writes the layout. */
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

    /** The parameter element at a flat index: {@code out.weight[1, 3]}, from the layout. */
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
        URL url = OptimizerParityTest.class.getResource("/parity");
        assertTrue(url != null, "no parity fixtures on the test class path");
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
            String statement,
            int samples,
            double[] xs,
            double[] ys,
            List<String> parameters,
            double[] initial,
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
            int samples = Integer.parseInt(value(lines, name, "samples"));
            Fixture fixture = new Fixture(
                    value(lines, name, "statement"),
                    samples,
                    numbers(lines, name, "xs"),
                    numbers(lines, name, "ys"),
                    List.of(value(lines, name, "parameters").split(" +")),
                    numbers(lines, name, "initial"),
                    numbers(lines, name, "losses"),
                    numbers(lines, name, "final"));
            assertEquals(STEPS, fixture.losses().length, name + ": losses");
            assertEquals(3 * samples, fixture.xs().length, name + ": xs");
            assertEquals(2 * samples, fixture.ys().length, name + ": ys");
            assertEquals(fixture.initial().length, fixture.finalParameters().length, name + ": final parameters");
            return fixture;
        }

        private static String value(Map<String, String> lines, String name, String key) {
            String value = lines.get(key);
            assertTrue(value != null, name + ": no line '" + key + "'");
            return value;
        }

        private static double[] numbers(Map<String, String> lines, String name, String key) {
            List<Double> values = new ArrayList<>();
            for (String token : value(lines, name, key).split(" +")) {
                values.add(Double.parseDouble(token));
            }
            return values.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }
}
