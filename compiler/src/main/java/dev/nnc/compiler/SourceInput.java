package dev.nnc.compiler;

import java.util.Objects;
import java.util.Optional;

/**
 * One {@code .nn} file to compile: the name diagnostics show (a path relative to the source
 * root or as given on the command line), its raw bytes (decoded as strict UTF-8 by the
 * compiler), and the Java package for its classes when the file has no {@code package} line
 * (the Maven plugin derives it from the file's folder).
 */
public record SourceInput(String name, byte[] content, Optional<String> defaultPackage) {
    public SourceInput {
        Objects.requireNonNull(name, "name");
        content = content.clone();
        Objects.requireNonNull(defaultPackage, "defaultPackage");
    }

    @Override
    public byte[] content() {
        return content.clone();
    }
}
