package dev.nnc.compiler.diagnostic;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders diagnostics as people and IDEs read them:
 *
 * <pre>
 * xor.nn:6:39: error: unknown activation 'sigmoud'
 *     hidden = dense(x, 4, activation = sigmoud);
 *                                       ^~~~~~~
 *   help: did you mean 'sigmoid'?
 * </pre>
 *
 * <p>The first line is the contract ({@code FILE:LINE:COLUMN: error: MESSAGE}); the excerpt keeps
 * the line's tabs so the caret lines up in any terminal, and very long lines are cut to a
 * window around the caret.
 */
public final class DiagnosticRenderer {
    /** At most this many errors are rendered; the rest are counted. */
    public static final int MAX_ERRORS = 20;

    private static final int WINDOW = 160;

    private final Map<String, SourceFile> files;

    public DiagnosticRenderer(Map<String, SourceFile> files) {
        this.files = Map.copyOf(files);
    }

    /** Renders every diagnostic in order, stopping after {@link #MAX_ERRORS} errors. */
    public String render(List<Diagnostic> diagnostics) {
        StringBuilder out = new StringBuilder();
        int errors = 0;
        int omitted = 0;
        for (Diagnostic diagnostic : diagnostics) {
            if (diagnostic.isError() && ++errors > MAX_ERRORS) {
                omitted++;
                continue;
            }
            if (errors > MAX_ERRORS) {
                continue;
            }
            out.append(render(diagnostic));
        }
        if (omitted > 0) {
            out.append(String.format(Locale.ROOT, "... and %d more error%s%n", omitted, omitted == 1 ? "" : "s"));
        }
        return out.toString();
    }

    /** One diagnostic: headline, excerpt with caret, help, then each note with its excerpt. */
    public String render(Diagnostic diagnostic) {
        StringBuilder out = new StringBuilder();
        out.append(diagnostic.headline()).append('\n');
        appendExcerpt(out, diagnostic.span());
        diagnostic.help().ifPresent(help -> out.append("  help: ").append(help).append('\n'));
        for (Diagnostic.Note note : diagnostic.notes()) {
            out.append(note.span()).append(": note: ").append(note.message()).append('\n');
            appendExcerpt(out, note.span());
        }
        return out.toString();
    }

    private void appendExcerpt(StringBuilder out, SourceSpan span) {
        SourceFile file = files.get(span.file());
        if (file == null || span.line() > file.lineCount()) {
            return;
        }
        int[] line = file.line(span.line()).codePoints().toArray();
        int caret = Math.min(span.column() - 1, line.length);
        int width = span.endLine() == span.line() ? Math.max(1, span.endColumn() - span.column()) : 1;
        int from = 0;
        int to = line.length;
        if (line.length > WINDOW) {
            from = Math.max(0, Math.min(caret - WINDOW / 2, line.length - WINDOW));
            to = Math.min(line.length, from + WINDOW);
        }
        StringBuilder text = new StringBuilder("    ");
        StringBuilder marks = new StringBuilder("    ");
        if (from > 0) {
            text.append("...");
            marks.append("   ");
        }
        for (int i = from; i < to; i++) {
            int c = line[i];
            text.appendCodePoint(isPrintable(c) ? c : '?');
            if (i < caret) {
                marks.append(c == '\t' ? '\t' : ' ');
            }
        }
        if (to < line.length) {
            text.append("...");
        }
        marks.append('^');
        int tildes = Math.min(width, to - caret) - 1;
        marks.append("~".repeat(Math.max(0, tildes)));
        out.append(stripTrailing(text)).append('\n').append(marks).append('\n');
    }

    private static boolean isPrintable(int c) {
        return c == '\t' || (!Character.isISOControl(c) && Character.getType(c) != Character.FORMAT);
    }

    private static String stripTrailing(StringBuilder text) {
        return text.toString().stripTrailing();
    }
}
