package dev.nnc.compiler.diagnostic;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The collector every stage reports into. Stages never print; they add diagnostics here and
 * code generation runs only when no error was collected.
 */
public final class Diagnostics {
    private final List<Diagnostic> all = new ArrayList<>();

    /** Reports an error or warning (the code decides which) with no help or notes. */
    public Diagnostic report(DiagnosticCode code, SourceSpan span, Object... args) {
        return add(new Diagnostic(code, code.severity(), span, code.format(args), Optional.empty(), List.of()));
    }

    /** Reports with a help line ("did you mean 'sigmoid'?"). */
    public Diagnostic reportWithHelp(DiagnosticCode code, SourceSpan span, String help, Object... args) {
        return add(
                new Diagnostic(code, code.severity(), span, code.format(args), Optional.ofNullable(help), List.of()));
    }

    /** Reports with a note pointing at a second place ("first defined here"). */
    public Diagnostic reportWithNote(
            DiagnosticCode code, SourceSpan span, SourceSpan noteSpan, String note, Object... args) {
        return add(new Diagnostic(
                code,
                code.severity(),
                span,
                code.format(args),
                Optional.empty(),
                List.of(new Diagnostic.Note(noteSpan, note))));
    }

    public Diagnostic add(Diagnostic diagnostic) {
        all.add(diagnostic);
        return diagnostic;
    }

    public void addAll(List<Diagnostic> diagnostics) {
        all.addAll(diagnostics);
    }

    public boolean hasErrors() {
        return all.stream().anyMatch(Diagnostic::isError);
    }

    public int errorCount() {
        return (int) all.stream().filter(Diagnostic::isError).count();
    }

    /** Everything reported so far, sorted by file and position (stable for equal positions). */
    public List<Diagnostic> sorted() {
        List<Diagnostic> copy = new ArrayList<>(all);
        copy.sort(Comparator.comparing((Diagnostic d) -> d.span().file())
                .thenComparingInt(d -> d.span().line())
                .thenComparingInt(d -> d.span().column()));
        return List.copyOf(copy);
    }
}
