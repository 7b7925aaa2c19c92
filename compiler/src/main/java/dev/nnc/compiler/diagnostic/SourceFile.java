package dev.nnc.compiler.diagnostic;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The text of one {@code .nn} file after decoding, with the lines indexed for diagnostics.
 *
 * <p>The text is held as the compiler sees it: a leading byte-order mark removed and every line
 * end ({@code \r\n}, lone {@code \r}) turned into {@code \n}. Columns everywhere in nnc count
 * code points, as ANTLR does, so that a caret lands under the right character on any line.
 */
public final class SourceFile {
    private final String name;
    private final String text;
    private final List<String> lines;

    private SourceFile(String name, String text) {
        this.name = Objects.requireNonNull(name, "name");
        this.text = text;
        this.lines = splitLines(text);
    }

    /** A source file from already decoded text; line ends and a leading BOM are normalised. */
    public static SourceFile of(String name, String text) {
        String normalised = text.startsWith("\uFEFF") ? text.substring(1) : text;
        normalised = normalised.replace("\r\n", "\n").replace('\r', '\n');
        return new SourceFile(name, normalised);
    }

    /** The name diagnostics show: the path as the user gave it, or relative to a source root. */
    public String name() {
        return name;
    }

    /** The file name without folders, as generated code mentions it ({@code xor.nn}). */
    public String fileName() {
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        return name.substring(slash + 1);
    }

    public String text() {
        return text;
    }

    /** Number of lines; a final line without a line end counts. */
    public int lineCount() {
        return lines.size();
    }

    /** Line {@code number} (1-based) without its line end, or "" past the end. */
    public String line(int number) {
        return number >= 1 && number <= lines.size() ? lines.get(number - 1) : "";
    }

    /** The source text a span covers, for comments in generated code and for messages. */
    public String text(SourceSpan span) {
        int from = text.offsetByCodePoints(0, Math.min(span.start(), codePointCount()));
        int to = text.offsetByCodePoints(0, Math.min(span.end(), codePointCount()));
        return text.substring(from, Math.max(from, to));
    }

    private int codePointCount() {
        return text.codePointCount(0, text.length());
    }

    private static List<String> splitLines(String text) {
        List<String> result = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                result.add(text.substring(start, i));
                start = i + 1;
            }
        }
        result.add(text.substring(start));
        return List.copyOf(result);
    }

    @Override
    public String toString() {
        return name;
    }
}
