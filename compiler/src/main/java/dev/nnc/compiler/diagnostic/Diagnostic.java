package dev.nnc.compiler.diagnostic;

import java.util.List;
import java.util.Optional;

/**
 * One problem found in a specification: where, how bad, what, and optionally how to fix it
 * ({@code help}) and other places that explain it ({@code notes}, e.g. "first defined here").
 */
public record Diagnostic(
        DiagnosticCode code,
        Severity severity,
        SourceSpan span,
        String message,
        Optional<String> help,
        List<Note> notes) {

    /** A secondary place that explains the diagnostic. */
    public record Note(SourceSpan span, String message) {}

    public Diagnostic {
        notes = List.copyOf(notes);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** The one-line form of the contract: {@code FILE:LINE:COLUMN: error: MESSAGE}. */
    public String headline() {
        return span.file() + ":" + span.line() + ":" + span.column() + ": " + severity.label() + ": " + message;
    }
}
