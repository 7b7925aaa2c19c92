package dev.nnc.maven;

import dev.nnc.compiler.OutputFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        return OutputFiles.writeIfChanged(target, bytes);
    }

    /** Writes {@code bytes} to {@code target} in one step; see {@link OutputFiles#writeAtomically}. */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        OutputFiles.writeAtomically(target, bytes);
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
