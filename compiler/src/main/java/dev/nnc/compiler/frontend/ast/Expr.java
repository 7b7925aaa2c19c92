package dev.nnc.compiler.frontend.ast;

import dev.nnc.compiler.diagnostic.SourceSpan;
import java.util.List;
import java.util.Optional;

/** An expression as written, before names and shapes mean anything. */
public sealed interface Expr {
    SourceSpan span();

    /** A numeric literal, kept as its text so that range errors can quote it. */
    record Number(String text, SourceSpan span) implements Expr {}

    /** A bare identifier: a value, an activation, an initializer or {@code weights}. */
    record Name(String name, SourceSpan span) implements Expr {}

    /** {@code -operand} or {@code +operand}. */
    record Unary(UnaryOp op, Expr operand, SourceSpan opSpan, SourceSpan span) implements Expr {}

    /** {@code left op right}; {@code opSpan} is where diagnostics about the operator point. */
    record Binary(BinaryOp op, Expr left, Expr right, SourceSpan opSpan, SourceSpan span) implements Expr {}

    /** {@code callee(args)}: a function, layer, loss, initializer or optimizer. */
    record Call(String callee, SourceSpan calleeSpan, List<Argument> arguments, SourceSpan span) implements Expr {
        public Call {
            arguments = List.copyOf(arguments);
        }
    }

    /** {@code target[index]}. */
    record Index(Expr target, Expr index, SourceSpan span) implements Expr {}

    /**
     * {@code target[from:to]}: rows {@code from} (inclusive) to {@code to} (exclusive) along the
     * first dimension; an omitted bound is the start or the end.
     */
    record Slice(Expr target, Optional<Expr> from, Optional<Expr> to, SourceSpan span) implements Expr {}

    /**
     * {@code [a, b, ...]}: a list of sizes ({@code kernel = [3, 5]}, {@code reshape(x, [4, 16])});
     * the semantic stage rejects it anywhere else.
     */
    record ListLiteral(List<Expr> elements, SourceSpan span) implements Expr {
        public ListLiteral {
            elements = List.copyOf(elements);
        }
    }

    /** One argument of a call: positional, or named ({@code alpha = 0.2}). */
    record Argument(Optional<String> name, Optional<SourceSpan> nameSpan, Expr value, SourceSpan span) {}

    enum UnaryOp {
        NEGATE("-"),
        PLUS("+");

        private final String symbol;

        UnaryOp(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    enum BinaryOp {
        ADD("+"),
        SUBTRACT("-"),
        MULTIPLY("*"),
        DIVIDE("/"),
        MATMUL("@"),
        POWER("^");

        private final String symbol;

        BinaryOp(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }
}
