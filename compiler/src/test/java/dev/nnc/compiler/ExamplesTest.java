package dev.nnc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The examples of the language contract, copied into the repository at {@code examples/}. */
class ExamplesTest {
    static final Path EXAMPLES = Path.of("..", "examples");
    private static final Path SHARED = Path.of("..", "..", "shared", "examples");

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".nn")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleChecksWithoutDiagnostics(Path example) throws IOException {
        CompilationResult result = Sources.check(example.getFileName().toString(), Files.readAllBytes(example));
        assertEquals("", result.rendered());
    }

    @Test
    void allExamplesCheckTogetherWithoutClassCollisions() throws IOException {
        List<SourceInput> inputs = examples()
                .map(f -> new SourceInput(f.getFileName().toString(), read(f), Optional.of("examples")))
                .toList();
        assertFalse(Compiler.check(inputs).hasErrors());
    }

    /**
     * The repository's own examples beside the shared ones: the convolutional, recurrent and
     * normalised networks of version 2, which the shared folder does not have yet.
     */
    private static final List<String> OWN = List.of("cnn.nn", "sequences.nn", "normalized.nn");

    @Test
    void repositoryCopyEqualsTheSharedExamples() throws IOException {
        assumeTrue(Files.isDirectory(SHARED), "no shared examples folder beside the repository");
        try (Stream<Path> shared = Files.list(SHARED)) {
            List<Path> files =
                    shared.filter(f -> f.toString().endsWith(".nn")).sorted().toList();
            List<String> expected = new java.util.ArrayList<>(
                    files.stream().map(Path::getFileName).map(Path::toString).toList());
            expected.addAll(OWN);
            assertEquals(
                    expected.stream().sorted().toList(),
                    examples().map(Path::getFileName).map(Path::toString).toList());
            for (Path file : files) {
                assertEquals(
                        Files.readString(file),
                        Files.readString(EXAMPLES.resolve(file.getFileName())),
                        "examples/" + file.getFileName() + " differs from the shared copy");
            }
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
