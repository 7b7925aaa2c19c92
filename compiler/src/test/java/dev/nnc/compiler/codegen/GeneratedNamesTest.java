package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.GeneratedFile;
import dev.nnc.compiler.SourceInput;
import dev.nnc.runtime.Network;
import dev.nnc.runtime.TrainableNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * No spec name changes what the generated code means. Names are drawn from Java's keywords,
 * the generated code's own identifiers (read off generated sources, so the set grows with the
 * generator), the {@code java.lang} types it names and the runtime's class names, and used
 * for every role: class, input, target, parameter, constant, layer and value names, and
 * function arguments. Each class must compile with {@code -Werror}, round-trip its parameters
 * and compute exactly what the same spec with neutral names computes.
 */
class GeneratedNamesTest {
    /** Java's keywords, literals and the contextual words javac treats specially. */
    private static final List<String> JAVA_WORDS = List.of(
            "abstract",
            "assert",
            "boolean",
            "break",
            "byte",
            "case",
            "catch",
            "char",
            "class",
            "const",
            "continue",
            "default",
            "do",
            "double",
            "else",
            "enum",
            "extends",
            "final",
            "finally",
            "float",
            "for",
            "goto",
            "if",
            "implements",
            "import",
            "instanceof",
            "int",
            "interface",
            "long",
            "native",
            "new",
            "package",
            "private",
            "protected",
            "public",
            "return",
            "short",
            "static",
            "strictfp",
            "super",
            "switch",
            "synchronized",
            "this",
            "throw",
            "throws",
            "transient",
            "try",
            "void",
            "volatile",
            "while",
            "true",
            "false",
            "null",
            "_",
            "var",
            "yield",
            "record",
            "sealed",
            "permits",
            "module",
            "open",
            "exports",
            "requires",
            "java",
            "javax",
            "dev",
            "lang",
            "util",
            "Object",
            "Integer",
            "Long",
            "Exception",
            "RuntimeException",
            "Thread",
            "Runnable");

    /** Roles of one network of the template, in the order names are dealt to them. */
    private static final int ROLES = 8;

    @Test
    void parametersNamedLikeTheApiArgumentsRoundTrip() {
        String spec = """
                network Copy {
                    input x[3];
                    target y[2];
                    param src[2, 3];
                    param dst[2];
                    param values[2];
                    o = tanh(src @ tanh(x) + values) + dst;
                    output o;
                    loss mse(o, y);
                    optimizer sgd(lr = 0.1);
                }
                """;
        TrainableNetwork network = GeneratedClasses.compile("copy.nn", spec).newInstance("Copy");
        double[] values = new double[network.parameterCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = 0.25 * i - 1 + i * i;
        }
        network.setParameters(values);
        double[] back = new double[values.length];
        network.getParameters(back);
        assertArrayEquals(values, back);
    }

    /**
     * A value named like a local a kernel allocates ({@code total}, the sum of the log-sum-exp)
     * whose field is allocated after that kernel's scope was opened: the local must not shadow the
     * field the same kernel reads. Before the fix javac failed with "array required, but double
     * found" at {@code Math.exp(total[i] - max)} (found by the accepted-specs fuzzing).
     */
    @Test
    void aValueNamedLikeAKernelsLocalIsNotShadowedByIt() {
        String spec = """
                network Tot {
                    input x[4];
                    target y[3];
                    h = dense(x, 5, activation = tanh);
                    total = dense(h, 3);
                    output total;
                    loss cross_entropy(softmax(total), y) + 0.01 * l2(weights);
                    optimizer adam;
                }
                """;
        TrainableNetwork network = GeneratedClasses.compile("tot.nn", spec).newInstance("Tot");
        double[] xs = {0.5, -1, 2, 0.25};
        double[] ys = {0, 1, 0};
        double[] gradient = new double[network.parameterCount()];
        double loss = network.gradient(xs, ys, 1, gradient);
        assertTrue(Double.isFinite(loss) && loss > 0, "loss " + loss);
        assertTrue(Double.isFinite(network.trainStep(xs, ys, 1)));
    }

