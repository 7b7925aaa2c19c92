package dev.nnc.compiler;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * Writes generated files so that javac and IDEs see each file either old or new, never half
 * written, and so that a file whose bytes did not change keeps its timestamp (javac's staleness
 * check and Eclipse's builder then leave it alone). The command line and the Maven plugin both
 * write through here.
 */
public final class OutputFiles {
    private OutputFiles() {}

    /**
     * Writes {@code bytes} to {@code target} unless it already holds exactly them.
     *
     * @return whether the file was written
     */
    public static boolean writeIfChanged(Path target, byte[] bytes) throws IOException {
        if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
            return false;
        }
        writeAtomically(target, bytes);
        return true;
    }

    /**
     * Writes {@code bytes} to a temporary file beside {@code target}, then moves it over {@code
     * target} in one step. On failure {@code target} is as it was and no temporary file is left.
     *
     * <p>The temporary file is named after the process and thread rather than made by {@link
     * Files#createTempFile}, which would give it (and so the generated file) owner-only
     * permissions; this way it gets the usual permissions of new files.
     */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path directory = target.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = directory.resolve(String.format(
                Locale.ROOT,
                ".%s.%d-%d.tmp",
                target.getFileName(),
                ProcessHandle.current().pid(),
                Thread.currentThread().getId()));
        try {
            Files.write(temporary, bytes);
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
