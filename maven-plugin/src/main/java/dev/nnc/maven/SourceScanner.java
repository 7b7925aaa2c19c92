package dev.nnc.maven;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.codehaus.plexus.util.Scanner;
import org.sonatype.plexus.build.incremental.BuildContext;

/**
 * Finds the specifications under a source root: files matching an include pattern and no
 * exclude pattern (Ant syntax, as in every Maven plugin), sorted by path so that a build never
 * depends on the order the file system lists them in.
 *
 * <p>Scanning goes through the {@link BuildContext} so that Eclipse can answer from its
 * workspace; on the command line that is a plain directory scan.
 */
final class SourceScanner {
    /** Used when the configuration names no include pattern. */
    static final String DEFAULT_INCLUDE = "**/*.nn";

    private final BuildContext buildContext;
    private final Path basedir;

    SourceScanner(BuildContext buildContext, Path basedir) {
        this.buildContext = buildContext;
        this.basedir = basedir.toAbsolutePath().normalize();
    }

    /** The matching files under {@code root}; empty when {@code root} is missing or holds none. */
    List<SpecSource> scan(Path root, List<String> includes, List<String> excludes) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        Scanner scanner = buildContext.newScanner(root.toFile(), true);
        scanner.setIncludes(includes.isEmpty() ? new String[] {DEFAULT_INCLUDE} : includes.toArray(String[]::new));
        scanner.setExcludes(excludes.toArray(String[]::new));
        scanner.addDefaultExcludes();
        scanner.scan();
        return Arrays.stream(scanner.getIncludedFiles())
                .map(path -> path.replace(File.separatorChar, '/'))
                .sorted(Comparator.naturalOrder())
                .map(relative -> {
                    Path file = root.resolve(relative);
                    return new SpecSource(file, relative, displayName(file));
                })
                .toList();
    }

    /** {@code file} relative to the project base directory, or absolute when it lies outside. */
    String displayName(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return absolute.startsWith(basedir)
                ? basedir.relativize(absolute).toString().replace(File.separatorChar, '/')
                : absolute.toString();
    }
}
