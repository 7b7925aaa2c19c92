package dev.nnc.compiler.cli;

import dev.nnc.compiler.SourceInput;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads the {@code .nn} files named on the command line, naming any that cannot be read. */
final class SourceFiles {
    private SourceFiles() {}

    /** The files as compiler inputs, named as the user wrote them; a usage error lists the unreadable ones. */
    static List<SourceInput> read(List<String> paths, Optional<String> defaultPackage) throws UsageException {
        List<SourceInput> inputs = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String path : paths) {
            try {
                Path file = Path.of(path);
                if (Files.isDirectory(file)) {
                    problems.add("cannot read '" + path + "': it is a directory");
                    continue;
                }
                inputs.add(new SourceInput(path, Files.readAllBytes(file), defaultPackage));
            } catch (NoSuchFileException e) {
                problems.add("cannot read '" + path + "': no such file");
            } catch (AccessDeniedException e) {
                problems.add("cannot read '" + path + "': permission denied");
            } catch (IOException | InvalidPathException e) {
                problems.add("cannot read '" + path + "': " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new UsageException(String.join(System.lineSeparator(), problems));
        }
        return inputs;
    }
}
