package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.SourceFile;
import java.util.List;

/** One checked file: its source, the Java package of its classes, and its declarations. */
public record CheckedUnit(SourceFile source, String packageName, List<Declaration> declarations) {
    public CheckedUnit {
        declarations = List.copyOf(declarations);
    }
}
