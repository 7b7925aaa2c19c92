package dev.nnc.compiler.frontend;

import dev.nnc.compiler.diagnostic.SourceSpan;
import dev.nnc.grammar.NnLexer;
import java.util.Locale;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.Vocabulary;

/** Spans of tokens and the words diagnostics use for them ("name 'x'", "';'", "end of file"). */
final class Tokens {
    private Tokens() {}

    static SourceSpan span(String file, Token token) {
        int length = token.getType() == Token.EOF ? 1 : Math.max(1, codePoints(token.getText()));
        int start = Math.max(0, token.getStartIndex());
        return SourceSpan.of(file, token.getLine(), token.getCharPositionInLine() + 1, start, length);
    }

    /** The span from the first character of {@code first} to the last of {@code last}. */
    static SourceSpan span(String file, Token first, Token last) {
        return span(file, first).to(span(file, last));
    }

    /** The empty place just after {@code token}, where a missing ';' belongs. */
    static SourceSpan after(String file, Token token) {
        SourceSpan span = span(file, token);
        return SourceSpan.of(file, span.endLine(), span.endColumn(), span.end(), 1);
    }

    static String describe(Token token) {
        return switch (token.getType()) {
            case Token.EOF -> "end of file";
            case NnLexer.ID -> "name '" + token.getText() + "'";
            case NnLexer.NUMBER -> "number " + token.getText();
            case NnLexer.BAD_CHARACTER ->
                "character " + codePointName(token.getText().codePointAt(0));
            default -> isKeyword(token.getType()) ? "keyword '" + token.getText() + "'" : "'" + token.getText() + "'";
        };
    }

    /** How the grammar's token type reads in "expected ..." messages. */
    static String describeType(int type, Vocabulary vocabulary) {
        return switch (type) {
            case Token.EOF -> "end of file";
            case NnLexer.ID -> "a name";
            case NnLexer.NUMBER -> "a number";
            default -> {
                String literal = vocabulary.getLiteralName(type);
                yield literal != null ? literal : vocabulary.getDisplayName(type);
            }
        };
    }

    static boolean isKeyword(int type) {
        return type >= NnLexer.PACKAGE && type <= NnLexer.RETURN;
    }

    static String codePointName(int codePoint) {
        String hex = String.format(Locale.ROOT, "U+%04X", codePoint);
        if (Character.isISOControl(codePoint)
                || Character.getType(codePoint) == Character.FORMAT
                || Character.isWhitespace(codePoint)) {
            return hex;
        }
        return "'" + new String(Character.toChars(codePoint)) + "' (" + hex + ")";
    }

    static int codePoints(String text) {
        return text.codePointCount(0, text.length());
    }
}
