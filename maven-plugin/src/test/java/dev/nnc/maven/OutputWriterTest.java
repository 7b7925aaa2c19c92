package dev.nnc.maven;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputWriterTest {
    private static final FileTime LONG_AGO = FileTime.fromMillis(946_684_800_000L);

    @TempDir
    Path dir;

    private final OutputWriter writer = new OutputWriter(StandardCharsets.UTF_8);

    @Test
    void writesANewFileAndItsFolders() throws IOException {
        Path target = dir.resolve("com/acme/Xor.java");

        assertTrue(writer.writeIfChanged(target, bytes("class Xor {}")));

        assertEquals("class Xor {}", Files.readString(target));
        assertEquals(List.of(target), filesUnder(dir));
    }

    @Test
    void leavesAFileWithTheSameBytesUntouched() throws IOException {
        Path target = dir.resolve("Xor.java");
        Files.writeString(target, "class Xor {}");
        Files.setLastModifiedTime(target, LONG_AGO);

        assertFalse(writer.writeIfChanged(target, bytes("class Xor {}")));

        assertEquals(LONG_AGO, Files.getLastModifiedTime(target));
    }

    @Test
    void replacesAFileWhoseBytesChanged() throws IOException {
        Path target = dir.resolve("Xor.java");
        Files.writeString(target, "class Xor {}");
        Files.setLastModifiedTime(target, LONG_AGO);

        assertTrue(writer.writeIfChanged(target, bytes("final class Xor {}")));

        assertEquals("final class Xor {}", Files.readString(target));
        assertTrue(Files.getLastModifiedTime(target).compareTo(LONG_AGO) > 0);
        assertEquals(List.of(target), filesUnder(dir));
    }

    @Test
    void givesWrittenFilesTheUsualPermissionsOfNewFiles() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path usual = Files.writeString(dir.resolve("Usual.java"), "class Usual {}");
        Path target = dir.resolve("Xor.java");

        OutputWriter.writeAtomically(target, bytes("class Xor {}"));

        assertEquals(Files.getPosixFilePermissions(usual), Files.getPosixFilePermissions(target));
    }

    @Test
    void leavesTheTargetAndNoTemporaryFileWhenTheMoveFails() throws IOException {
        Path target = dir.resolve("Xor.java");
        Files.createDirectories(target.resolve("occupied"));

        assertThrows(IOException.class, () -> OutputWriter.writeAtomically(target, bytes("class Xor {}")));

        assertTrue(Files.isDirectory(target.resolve("occupied")));
        assertEquals(List.of(target, target.resolve("occupied")), pathsUnder(dir));
    }

    @Test
    void escapesWhatTheProjectEncodingCannotHold() {
        String text = "/** Niño → 1 */";

        assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), writer.encode(text));
        assertEquals(
                "/** Niño \\u2192 1 */",
                new String(new OutputWriter(StandardCharsets.ISO_8859_1).encode(text), StandardCharsets.ISO_8859_1));
        assertEquals(
                "/** Ni\\u00f1o \\u2192 1 */",
                new String(OutputWriter.forProjectEncoding(null).encode(text), StandardCharsets.US_ASCII));
    }

    @Test
    void takesTheProjectEncodingByItsName() {
        assertEquals(
                StandardCharsets.ISO_8859_1,
                OutputWriter.forProjectEncoding("ISO-8859-1").charset());
        assertEquals(
                StandardCharsets.UTF_8, OutputWriter.forProjectEncoding("utf8").charset());
        assertEquals(
                StandardCharsets.US_ASCII, OutputWriter.forProjectEncoding(" ").charset());
    }

    @Test
    void deletesAFileAndTheFoldersItLeavesEmpty() throws IOException {
        Path xor = dir.resolve("com/acme/Xor.java");
        Path and = dir.resolve("com/And.java");
        Files.createDirectories(xor.getParent());
        Files.writeString(xor, "class Xor {}");
        Files.writeString(and, "class And {}");

        assertTrue(OutputWriter.deleteUnder(dir, "com/acme/Xor.java"));

        assertEquals(List.of(dir.resolve("com"), and), pathsUnder(dir));
        assertTrue(OutputWriter.deleteUnder(dir, "com/And.java"));
        assertEquals(List.of(), pathsUnder(dir));
        assertTrue(Files.isDirectory(dir));
        assertFalse(OutputWriter.deleteUnder(dir, "com/And.java"));
    }

    @Test
    void neverDeletesOutsideTheRoot() throws IOException {
        Path root = Files.createDirectories(dir.resolve("generated"));
        Path outside = Files.writeString(dir.resolve("Keep.java"), "class Keep {}");

        assertFalse(OutputWriter.deleteUnder(root, "../Keep.java"));
        assertFalse(OutputWriter.deleteUnder(root, "."));

        assertTrue(Files.exists(outside));
        assertTrue(Files.isDirectory(root));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<Path> filesUnder(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static List<Path> pathsUnder(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(path -> !path.equals(root)).sorted().toList();
        }
    }
}
