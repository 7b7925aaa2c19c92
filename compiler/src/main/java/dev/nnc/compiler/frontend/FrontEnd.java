package dev.nnc.compiler.frontend;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.diagnostic.SourceFile;
import dev.nnc.compiler.diagnostic.SourceSpan;
import dev.nnc.compiler.frontend.ast.CompilationUnit;
import dev.nnc.grammar.NnLexer;
import dev.nnc.grammar.NnParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.BufferedTokenStream;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ListTokenSource;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * The front end's one entry point: bytes of a {@code .nn} file to an AST, or diagnostics.
 *
 * <p>Stages: strict UTF-8 decoding; lexing, where bad characters, bidirectional controls, an
 * unterminated comment and excessive nesting are reported by us rather than by ANTLR; parsing
 * with {@link SyntaxErrorStrategy}; and only when all of that was clean, the AST. A tree
 * recovered from syntax errors holds holes that later stages would trip over, so it is never
 * built.
 */
public final class FrontEnd {
    /** Deepest nesting of brackets that the parser is asked to handle. */
    public static final int MAX_NESTING = 256;

    private FrontEnd() {}

    /** Decodes and parses; the returned {@link SourceFile} is empty when decoding failed. */
    public static Result parse(String fileName, byte[] bytes, Diagnostics diagnostics) {
        Optional<String> text = SourceDecoder.decode(fileName, bytes, diagnostics);
        if (text.isEmpty()) {
            return new Result(Optional.empty(), Optional.empty());
        }
        SourceFile source = SourceFile.of(fileName, text.get());
        return new Result(Optional.of(source), parse(source, diagnostics));
    }

    /** The decoded file (for rendering excerpts) and its AST when it parsed cleanly. */
    public record Result(Optional<SourceFile> source, Optional<CompilationUnit> unit) {}

    /** Parses already decoded text. */
    public static Optional<CompilationUnit> parse(SourceFile source, Diagnostics diagnostics) {
        String file = source.name();
        NnLexer lexer = new NnLexer(CharStreams.fromString(source.text(), file));
        lexer.removeErrorListeners();
        List<Token> all = new ArrayList<>();
        for (Token token = lexer.nextToken(); ; token = lexer.nextToken()) {
            all.add(token);
            if (token.getType() == Token.EOF) {
                break;
            }
        }
        int lexicalErrors = diagnostics.errorCount();
        List<Token> tokens = checkTokens(file, all, diagnostics);
        lexicalErrors = diagnostics.errorCount() - lexicalErrors;
        if (tokens.isEmpty()) {
            return Optional.empty();
        }
        if (tokens.stream().allMatch(t -> t.getType() == Token.EOF || t.getChannel() != Token.DEFAULT_CHANNEL)) {
            if (lexicalErrors == 0) {
                diagnostics.report(DiagnosticCode.SYNTAX_EMPTY_FILE, SourceSpan.of(file, 1, 1, 0, 1));
            }
            return Optional.empty();
        }

        CommonTokenStream stream = new CommonTokenStream(new ListTokenSource(tokens, file));
        NnParser parser = new NnParser(stream);
        parser.removeErrorListeners();
        SyntaxErrorStrategy strategy = new SyntaxErrorStrategy(file, diagnostics);
        parser.setErrorHandler(strategy);
        // SLL prediction is exact for this grammar's decisions and much faster on long inputs.
        parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
        NnParser.FileContext tree;
        try {
            tree = parser.file();
        } catch (ParseCancellationException e) {
            Token at = parser.getCurrentToken();
            diagnostics.report(DiagnosticCode.SYNTAX_TOO_MANY_ERRORS, Tokens.span(file, at));
            return Optional.empty();
        }
        if (strategy.reported() > 0 || lexicalErrors > 0) {
            return Optional.empty();
        }
        return Optional.of(new AstBuilder(source, stream).build(tree));
    }

