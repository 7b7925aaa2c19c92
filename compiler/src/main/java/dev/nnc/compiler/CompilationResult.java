package dev.nnc.compiler;

import dev.nnc.compiler.diagnostic.Diagnostic;
import java.util.List;

/**
 * What one compilation produced: generated files (none when there are errors), every
 * diagnostic sorted by position, and the same diagnostics rendered for a terminal (excerpts and
 * carets included, at most {@link dev.nnc.compiler.diagnostic.DiagnosticRenderer#MAX_ERRORS}
 * errors).
 */
public record CompilationResult(List<GeneratedFile> files, List<Diagnostic> diagnostics, String rendered) {
    public CompilationResult {
        files = List.copyOf(files);
        diagnostics = List.copyOf(diagnostics);
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }
}
