package dev.nnc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void checkExitsZeroOnTheExamples() {
        assertEquals(0, run("check", "../examples/xor.nn", "../examples/iris.nn"));
        assertEquals("", err());
    }

    @Test
    void checkExitsOneAndPrintsEveryDiagnostic(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.nn");
        Files.writeString(file, "network N {\n  input x[2];\n  h = x + y;\n  out = relu(z);\n  output out;\n}\n");
        assertEquals(1, run("check", file.toString()));
        assertTrue(err().contains(file + ":3:11: error: unknown name 'y'"), err());
        assertTrue(err().contains(file + ":4:14: error: unknown name 'z'"), err());
        assertTrue(err().contains("          ^"), err());
    }

    @Test
    void checkExitsTwoAndNamesAnUnreadableFile() {
        assertEquals(2, run("check", "no/such/file.nn"));
        assertTrue(err().contains("cannot read 'no/such/file.nn'"), err());
    }

    @Test
    void checkExitsTwoWithoutFiles() {
        assertEquals(2, run("check"));
        assertTrue(err().contains("no input files"));
    }

    @Test
    void exitsTwoOnAnUnknownCommand() {
        assertEquals(2, run("compile", "x.nn"));
        assertTrue(err().contains("unknown command 'compile'"));
    }

    @Test
    void exitsTwoWithUsageWithoutArguments() {
        assertEquals(2, run());
        assertTrue(err().contains("usage: nnc"));
    }

    @Test
    void helpListsOnlyCommandsThatExist() {
        assertEquals(0, run("--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("check FILE..."));
        assertTrue(help.contains("generate FILE... -d OUTDIR [--package NAME]"));
        assertTrue(help.contains("report FILE [--name DECL]"));
        assertFalse(help.contains("benchmark"));
    }

    @Test
    void versionComesFromTheBuild() {
        assertEquals(0, run("--version"));
        String version = out.toString(StandardCharsets.UTF_8).trim();
        assertTrue(version.matches("nnc \\d+\\.\\d+\\.\\d+.*"), version);
    }
}
