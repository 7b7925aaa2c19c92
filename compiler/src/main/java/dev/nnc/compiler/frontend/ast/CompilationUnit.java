package dev.nnc.compiler.frontend.ast;

import dev.nnc.compiler.diagnostic.SourceFile;
import dev.nnc.compiler.diagnostic.SourceSpan;
import java.util.List;
import java.util.Optional;

/** One parsed {@code .nn} file: its optional {@code package} line and its declarations. */
public record CompilationUnit(
        SourceFile source,
        Optional<String> packageName,
        Optional<SourceSpan> packageSpan,
        List<Declaration> declarations) {
    public CompilationUnit {
        declarations = List.copyOf(declarations);
    }
}
