package dev.nnc.compiler.diagnostic;

/**
 * A range of source text: 1-based line and column of its first character, the line and column
 * just past its last character, and the code-point offsets {@code [start, end)} into the text.
 * Columns count code points.
 */
public record SourceSpan(String file, int line, int column, int endLine, int endColumn, int start, int end) {

    public SourceSpan {
        if (line < 1 || column < 1 || end < start) {
            throw new InternalCompilerError("malformed span " + line + ":" + column + " [" + start + ", " + end + ")");
        }
    }

    /** A span of {@code length} characters on one line. */
    public static SourceSpan of(String file, int line, int column, int start, int length) {
        return new SourceSpan(file, line, column, line, column + length, start, start + length);
    }

    /** The smallest span that covers both {@code this} and {@code other}. */
    public SourceSpan to(SourceSpan other) {
        SourceSpan first = start <= other.start ? this : other;
        SourceSpan last = end >= other.end ? this : other;
        return new SourceSpan(file, first.line, first.column, last.endLine, last.endColumn, first.start, last.end);
    }

    /** Whether the span starts before {@code other} in reading order. */
    public boolean isBefore(SourceSpan other) {
        return line != other.line ? line < other.line : column < other.column;
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
