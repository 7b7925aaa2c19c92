package dev.nnc.maven;

import dev.nnc.compiler.GeneratedFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.sonatype.plexus.build.incremental.BuildContext;

/**
 * The output directory of one goal: generated files go in, files of deleted specs come out, and
 * the IDE hears of every change. An I/O failure names the file and ends the build.
 */
final class OutputRoot {
    private final Path root;
    private final BuildContext buildContext;

    OutputRoot(Path root, BuildContext buildContext) {
        this.root = root;
        this.buildContext = buildContext;
    }

    /**
     * What {@link #write} did.
     *
     * @param hashes the SHA-256 of every file, by path under the root
     * @param written how many files had new bytes and were written
     */
    record Written(Map<String, String> hashes, int written) {}

    /** Writes each file whose bytes changed; leaves the others, and their timestamps, alone. */
    Written write(List<GeneratedFile> files, OutputWriter writer) throws MojoExecutionException {
        Map<String, String> hashes = new LinkedHashMap<>();
        int written = 0;
        for (GeneratedFile file : files) {
            Path target = root.resolve(file.relativePath());
            byte[] bytes = writer.encode(file.content());
            try {
                if (writer.writeIfChanged(target, bytes)) {
                    written++;
                    buildContext.refresh(target.toFile());
                }
            } catch (IOException e) {
                throw new MojoExecutionException("nnc: cannot write " + target + ": " + e, e);
            }
            hashes.put(file.relativePath(), IncrementalState.sha256(bytes));
        }
        return new Written(hashes, written);
    }

    /**
     * Deletes the files at {@code relativePaths}, with the folders they leave empty.
     *
     * @return how many files were there to delete
     */
    int remove(Iterable<String> relativePaths) throws MojoExecutionException {
        int removed = 0;
        for (String relativePath : relativePaths) {
            Path file = root.resolve(relativePath);
            try {
                if (OutputWriter.deleteUnder(root, relativePath)) {
                    removed++;
                    buildContext.refresh(file.toFile());
                }
            } catch (IOException e) {
                throw new MojoExecutionException("nnc: cannot delete " + file + ": " + e, e);
            }
        }
        return removed;
    }
}
