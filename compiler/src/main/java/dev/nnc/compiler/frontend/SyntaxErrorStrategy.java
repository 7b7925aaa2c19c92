package dev.nnc.compiler.frontend;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.grammar.NnLexer;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * ANTLR's recovery (single-token insertion and deletion, resynchronisation) with messages a
 * person can act on: "expected ';', found name 'hidden'" instead of "mismatched input 'hidden'
 * expecting ';'". Messages go to the diagnostics collector, never to the console. After
 * {@link #MAX_SYNTAX_ERRORS} errors the parse is cancelled: a binary file would otherwise
 * produce one error per byte.
 */
final class SyntaxErrorStrategy extends DefaultErrorStrategy {
    static final int MAX_SYNTAX_ERRORS = 20;

    private final String file;
    private final Diagnostics diagnostics;
    private int reported;

    SyntaxErrorStrategy(String file, Diagnostics diagnostics) {
        this.file = file;
        this.diagnostics = diagnostics;
    }

    int reported() {
        return reported;
    }

    @Override
    protected void reportNoViableAlternative(Parser recognizer, NoViableAltException e) {
        Token found = e.getOffendingToken();
        report(found, expected(recognizer, e.getExpectedTokens()), found);
    }

    @Override
    protected void reportInputMismatch(Parser recognizer, InputMismatchException e) {
        Token found = e.getOffendingToken();
        report(found, expected(recognizer, e.getExpectedTokens()), found);
    }

    @Override
    protected void reportFailedPredicate(Parser recognizer, org.antlr.v4.runtime.FailedPredicateException e) {
        Token found = e.getOffendingToken();
        report(found, "something else", found);
    }

    @Override
    protected void reportUnwantedToken(Parser recognizer) {
        if (inErrorRecoveryMode(recognizer)) {
            return;
        }
        beginErrorCondition(recognizer);
        Token found = recognizer.getCurrentToken();
        count();
        diagnostics.report(
                DiagnosticCode.SYNTAX_EXTRA,
                Tokens.span(file, found),
                Tokens.describe(found),
                expected(recognizer, getExpectedTokens(recognizer)));
    }

    @Override
    protected void reportMissingToken(Parser recognizer) {
        if (inErrorRecoveryMode(recognizer)) {
            return;
        }
        beginErrorCondition(recognizer);
        Token found = recognizer.getCurrentToken();
        Token previous = recognizer.getInputStream().LT(-1);
        String missing = expected(recognizer, getExpectedTokens(recognizer));
        count();
        // A missing ';' belongs right after the previous token, usually at the end of a line,
        // not at the start of the next statement.
        diagnostics.report(
                DiagnosticCode.SYNTAX_MISSING,
                previous != null ? Tokens.after(file, previous) : Tokens.span(file, found),
                missing,
                Tokens.describe(found));
    }

    @Override
    public void reportError(Parser recognizer, RecognitionException e) {
        if (inErrorRecoveryMode(recognizer)) {
            return;
        }
        beginErrorCondition(recognizer);
        if (e instanceof NoViableAltException noViable) {
            reportNoViableAlternative(recognizer, noViable);
        } else if (e instanceof InputMismatchException mismatch) {
            reportInputMismatch(recognizer, mismatch);
        } else {
            Token found = e.getOffendingToken();
            report(found, "something else", found);
        }
    }

    private void report(Token at, String expected, Token found) {
        count();
        diagnostics.report(DiagnosticCode.SYNTAX_UNEXPECTED, Tokens.span(file, at), expected, Tokens.describe(found));
    }

    private void count() {
        reported++;
        if (reported >= MAX_SYNTAX_ERRORS) {
            throw new ParseCancellationException("too many syntax errors");
        }
    }

    /** "';'", "a name or '}'", or "an expression" when every expression start is allowed. */
    private static String expected(Parser recognizer, IntervalSet expected) {
        if (expected == null || expected.isNil()) {
            return "something else";
        }
        if (expected.contains(NnLexer.ID)
                && expected.contains(NnLexer.NUMBER)
                && expected.contains(NnLexer.LPAREN)
                && expected.contains(NnLexer.MINUS)) {
            return "an expression";
        }
        if (expected.contains(NnLexer.INPUT) && expected.contains(NnLexer.OUTPUT)) {
            return expected.contains(NnLexer.RBRACE) ? "a statement or '}'" : "a statement";
        }
        if (expected.contains(NnLexer.NETWORK) && expected.contains(NnLexer.FUNCTION)) {
            return "'network' or 'function'";
        }
        List<String> words = new ArrayList<>();
        for (int type : expected.toArray()) {
            words.add(Tokens.describeType(type, recognizer.getVocabulary()));
        }
        if (words.size() == 1) {
            return words.get(0);
        }
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }
}
