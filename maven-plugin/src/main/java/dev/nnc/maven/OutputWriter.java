package dev.nnc.maven;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * Writes generated Java files so that javac and IDEs see each file either old or new, never
 * half written, and so that a file whose bytes did not change keeps its timestamp (javac's
 * staleness check and Eclipse's builder then leave it alone).
 *
 * <p>Files are written in the encoding javac reads them in, the project's {@code
 * project.build.sourceEncoding}. A character that encoding cannot hold becomes a Java unicode
 * escape (<code>&#92;u00f1</code>), which javac reads the same way in every part of a source file; with no
 * project encoding the output is plain ASCII, readable whatever javac assumes.
 */
final class OutputWriter {
    private final Charset charset;

    OutputWriter(Charset charset) {
        this.charset = charset;
    }

    /** The encoding generated files are written in. */
    Charset charset() {
        return charset;
    }

    /** {@code text} in this writer's encoding, with unicode escapes for what it cannot hold. */
    byte[] encode(String text) {
        CharsetEncoder encoder = charset.newEncoder();
        if (encoder.canEncode(text)) {
            return text.getBytes(charset);
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (encoder.canEncode(c)) {
                escaped.append(c);
            } else {
                escaped.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        ByteBuffer bytes = charset.encode(CharBuffer.wrap(escaped));
        return Arrays.copyOf(bytes.array(), bytes.limit());
    }

    /**
     * Writes {@code bytes} to {@code target} unless it already holds exactly them.
     *
     * @return whether the file was written
     */
    boolean writeIfChanged(Path target, byte[] bytes) throws IOException {
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
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
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

    /**
     * Deletes {@code relativePath} under {@code root}, then each folder it leaves empty up to (not
     * including) {@code root}. A path that would lead outside {@code root} is left alone.
     *
     * @return whether a file was deleted
     */
    static boolean deleteUnder(Path root, String relativePath) throws IOException {
        Path base = root.toAbsolutePath().normalize();
        Path file = base.resolve(relativePath).normalize();
        if (!file.startsWith(base) || file.equals(base)) {
            return false;
        }
        boolean deleted = Files.deleteIfExists(file);
        for (Path folder = file.getParent(); !folder.equals(base); folder = folder.getParent()) {
            try {
                if (!Files.deleteIfExists(folder)) {
                    break;
                }
            } catch (DirectoryNotEmptyException e) {
                break;
            }
        }
        return deleted;
    }

    /** The writer for a project whose {@code project.build.sourceEncoding} is {@code encoding}. */
    static OutputWriter forProjectEncoding(String encoding) {
        return new OutputWriter(
                encoding == null || encoding.isBlank() ? StandardCharsets.US_ASCII : Charset.forName(encoding.strip()));
    }
}
