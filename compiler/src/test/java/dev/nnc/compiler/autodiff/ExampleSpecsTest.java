package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.frontend.FrontEnd;
import dev.nnc.compiler.graph.Examples;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.GraphPrinter;
import dev.nnc.compiler.graph.Lowering;
import dev.nnc.compiler.graph.OpCount;
import dev.nnc.compiler.pass.Passes;
import dev.nnc.compiler.semantic.CheckedUnit;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.SemanticChecker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The example specs of the repository's {@code examples/} compiled through the front end and the
 * semantic checker, then lowered, differentiated and optimised: G6 for every declaration, and the
 * hand-made declarations of {@link Examples} lower to the same graphs.
 */
class ExampleSpecsTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    static List<Declaration> declarations() throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(EXAMPLES)) {
            files = listing.filter(p -> p.toString().endsWith(".nn")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no examples under " + EXAMPLES.toAbsolutePath());
        return files.stream().flatMap(ExampleSpecsTest::check).toList();
    }

    private static Stream<Declaration> check(Path file) {
        Diagnostics diagnostics = new Diagnostics();
        try {
            FrontEnd.Result parsed =
                    FrontEnd.parse(file.getFileName().toString(), Files.readAllBytes(file), diagnostics);
            Optional<CheckedUnit> unit =
                    parsed.unit().flatMap(u -> SemanticChecker.check(u, Optional.of("examples"), diagnostics));
            assertFalse(diagnostics.hasErrors(), () -> file + ": " + diagnostics.sorted());
            return unit.orElseThrow().declarations().stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Stream<Named<Declaration>> named() throws IOException {
        return declarations().stream().map(d -> Named.of(d.name(), d));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("named")
    void gradientMatchesFiniteDifferences(Declaration declaration) {
        if (declaration instanceof Declaration.Network network) {
            Graph prediction = Passes.optimize(Lowering.lower(network, Lowering.Mode.PREDICTION));
            assertTrue(OpCount.of(prediction).forward() > 0);
            if (network.isTrainable()) {
                ExampleGradientTest.checkLossGradient(network);
            }
        } else if (declaration instanceof Declaration.Function function) {
            ExampleGradientTest.checkValueGradient(function);
        }
    }

    @Test
    void handMadeDeclarationsLowerToTheSameGraphsAsTheSpecs() throws IOException {
        List<Declaration> specs = declarations();
        for (Declaration.Network handMade : Examples.networks()) {
            Declaration.Network compiled = (Declaration.Network) find(specs, handMade.name());
            Lowering.Mode mode = handMade.isTrainable() ? Lowering.Mode.TRAINING : Lowering.Mode.PREDICTION;
            assertEquals(
                    GraphPrinter.print(Lowering.lower(handMade, mode)),
                    GraphPrinter.print(Lowering.lower(compiled, mode)),
                    handMade.name());
        }
        for (Declaration.Function handMade : Examples.functions()) {
            Declaration.Function compiled = (Declaration.Function) find(specs, handMade.name());
            assertEquals(
                    GraphPrinter.print(Lowering.lower(handMade)),
                    GraphPrinter.print(Lowering.lower(compiled)),
                    handMade.name());
        }
    }

    @Test
    void theLectureFunctionFromTheSpecTakesAtMostEightOperations() throws IOException {
        Declaration.Function f = (Declaration.Function) find(declarations(), "F");
        Graph graph = Passes.optimize(ReverseMode.differentiateValue(Lowering.lower(f), f));
        assertTrue(OpCount.of(graph).total() <= 8, GraphPrinter.print(graph));
    }

    private static Declaration find(List<Declaration> declarations, String name) {
        return declarations.stream()
                .filter(d -> d.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no declaration " + name));
    }
}
