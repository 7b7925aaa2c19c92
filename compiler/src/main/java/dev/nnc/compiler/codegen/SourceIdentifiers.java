package dev.nnc.compiler.codegen;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The identifiers of a generated Java source that a variable could shadow or obscure: every
 * word javac reads as a simple name, keyword or a qualified name's first segment, and none of
 * the words in its comments, string or character literals and numbers. A word right after a
 * single {@code .} is left out: a member selection ({@code Math.max}, {@code xs.length},
 * {@code java.util.Arrays}) is resolved in its qualifier, so no variable can hide it.
 * {@link JavaNames} learns the generator's vocabulary from it. Generated source is ASCII (see
 * {@link Comments}), so no Unicode escape can hide a word from it.
 */
final class SourceIdentifiers {
    private SourceIdentifiers() {}

    static Set<String> of(String source) {
        Set<String> identifiers = new LinkedHashSet<>();
        int i = 0;
        int length = source.length();
        while (i < length) {
            char c = source.charAt(i);
            if (source.startsWith("//", i)) {
                i = endOfLine(source, i);
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? length : end + 2;
            } else if (c == '"' || c == '\'') {
                i = endOfLiteral(source, i, c);
            } else if (Character.isJavaIdentifierStart(c)) {
                int start = i;
                while (i < length && Character.isJavaIdentifierPart(source.charAt(i))) {
                    i++;
                }
                if (!isSelected(source, start)) {
                    identifiers.add(source.substring(start, i));
                }
            } else if (Character.isDigit(c)) {
                // A number, with its suffix, exponent or hex digits (1.0E-8f, 0x1p-900).
                while (i < length
                        && (Character.isLetterOrDigit(source.charAt(i))
                                || source.charAt(i) == '.'
                                || source.charAt(i) == '_')) {
                    i++;
                }
            } else {
                i++;
            }
        }
        return identifiers;
    }

    /** Whether the word at {@code start} follows one dot (not the {@code ...} of varargs). */
    private static boolean isSelected(String source, int start) {
        int i = start - 1;
        while (i >= 0 && Character.isWhitespace(source.charAt(i))) {
            i--;
        }
        return i >= 0 && source.charAt(i) == '.' && (i == 0 || source.charAt(i - 1) != '.');
    }

    private static int endOfLine(String source, int from) {
        int end = source.indexOf('\n', from);
        return end < 0 ? source.length() : end + 1;
    }

    private static int endOfLiteral(String source, int from, char quote) {
        int i = from + 1;
        while (i < source.length() && source.charAt(i) != quote) {
            i += source.charAt(i) == '\\' ? 2 : 1;
        }
        return i + 1;
    }
}
