package dev.nnc.compiler.codegen;

/**
 * User text (doc comments, file names, source excerpts) on its way into a generated comment.
 * javac reads Unicode escapes before it finds comments, and a comment ends at a line end or
 * {@code *}{@code /}, so text copied verbatim could end the comment early and become code, or
 * be an illegal escape ({@code C:\}{@code users}). After these rules the text can do neither,
 * and the generated file is ASCII whatever javac's source encoding:
 *
 * <ul>
 *   <li>a backslash becomes the escape {@code \}{@code u005c}, which javac reads as a backslash
 *       that starts no further escape;
 *   <li>a control or separator character (a line end included) becomes visible text: a
 *       backslash escape followed by {@code uXXXX}, which javac shows as {@code \}{@code uXXXX};
 *   <li>any other non-ASCII character becomes its Unicode escape, which javac reads back as
 *       the character (it can never be a {@code *}, a {@code /} or a line end);
 *   <li>in Javadoc, {@code *}{@code /} becomes {@code *&#47;}, which renders as written.
 * </ul>
 */
final class Comments {
    private Comments() {}

    /** {@code text} for a {@code //} comment: one line, nothing javac reads as code. */
    static String line(String text) {
        return escape(text, false);
    }

    /** {@code text} for Javadoc: line ends kept as lines, {@code *}{@code /} never closing it. */
    static String javadoc(String text) {
        return escape(text, true).replace("*/", "*&#47;");
    }

    private static String escape(String text, boolean keepLineEnds) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                out.append("\\u005c");
            } else if (c == '\n' && keepLineEnds) {
                out.append(c);
            } else if (isInvisible(c)) {
                out.append("\\u005c").append(String.format("u%04x", (int) c));
            } else if (c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isInvisible(char c) {
        if (c == '\t') {
            return false;
        }
        if (Character.isISOControl(c)) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.FORMAT
                || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE;
    }
}