    @Test
    void userTextInCommentsAndPathsNeverBecomesCodeNorFailsToCompile() {
        String spec = "/// ends */ static { System.exit(3); } /* early, see C:\\users\\me and \\u0041\n"
                + "/// caf\u00e9 \u2028 line\u2029 separators \u0085 \u00a0 \ud83d\ude00 \u0007 * / **/\n"
                + "network Doc { input x[2]; param w[2]; o = x * w; output o; }\n"
                + "/// */ int injected = 1; /*\n"
                + "function Text(x) = x * 2;\n";
        // generated code names the file without its folders: the name itself carries the attack
        String path = "C:\\u\\specs/we\rird\n int injected; \u2028 caf\u00e9.nn";
        GeneratedClasses generated = GeneratedClasses.compile(
                List.of(new SourceInput(path, spec.getBytes(StandardCharsets.UTF_8), Optional.of("gen"))));
        for (GeneratedFile file : generated.files()) {
            Set<String> code = SourceIdentifiers.of(file.content());
            assertFalse(code.contains("exit") || code.contains("injected") || code.contains("early"), file.content());
            assertTrue(file.content().chars().allMatch(c -> c == '\n' || (c >= 0x20 && c < 0x7f)), file.content());
        }
        Network doc = generated.newInstance("Doc");
        double[] out = new double[2];
        doc.predict(new double[] {1, 2}, out);
        assertEquals(2, out.length);
    }