    /**
     * Reports what the lexer let through but a person must fix, and returns the tokens that the
     * parser should see (bad characters removed, so that parsing can still find later errors),
     * or an empty list when the input must not be parsed at all.
     */
    private static List<Token> checkTokens(String file, List<Token> all, Diagnostics diagnostics) {
        List<Token> kept = new ArrayList<>(all.size());
        int depth = 0;
        int badCharacters = 0;
        boolean parse = true;
        for (Token token : all) {
            switch (token.getType()) {
                case NnLexer.BAD_CHARACTER -> {
                    int codePoint = token.getText().codePointAt(0);
                    DiagnosticCode code = isBidiControl(codePoint)
                            ? DiagnosticCode.SYNTAX_BIDI_CONTROL
                            : DiagnosticCode.SYNTAX_BAD_CHARACTER;
                    // A binary file has a bad character in every other byte: name the first
                    // ones, then say once that there are more, rather than one error per byte.
                    badCharacters++;
                    if (badCharacters <= SyntaxErrorStrategy.MAX_SYNTAX_ERRORS) {
                        diagnostics.reportWithHelp(
                                code,
                                Tokens.span(file, token),
                                Character.isLetter(codePoint)
                                        ? "names are ASCII: letters A-Z and a-z, digits and '_'"
                                        : null,
                                Tokens.codePointName(codePoint));
                    } else if (badCharacters == SyntaxErrorStrategy.MAX_SYNTAX_ERRORS + 1) {
                        diagnostics.reportWithHelp(
                                DiagnosticCode.SYNTAX_TOO_MANY_ERRORS,
                                Tokens.span(file, token),
                                "is this a .nn file? it should be UTF-8 text");
                    }
                    continue;
                }
                case NnLexer.NON_ASCII_NAME -> {
                    diagnostics.reportWithHelp(
                            DiagnosticCode.SYNTAX_NON_ASCII_NAME,
                            Tokens.span(file, token),
                            "names are ASCII: letters A-Z and a-z, digits and '_'",
                            token.getText());
                    // Parse it as the name it was meant to be, so that no syntax error follows.
                    CommonToken name = new CommonToken(token);
                    name.setType(NnLexer.ID);
                    kept.add(name);
                    continue;
                }
                case NnLexer.UNTERMINATED_BLOCK_COMMENT -> {
                    Token opener = token;
                    diagnostics.reportWithHelp(
                            DiagnosticCode.SYNTAX_UNTERMINATED_COMMENT,
                            SourceSpan.of(
                                    file,
                                    opener.getLine(),
                                    opener.getCharPositionInLine() + 1,
                                    opener.getStartIndex(),
                                    2),
                            "close it with '*/'");
                    continue;
                }
                case NnLexer.LPAREN, NnLexer.LBRACK -> {
                    depth++;
                    if (depth > MAX_NESTING && parse) {
                        diagnostics.reportWithHelp(
                                DiagnosticCode.SYNTAX_TOO_DEEP,
                                Tokens.span(file, token),
                                "name intermediate values with definitions (h = ...;) to flatten the expression",
                                MAX_NESTING);
                        parse = false;
                    }
                }
                case NnLexer.RPAREN, NnLexer.RBRACK -> depth = Math.max(0, depth - 1);
                case NnLexer.LINE_COMMENT, NnLexer.BLOCK_COMMENT, NnLexer.DOC_COMMENT ->
                    checkComment(file, token, diagnostics);
                default -> {}
            }
            kept.add(token);
        }
        return parse ? kept : List.of();
    }

    /** Bidirectional controls can make a comment hide code from a reader ("Trojan Source"). */
    private static void checkComment(String file, Token token, Diagnostics diagnostics) {
        String text = token.getText();
        int line = token.getLine();
        int column = token.getCharPositionInLine() + 1;
        int index = token.getStartIndex();
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            if (codePoint == '\n') {
                line++;
                column = 1;
            } else {
                if (isBidiControl(codePoint)) {
                    diagnostics.report(
                            DiagnosticCode.SYNTAX_BIDI_CONTROL,
                            SourceSpan.of(file, line, column, index, 1),
                            Tokens.codePointName(codePoint));
                }
                column++;
            }
            index++;
            i += Character.charCount(codePoint);
        }
    }

    private static boolean isBidiControl(int c) {
        return (c >= 0x202A && c <= 0x202E)
                || (c >= 0x2066 && c <= 0x2069)
                || c == 0x200E
                || c == 0x200F
                || c == 0x061C;
    }

    /** For {@link AstBuilder}: doc comments are read from the full token stream. */
    static List<Token> docCommentsBefore(BufferedTokenStream stream, int tokenIndex) {
        List<Token> hidden = stream.getHiddenTokensToLeft(tokenIndex, 2);
        return hidden == null ? List.of() : hidden;
    }
}
