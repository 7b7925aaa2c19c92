package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nnc.compiler.CompilationResult;
import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.GeneratedFile;
import dev.nnc.compiler.SourceInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files of generated source (STYLE 2.4.1): {@code src/test/resources/golden/<spec>/<Class>.java},
 * compared as exact text. Run with {@code -Dnnc.updateGoldens=true} to rewrite them, then review
 * the diff as the real change. A missing golden fails with the path to create.
 */
class GeneratedGoldenFilesTest {
    private static final Path GOLDEN = Path.of("src", "test", "resources", "golden");
    private static final boolean UPDATE = Boolean.getBoolean("nnc.updateGoldens");

    static Stream<Arguments> goldens() {
        return Stream.of(
                Arguments.of("xor.nn", "Xor"),
                Arguments.of("functions.nn", "F"),
                Arguments.of("functions.nn", "Rosenbrock"),
                Arguments.of("iris.nn", "Iris"),
                Arguments.of("iris.nn", "IrisScorer"),
                Arguments.of("perceptron.nn", "Perceptron"),
                // A tiled class: weights by columns, shards and parts for setThreads.
                Arguments.of("digits.nn", "Digits"),
                // Convolutions, pools and a flatten into a dense layer: patches, window loops, views.
                Arguments.of("cnn.nn", "DigitsCnn"),
                // A GRU: the input projection of every step, the loop over time and its way back.
                Arguments.of("sequences.nn", "Forecast"),
                Arguments.of("normalized.nn", "Normalized"));
    }

    private static List<GeneratedFile> generate(String file) {
        CompilationResult result = Compiler.generate(List.of(
                new SourceInput(file, Examples.text(file).getBytes(StandardCharsets.UTF_8), Optional.of("gen"))));
        assertTrue(!result.hasErrors(), result.rendered());
        return result.files();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("goldens")
    void generatedSourceEqualsItsGoldenFile(String file, String className) throws IOException {
        String actual = generate(file).stream()
                .filter(f -> f.className().equals(className))
                .findFirst()
                .orElseThrow(() -> new AssertionError(file + " generated no class " + className))
                .content();
        Path golden = GOLDEN.resolve(file.substring(0, file.length() - ".nn".length()))
                .resolve(className + ".java");
        if (UPDATE) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(golden)) {
            fail("missing golden file " + golden.toAbsolutePath()
                    + "; create it by running the tests with -Dnnc.updateGoldens=true and review it");
        }
        assertEquals(
                Files.readString(golden, StandardCharsets.UTF_8),
                actual,
                () -> "generated " + className + " differs from " + golden.toAbsolutePath()
                        + " (if intended, rerun with -Dnnc.updateGoldens=true and review the diff)");
    }

    @Test
    void goldenFilesCompileWithoutWarnings() {
        // The goldens are exactly the generated text, which GeneratedClasses compiles with -Werror.
        for (String file : List.of(
                "xor.nn",
                "functions.nn",
                "iris.nn",
                "perceptron.nn",
                "digits.nn",
                "cnn.nn",
                "sequences.nn",
                "normalized.nn")) {
            GeneratedClasses compiled = Examples.compiled(file);
            assertTrue(!compiled.files().isEmpty(), file);
        }
    }

    @ParameterizedTest
    @MethodSource("exampleFiles")
    void generatingTheSameInputTwiceGivesIdenticalBytes(String file) {
        List<GeneratedFile> first = generate(file);
        List<GeneratedFile> second = generate(file);
        assertEquals(first.size(), second.size());
        for (int i = 0; i < first.size(); i++) {
            assertEquals(first.get(i).className(), second.get(i).className());
            byte[] a = first.get(i).content().getBytes(StandardCharsets.UTF_8);
            byte[] b = second.get(i).content().getBytes(StandardCharsets.UTF_8);
            assertTrue(java.util.Arrays.equals(a, b), () -> file + ": two generations differ");
        }
    }

    static Stream<String> exampleFiles() {
        return Examples.files().stream();
    }
}
