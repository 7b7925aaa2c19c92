package dev.nnc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files of rendered diagnostics: each {@code diagnostics/<area>/<case>.nn} is checked and
 * its full rendered output compared with {@code <case>.expected}. Run with
 * {@code -Dnnc.updateGoldens=true} to rewrite the goldens, then review the diff.
 */
class DiagnosticsCorpusTest {
    private static final Path CORPUS = Path.of("src", "test", "resources", "diagnostics");
    private static final boolean UPDATE = Boolean.getBoolean("nnc.updateGoldens");

    static Stream<Path> cases() throws IOException {
        try (Stream<Path> files = Files.walk(CORPUS)) {
            return files.filter(f -> f.toString().endsWith(".nn")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void rendersTheGoldenDiagnostics(Path source) throws IOException {
        String name = CORPUS.relativize(source).toString().replace('\\', '/');
        String rendered = Sources.check(name, Files.readAllBytes(source)).rendered();
        Path golden = source.resolveSibling(source.getFileName().toString().replaceFirst("\\.nn$", ".expected"));
        if (UPDATE) {
            Files.writeString(golden, rendered, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(golden)) {
            fail("missing golden file; create " + golden.toAbsolutePath()
                    + " (or run with -Dnnc.updateGoldens=true) with:\n" + rendered);
        }
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), rendered, name);
    }

    @Test
    void corpusIsLargeEnough() throws IOException {
        assertTrue(cases().count() >= 35);
    }
}
