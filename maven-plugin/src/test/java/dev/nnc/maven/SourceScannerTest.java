package dev.nnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonatype.plexus.build.incremental.DefaultBuildContext;

class SourceScannerTest {
    @TempDir
    Path basedir;

    private Path root;
    private SourceScanner scanner;

    @BeforeEach
    void createSpecs() throws IOException {
        root = basedir.resolve("src/main/nn");
        for (String path : List.of("xor.nn", "com/acme/and.nn", "com/acme/notes.txt", "drafts/or.nn")) {
            Files.createDirectories(root.resolve(path).getParent());
            Files.writeString(root.resolve(path), "network N {}");
        }
        scanner = new SourceScanner(new DefaultBuildContext(), basedir);
    }

    @Test
    void findsEveryNnFileByDefaultInPathOrder() {
        assertEquals(
                List.of("com/acme/and.nn", "drafts/or.nn", "xor.nn"),
                relativePaths(scanner.scan(root, List.of(), List.of())));
    }

    @Test
    void honoursIncludesAndExcludes() {
        assertEquals(
                List.of("com/acme/and.nn", "xor.nn"),
                relativePaths(scanner.scan(root, List.of(), List.of("drafts/**"))));
        assertEquals(
                List.of("com/acme/and.nn", "com/acme/notes.txt"),
                relativePaths(scanner.scan(root, List.of("com/**"), List.of())));
    }

    @Test
    void findsNothingInAMissingFolder() {
        assertEquals(List.of(), scanner.scan(basedir.resolve("src/test/nn"), List.of(), List.of()));
    }

    @Test
    void namesSpecsRelativeToTheProjectAndOthersAbsolutely() {
        SpecSource spec = scanner.scan(root, List.of("xor.nn"), List.of()).get(0);

        assertEquals(root.resolve("xor.nn"), spec.file());
        assertEquals("src/main/nn/xor.nn", spec.displayName());
        Path outside = basedir.getParent().resolve("elsewhere/xor.nn").toAbsolutePath();
        assertEquals(outside.toString(), scanner.displayName(outside));
    }

    private static List<String> relativePaths(List<SpecSource> specs) {
        return specs.stream().map(SpecSource::relativePath).toList();
    }
}
