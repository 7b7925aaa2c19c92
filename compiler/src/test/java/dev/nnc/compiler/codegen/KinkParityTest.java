package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated functions agree with PyTorch on kinks and ties: the value and the gradient in every
 * argument of each case of {@code src/test/resources/kink-parity/kinks.txt}, which {@code
 * src/test/python/kink_parity.py} computes with PyTorch in float64 ({@code torch.relu}, {@code
 * torch.abs}, {@code torch.minimum}, {@code torch.maximum}, ... at 0 and at equal operands).
 */
class KinkParityTest {
    /** Exact in most cases; logarithms and exponentials may differ from PyTorch's in the last bit. */
    private static final double TOLERANCE = 1e-14;

    /** One line of the fixture. */
    record Case(String name, String parameters, String body, double[] arguments, double value, double[] gradient) {
        @Override
        public String toString() {
            return name;
        }

        String className() {
            StringBuilder name = new StringBuilder();
            for (String word : this.name.split("_")) {
                name.append(word.substring(0, 1).toUpperCase(Locale.ROOT)).append(word.substring(1));
            }
            return name.toString();
        }

        /** The element counts of the parameters, 0 for a scalar. */
        int[] sizes() {
            return Arrays.stream(parameters.split(","))
                    .map(String::strip)
                    .mapToInt(p ->
                            p.contains("[") ? Integer.parseInt(p.substring(p.indexOf('[') + 1, p.indexOf(']'))) : 0)
                    .toArray();
        }
    }

    private static final List<Case> CASES = read();
    private static final GeneratedClasses CLASSES = compile();

    static Stream<Case> cases() {
        return CASES.stream();
    }

    private static List<Case> read() {
        URL url = KinkParityTest.class.getResource("/kink-parity/kinks.txt");
        assertTrue(url != null, "no kinks.txt on the test class path; run src/test/python/kink_parity.py");
        try {
            List<Case> cases = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of(url.toURI()), StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.split(" \\| ");
                assertEquals(6, fields.length, "malformed line " + line);
                cases.add(new Case(
                        fields[0],
                        fields[1],
                        fields[2],
                        numbers(fields[3]),
                        Double.parseDouble(fields[4]),
                        numbers(fields[5])));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double[] numbers(String field) {
        return Arrays.stream(field.strip().split(" "))
                .mapToDouble(Double::parseDouble)
                .toArray();
    }

    private static GeneratedClasses compile() {
        StringBuilder spec = new StringBuilder();
        for (Case c : CASES) {
            spec.append("function ")
                    .append(c.className())
                    .append('(')
                    .append(c.parameters())
                    .append(") = ")
                    .append(c.body())
                    .append(";\n");
        }
        return GeneratedClasses.compile("kinks.nn", spec.toString());
    }

    @Test
    void theFixtureCoversTiesOfMinAndMax() {
        assertTrue(CASES.stream().anyMatch(c -> c.name().equals("min_times_max_tie")));
        assertTrue(CASES.size() >= 15, CASES.size() + " cases");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void valueAndGradientMatchPyTorch(Case c) throws ReflectiveOperationException {
        int[] sizes = c.sizes();
        List<Class<?>> types = new ArrayList<>();
        List<Object> arguments = new ArrayList<>();
        int offset = 0;
        for (int size : sizes) {
            if (size == 0) {
                types.add(double.class);
                arguments.add(c.arguments()[offset++]);
            } else {
                types.add(double[].class);
                arguments.add(Arrays.copyOfRange(c.arguments(), offset, offset + size));
                offset += size;
            }
        }
        double[] gradient = new double[c.gradient().length];
        types.add(double[].class);
        arguments.add(gradient);
        Method method = CLASSES.load(c.className()).getMethod("gradient", types.toArray(Class<?>[]::new));
        double value;
        try {
            value = (double) method.invoke(null, arguments.toArray());
        } catch (InvocationTargetException e) {
            throw new AssertionError(e.getCause());
        }
        assertEquals(c.value(), value, TOLERANCE * (1 + Math.abs(c.value())), c.name() + ": value");
        for (int i = 0; i < gradient.length; i++) {
            double want = c.gradient()[i];
            assertEquals(want, gradient[i], TOLERANCE * (1 + Math.abs(want)), c.name() + ": gradient " + i);
        }
    }
}
