package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.frontend.FrontEnd;
import dev.nnc.compiler.semantic.CheckedUnit;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.SemanticChecker;
import dev.nnc.compiler.semantic.Term;
import dev.nnc.runtime.TrainableNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Test support: the example specs of {@code examples/}, compiled once per test JVM, with their
 * checked declarations (the reference evaluator's input) and the double twins of float networks.
 */
final class Examples {
    static final Path DIRECTORY = Path.of("..", "examples");

    private static final Map<String, GeneratedClasses> COMPILED = new ConcurrentHashMap<>();
    private static final Map<String, CheckedUnit> CHECKED = new ConcurrentHashMap<>();

    private Examples() {}

    /** The file names of every example, sorted. */
    static List<String> files() {
        try (Stream<Path> paths = Files.list(DIRECTORY)) {
            List<String> files = paths.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".nn"))
                    .sorted()
                    .toList();
            assertFalse(files.isEmpty(), "no examples in " + DIRECTORY.toAbsolutePath());
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String file) {
        try {
            return Files.readString(DIRECTORY.resolve(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The example compiled with nnc and javac (cached). */
    static GeneratedClasses compiled(String file) {
        return COMPILED.computeIfAbsent(file, f -> GeneratedClasses.compile(f, text(f)));
    }

    /** A spec given as text, compiled with nnc and javac (cached by file name). */
    static GeneratedClasses compiled(String file, String text) {
        return COMPILED.computeIfAbsent(file, f -> GeneratedClasses.compile(f, text));
    }

    /** The checked declarations of the example (cached). */
    static CheckedUnit checked(String file) {
        return CHECKED.computeIfAbsent(file, f -> check(f, text(f)));
    }

    static CheckedUnit check(String file, String text) {
        Diagnostics diagnostics = new Diagnostics();
        FrontEnd.Result parsed = FrontEnd.parse(file, text.getBytes(StandardCharsets.UTF_8), diagnostics);
        Optional<CheckedUnit> unit =
                parsed.unit().flatMap(u -> SemanticChecker.check(u, Optional.of("gen"), diagnostics));
        assertFalse(diagnostics.hasErrors(), () -> file + ": " + diagnostics.sorted());
        assertTrue(unit.isPresent(), file);
        return unit.orElseThrow();
    }

    static boolean hasDropout(Declaration.Network network) {
        return network.definitions().stream().anyMatch(d -> d.value() instanceof Term.Dropout);
    }

    /** The spec of {@code mnist_mlp.nn} in double precision, as class {@code MnistMlpDouble}. */
    static String mnistDoubleTwinText() {
        String text = text("mnist_mlp.nn");
        String twin = text.replace("precision float;", "").replace("network MnistMlp ", "network MnistMlpDouble ");
        assertFalse(twin.contains("precision float"), twin);
        assertTrue(twin.contains("network MnistMlpDouble "), twin);
        return twin;
    }

    static final String MNIST_TWIN_FILE = "mnist_mlp_double.nn";

    /**
     * {@code MnistMlp} (float) and its double twin {@code MnistMlpDouble}, the twin set to the
     * float network's initial parameters: the pair that float-precision tests compare.
     */
    static TrainableNetwork[] mnistWithDoubleTwin() {
        TrainableNetwork single = compiled("mnist_mlp.nn").newInstance("MnistMlp");
        TrainableNetwork twin = compiled(MNIST_TWIN_FILE, mnistDoubleTwinText()).newInstance("MnistMlpDouble");
        double[] parameters = new double[single.parameterCount()];
        single.getParameters(parameters);
        twin.setParameters(parameters);
        return new TrainableNetwork[] {single, twin};
    }

    /** One network of an example, with the classes and the declaration to check it against. */
    record NetworkCase(String file, String className, GeneratedClasses classes, Declaration.Network declaration) {
        @Override
        public String toString() {
            return file + ":" + className;
        }
    }

    /**
     * Every network of every example. Float networks are represented by their double twin (all
     * finite-difference and evaluator checks run in double, RELIABILITY 1.5 precision rule).
     */
    static List<NetworkCase> networks() {
        List<NetworkCase> cases = new ArrayList<>();
        for (String file : files()) {
            for (Declaration declaration : checked(file).declarations()) {
                if (declaration instanceof Declaration.Network network) {
                    if (network.precision() == dev.nnc.compiler.semantic.Precision.FLOAT) {
                        assertTrue(file.equals("mnist_mlp.nn"), "no double twin for float network in " + file);
                        String twin = mnistDoubleTwinText();
                        Declaration.Network twinNetwork = (Declaration.Network)
                                check(MNIST_TWIN_FILE, twin).declarations().get(0);
                        cases.add(new NetworkCase(
                                MNIST_TWIN_FILE, "MnistMlpDouble", compiled(MNIST_TWIN_FILE, twin), twinNetwork));
                    } else {
                        cases.add(new NetworkCase(file, network.name(), compiled(file), network));
                    }
                }
            }
        }
        return cases;
    }

    static List<NetworkCase> trainableNetworks() {
        return networks().stream().filter(c -> c.declaration().isTrainable()).toList();
    }

    static List<NetworkCase> trainableNetworksWithoutDropout() {
        return trainableNetworks().stream()
                .filter(c -> !hasDropout(c.declaration()))
                .toList();
    }

    static List<NetworkCase> trainableNetworksWithDropout() {
        return trainableNetworks().stream()
                .filter(c -> hasDropout(c.declaration()))
                .toList();
    }
}