    /**
     * The loop-nest stage bounds a padded window's taps (those of a pool that fall inside the
     * input) with {@code Math.max} and {@code Math.min}; in a class called {@code Math} they still
     * mean {@code java.lang.Math}, and the class computes what a twin with a neutral name computes.
     */
    @Test
    void aClassNamedMathBoundsItsWindowsWithJavasMath() {
        String body = "{ input x[3, 8]; target y[2]; p = max_pool1d(x, 2, stride = 2, padding = 1);"
                + " out = dense(flatten(p), 2); output out; loss mse(out, y); optimizer sgd(lr = 0.1); seed 3; }";
        GeneratedClasses classes =
                GeneratedClasses.compile("math_pool.nn", "network Math " + body + "\nnetwork Neutral " + body + "\n");
        String math = classes.files().stream()
                .filter(f -> f.className().equals("Math"))
                .findFirst()
                .orElseThrow()
                .content();
        assertTrue(math.contains("int kx = java.lang.Math.max(0, "), "the window's bounds are in its loop");
        TrainableNetwork named = classes.newInstance("Math");
        TrainableNetwork neutral = classes.newInstance("Neutral");
        double[] xs = new double[4 * 24];
        double[] ys = new double[4 * 2];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = Math.sin(1.7 * i);
        }
        for (int i = 0; i < ys.length; i++) {
            ys[i] = Math.cos(0.9 * i);
        }
        double[] expected = new double[neutral.parameterCount()];
        double[] actual = new double[named.parameterCount()];
        neutral.gradient(xs, ys, 4, expected);
        named.gradient(xs, ys, 4, actual);
        assertArrayEquals(expected, actual);
        double[] expectedOut = new double[8];
        double[] actualOut = new double[8];
        neutral.predict(xs, 4, expectedOut);
        named.predict(xs, 4, actualOut);
        assertArrayEquals(expectedOut, actualOut);
    }

    @ParameterizedTest(name = "{0} {1} inputs, trainable {2}")
    @CsvSource({
        "double, 2, true",
        "float, 2, true",
        "double, 80, true",
        "float, 80, true",
        "double, 2, false",
        "float, 2, false",
        "double, 5, false"
    })
    void networksNamedLikeJavaAndTheGeneratedCodeComputeWhatNeutralNamesCompute(
            String precision, int inputs, boolean trainable) {
        List<String> names = candidateNames();
        int shift = (precision.length() + inputs + (trainable ? 1 : 0)) % ROLES;
        List<String> rotated = new ArrayList<>(names.subList(shift, names.size()));
        rotated.addAll(names.subList(0, shift));
        StringBuilder named = new StringBuilder();
        StringBuilder neutral = new StringBuilder();
        List<String> classes = new ArrayList<>();
        for (int start = 0, n = 0; start < rotated.size(); start += ROLES, n++) {
            List<String> slot = new ArrayList<>();
            for (int r = 0; r < ROLES; r++) {
                slot.add(rotated.get((start + r) % rotated.size()));
            }
            String className = isClassName(slot.get(0)) && !collides(slot.get(0), classes) ? slot.get(0) : "Net" + n;
            classes.add(className);
            named.append(network(className, slot, precision, inputs, trainable));
            neutral.append(network(
                    "Net" + n, List.of("n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7"), precision, inputs, trainable));
        }
        GeneratedClasses namedClasses = GeneratedClasses.compile("named.nn", named.toString());
        GeneratedClasses neutralClasses = GeneratedClasses.compile("neutral.nn", neutral.toString());
        for (int n = 0; n < classes.size(); n++) {
            Network actual = namedClasses.newInstance(classes.get(n));
            Network expected = neutralClasses.newInstance("Net" + n);
            assertSameNetwork(expected, actual, inputs, classes.get(n));
        }
    }

    @Test
    void functionsNamedLikeJavaAndTheGeneratedCodeComputeWhatNeutralNamesCompute() throws Exception {
        List<String> names = candidateNames();
        StringBuilder named = new StringBuilder();
        List<String> classes = new ArrayList<>();
        for (int start = 0, n = 0; start < names.size(); start += 4, n++) {
            String className =
                    isClassName(names.get(start)) && !collides(names.get(start), classes) ? names.get(start) : "Fn" + n;
            classes.add(className);
            named.append(function(
                    className,
                    names.get((start + 1) % names.size()),
                    names.get((start + 2) % names.size()),
                    names.get((start + 3) % names.size())));
        }
        GeneratedClasses namedClasses = GeneratedClasses.compile("named.nn", named.toString());
        GeneratedClasses neutralClasses = GeneratedClasses.compile("neutral.nn", function("Fn", "a", "b", "c"));
        Method expectedValue = neutralClasses.load("Fn").getMethod("value", double.class, double[].class, double.class);
        Method expectedGradient = neutralClasses
                .load("Fn")
                .getMethod("gradient", double.class, double[].class, double.class, double[].class);
        double[] vector = {0.3, -0.7, 1.1};
        for (String className : classes) {
            Class<?> type = namedClasses.load(className);
            double value = (double) type.getMethod("value", double.class, double[].class, double.class)
                    .invoke(null, 0.4, vector, -1.3);
            assertEquals(expectedValue.invoke(null, 0.4, vector, -1.3), value, className);
            double[] expectedGrad = new double[5];
            double[] actualGrad = new double[5];
            expectedGradient.invoke(null, 0.4, vector, -1.3, expectedGrad);
            type.getMethod("gradient", double.class, double[].class, double.class, double[].class)
                    .invoke(null, 0.4, vector, -1.3, actualGrad);
            assertArrayEquals(expectedGrad, actualGrad, className);
        }
    }

    private static String function(String className, String a, String b, String c) {
        return "function %s(%s, %s[3], %s) = tanh(%s * sum(%s)) + %s * %s * exp(%s[1]);\n"
                .formatted(className, a, b, c, a, b, c, a, b);
    }

    private static String network(String className, List<String> s, String precision, int inputs, boolean trainable) {
        String input = s.get(1);
        String target = s.get(2);
        String matrix = s.get(3);
        String vector = s.get(4);
        String constant = s.get(5);
        String layer = s.get(6);
        String value = s.get(7);
        StringBuilder spec = new StringBuilder()
                .append("network ")
                .append(className)
                .append(" {\n")
                .append("    precision ")
                .append(precision)
                .append(";\n")
                .append("    input ")
                .append(input)
                .append('[')
                .append(inputs)
                .append("];\n")
                .append("    param ")
                .append(matrix)
                .append("[2, 3];\n")
                .append("    param ")
                .append(vector)
                .append("[2];\n")
                .append("    const ")
                .append(constant)
                .append(" = 0.5;\n")
                .append("    ")
                .append(layer)
                .append(" = dense(")
                .append(input)
                .append(", 3, activation = tanh);\n")
                .append("    ")
                .append(value)
                .append(" = tanh(")
                .append(matrix)
                .append(" @ ")
                .append(layer)
                .append(") * ")
                .append(constant)
                .append(" + ")
                .append(vector)
                .append(";\n")
                .append("    output ")
                .append(value)
                .append(";\n");
        if (trainable) {
            spec.append("    target ")
                    .append(target)
                    .append("[2];\n")
                    .append("    loss mse(")
                    .append(value)
                    .append(", ")
                    .append(target)
                    .append(");\n")
                    .append("    optimizer adam(lr = 0.01);\n");
        }
        return spec.append("}\n").toString();
    }

    private static void assertSameNetwork(Network expected, Network actual, int inputs, String name) {
        assertEquals(expected.parameterCount(), actual.parameterCount(), name);
        double[] parameters = new double[expected.parameterCount()];
        for (int i = 0; i < parameters.length; i++) {
            // Float networks store floats: values they hold exactly round-trip in both precisions.
            parameters[i] = (float) Math.sin(1.7 * i + 0.3);
        }
        expected.setParameters(parameters);
        actual.setParameters(parameters);
        double[] back = new double[parameters.length];
        actual.getParameters(back);
        assertArrayEquals(parameters, back, name + " parameters round-trip");
        int n = 3;
        double[] xs = new double[n * inputs];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = Math.cos(0.9 * i);
        }
        double[] expectedOut = new double[n * 2];
        double[] actualOut = new double[n * 2];
        expected.predict(xs, n, expectedOut);
        actual.predict(xs, n, actualOut);
        assertArrayEquals(expectedOut, actualOut, name + " predictions");
        if (expected instanceof TrainableNetwork e && actual instanceof TrainableNetwork a) {
            double[] ys = {0.1, -0.2, 0.3, 0.4, -0.5, 0.6};
            double[] expectedGrad = new double[parameters.length];
            double[] actualGrad = new double[parameters.length];
            assertEquals(e.gradient(xs, ys, n, expectedGrad), a.gradient(xs, ys, n, actualGrad), name + " loss");
            assertArrayEquals(expectedGrad, actualGrad, name + " gradient");
            assertEquals(e.trainStep(xs, ys, n), a.trainStep(xs, ys, n), name + " step loss");
            double[] expectedAfter = new double[parameters.length];
            e.getParameters(expectedAfter);
            a.getParameters(back);
            assertArrayEquals(expectedAfter, back, name + " parameters after a step");
        }
    }

    /**
     * Every word a spec name could clash with, that the language accepts as a name: Java's
     * words, every identifier of generated sources with neutral names, and the runtime's class
     * names.
     */
    private static List<String> candidateNames() {
        Set<String> words = new TreeSet<>(JAVA_WORDS);
        words.addAll(runtimeClassNames());
        StringBuilder neutral = new StringBuilder();
        String[] variants = {"double, 2, true", "float, 80, true", "double, 2, false", "float, 5, false"};
        for (int v = 0; v < variants.length; v++) {
            String[] p = variants[v].split(", ");
            neutral.append(network(
                    "Probe" + v,
                    List.of("n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7"),
                    p[0],
                    Integer.parseInt(p[1]),
                    Boolean.parseBoolean(p[2])));
        }
        neutral.append(function("ProbeF", "a", "b", "c"));
        neutral.append("network Wide { input x[80]; target y[2]; h = dense(x, 70, activation = relu);"
                + " d = dropout(h, 0.5); o = dense(d, 2); output o; loss mse(o, y); optimizer sgd(lr = 0.1); }\n");
        for (GeneratedFile file : generate(neutral.toString())) {
            words.addAll(SourceIdentifiers.of(file.content()));
        }
        words.removeIf(word -> !word.matches("[A-Za-z_][A-Za-z0-9_]*") || word.matches("n[0-7]|[abc]"));
        List<String> accepted = new ArrayList<>();
        for (String word : words) {
            if (isAcceptedName(word)) {
                accepted.add(word);
            }
        }
        assertTrue(accepted.containsAll(List.of("src", "dst", "Math", "Double", "List", "System", "Override")));
        return accepted;
    }

    private static boolean isAcceptedName(String word) {
        String spec = "network Accepts { input " + word + "[2]; param p[2]; o = " + word + " * p; output o; }";
        return !Compiler.check(List.of(source(spec))).hasErrors();
    }

    /**
     * Whether {@code word} names the same class file as one of {@code classes} on a file system
     * that ignores case ({@code Parts} and {@code parts}), which nnc rightly rejects: the test
     * gives such a declaration a neutral class name instead.
     */
    private static boolean collides(String word, List<String> classes) {
        return classes.stream().anyMatch(c -> c.equalsIgnoreCase(word));
    }

    private static boolean isClassName(String word) {
        return !Compiler.check(List.of(source("function " + word + "(x) = x;"))).hasErrors();
    }

    private static List<GeneratedFile> generate(String spec) {
        var result = Compiler.generate(List.of(source(spec)));
        assertFalse(result.hasErrors(), result.rendered());
        return result.files();
    }

    private static SourceInput source(String spec) {
        return new SourceInput("names.nn", spec.getBytes(StandardCharsets.UTF_8), Optional.of("gen"));
    }

    private static List<String> runtimeClassNames() {
        try {
            Path root = Path.of(Network.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            List<String> names = new ArrayList<>();
            // Under `mvn test` the runtime is a classes folder; under `mvn verify`, its jar.
            if (Files.isDirectory(root)) {
                try (Stream<Path> files = Files.walk(root)) {
                    files.map(path -> path.getFileName().toString()).forEach(name -> addClassNames(name, names));
                }
            } else {
                try (java.util.jar.JarFile jar = new java.util.jar.JarFile(root.toFile())) {
                    jar.stream()
                            .map(entry ->
                                    entry.getName().substring(entry.getName().lastIndexOf('/') + 1))
                            .forEach(name -> addClassNames(name, names));
                }
            }
            assertTrue(names.contains("PartRunner"), "runtime classes at " + root);
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The simple names in a class file's name: {@code Outer$Inner.class} gives both. */
    private static void addClassNames(String fileName, List<String> names) {
        if (fileName.endsWith(".class")) {
            names.addAll(List.of(fileName.replace(".class", "").split("\\$")));
        }
    }
}
