package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.diagnostic.SourceFile;
import dev.nnc.compiler.diagnostic.SourceSpan;
import dev.nnc.compiler.frontend.ast.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The state shared by the checkers of one declaration: where to report, its names, and for a
 * network the parameters found so far and the definition being checked (layers name their
 * parameters after it, and a definition may hold only one layer).
 */
final class Context {
    final Diagnostics diagnostics;
    final SourceFile source;
    final Scope scope;
    /** The network's name, or empty while checking a function. */
    final Optional<String> network;

    private final List<Symbol.Param> parameters = new ArrayList<>();
    private Optional<Site> site = Optional.empty();

    /** The definition being checked, and the layer call it holds once one was seen. */
    static final class Site {
        final String definition;
        Optional<Expr.Call> layer = Optional.empty();

        Site(String definition) {
            this.definition = definition;
        }
    }

    Context(Diagnostics diagnostics, SourceFile source, Scope scope, Optional<String> network) {
        this.diagnostics = diagnostics;
        this.source = source;
        this.scope = scope;
        this.network = network;
    }

    void addParameter(Symbol.Param parameter) {
        parameters.add(parameter);
    }

    /** Every parameter declared so far, explicit and layer-owned, in declaration order. */
    List<Symbol.Param> parameters() {
        return List.copyOf(parameters);
    }

    Optional<Site> site() {
        return site;
    }

    /** Runs {@code check} with {@code definition} as the site of layer calls. */
    <T> T inDefinition(String definition, Supplier<T> check) {
        site = Optional.of(new Site(definition));
        try {
            return check.get();
        } finally {
            site = Optional.empty();
        }
    }

    /**
     * What a message says was found: the literal as written ({@code 12.5}), or for a computed
     * constant the expression and its value ({@code n - 4 = -2}).
     */
    String found(Expr expr, double value) {
        boolean literal = expr instanceof Expr.Number
                || (expr instanceof Expr.Unary unary && unary.operand() instanceof Expr.Number);
        return literal ? text(expr.span()) : text(expr.span()) + " = " + format(value);
    }

    /** A number for a message: integers without a fraction, others as Java prints them. */
    static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? Long.toString((long) value)
                : Double.toString(value);
    }

    /** The source text of a span, shortened for a message ("found 12.5"). */
    String text(SourceSpan span) {
        String text = source.text(span).replaceAll("\\s+", " ");
        return text.codePointCount(0, text.length()) <= 40
                ? text
                : text.substring(0, text.offsetByCodePoints(0, 37)) + "...";
    }
}
