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
import java.nio.file.attribute.FileTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateAndReportCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void generateWritesOneClassPerDeclarationInFoldersOfItsPackage(@TempDir Path dir) {
        assertEquals(
                0,
                run(
                        "generate",
                        "../examples/iris.nn",
                        "../examples/quadratic.nn",
                        "-d",
                        dir.toString(),
                        "--package",
                        "com.example"));
        assertTrue(Files.isRegularFile(dir.resolve("com/example/Iris.java")), out());
        assertTrue(Files.isRegularFile(dir.resolve("com/example/IrisScorer.java")));
        // quadratic.nn has its own package line, which wins over --package.
        assertTrue(Files.isRegularFile(dir.resolve("examples/regression/Quadratic.java")));
        assertTrue(out().contains("nnc: 3 classes generated"), out());
    }

    @Test
    void generateLeavesUnchangedFilesAlone(@TempDir Path dir) throws IOException {
        assertEquals(0, run("generate", "../examples/xor.nn", "-d", dir.toString()));
        Path xor = dir.resolve("Xor.java");
        FileTime old = FileTime.fromMillis(946_684_800_000L);
        Files.setLastModifiedTime(xor, old);
        assertEquals(0, run("generate", "../examples/xor.nn", "-d", dir.toString()));
        assertEquals(old, Files.getLastModifiedTime(xor));
        assertTrue(out().contains("nnc: 1 class generated in " + dir + " (0 written, 1 unchanged)"), out());
    }

    @Test
    void generateWritesNothingWhenAnyInputHasAnError(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.nn");
        Files.writeString(bad, "function G(x) = y;\n");
        Path output = dir.resolve("out");
        assertEquals(1, run("generate", "../examples/xor.nn", bad.toString(), "-d", output.toString()));
        assertTrue(err().contains(bad + ":1:17: error: unknown name 'y'"), err());
        assertFalse(Files.exists(output), "no output folder may be created");
    }

    @Test
    void generateExitsTwoWithoutAnOutputFolder() {
        assertEquals(2, run("generate", "../examples/xor.nn"));
        assertTrue(err().contains("no output folder; give it with -d OUTDIR"), err());
        assertEquals(2, run("generate", "../examples/xor.nn", "-d"));
        assertTrue(err().contains("option -d needs a value"), err());
    }

    @Test
    void generateLeavesNoTemporaryFiles(@TempDir Path dir) throws IOException {
        assertEquals(0, run("generate", "../examples/functions.nn", "-d", dir.toString()));
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.allMatch(f -> f.getFileName().toString().endsWith(".java")));
        }
    }

    @Test
    void reportShowsTheLectureFunctionInAtMostEightOperations() {
        assertEquals(0, run("report", "../examples/functions.nn", "--name", "F"));
        String report = out();
        Matcher total =
                Pattern.compile("forward (\\d+), backward (\\d+), total (\\d+)").matcher(report);
        assertTrue(total.find(), report);
        assertTrue(Integer.parseInt(total.group(3)) <= 8, report);
        assertTrue(report.contains("public static double derivative(double x)"), report);
        assertFalse(report.contains("function Gauss"), "--name selects one declaration");
    }

    @Test
    void reportShowsCountsAndKernelsOfANetwork() {
        assertEquals(0, run("report", "../examples/xor.nn"));
        String report = out();
        assertTrue(report.startsWith("network Xor\n"), report);
        assertTrue(report.contains("inputs:      x[2]"), report);
        assertTrue(report.contains("parameters:  17"), report);
        assertTrue(report.contains("private double trainSample("), report);
    }

    @Test
    void reportExitsTwoForAnUnknownDeclaration() {
        assertEquals(2, run("report", "../examples/functions.nn", "--name", "Nope"));
        assertTrue(err().contains("declares no 'Nope'"), err());
    }
}
