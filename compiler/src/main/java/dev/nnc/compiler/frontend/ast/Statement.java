package dev.nnc.compiler.frontend.ast;

import dev.nnc.compiler.diagnostic.SourceSpan;
import java.util.List;
import java.util.Optional;

/**
 * A statement of a network body, or a local of a function body ({@link Const} and
 * {@link Definition} only). {@code span} covers the whole statement including its {@code ;};
 * {@code doc} is the {@code ///} comment right above it, if any.
 */
public sealed interface Statement {
    SourceSpan span();

    Optional<String> doc();

    /** {@code input x[2];} (an empty shape is a scalar). */
    record Input(String name, SourceSpan nameSpan, List<Expr> shape, Optional<String> doc, SourceSpan span)
            implements Statement {
        public Input {
            shape = List.copyOf(shape);
        }
    }

    /** {@code target y[1];}. */
    record Target(String name, SourceSpan nameSpan, List<Expr> shape, Optional<String> doc, SourceSpan span)
            implements Statement {
        public Target {
            shape = List.copyOf(shape);
        }
    }

    /** {@code param W[4, 2] = glorot_uniform;}. */
    record Param(
            String name,
            SourceSpan nameSpan,
            List<Expr> shape,
            Optional<Expr> initializer,
            Optional<String> doc,
            SourceSpan span)
            implements Statement {
        public Param {
            shape = List.copyOf(shape);
        }
    }

    /** {@code const alpha = 0.01;}. */
    record Const(String name, SourceSpan nameSpan, Expr value, Optional<String> doc, SourceSpan span)
            implements Statement {}

    /** {@code h = expr;}. */
    record Definition(String name, SourceSpan nameSpan, Expr value, Optional<String> doc, SourceSpan span)
            implements Statement {}

    /** {@code output expr;}. */
    record Output(Expr value, Optional<String> doc, SourceSpan span) implements Statement {}

    /** {@code loss expr;}. */
    record Loss(Expr value, Optional<String> doc, SourceSpan span) implements Statement {}

    /** {@code optimizer adam(lr = 0.01);} (the value is normally a call or a bare name). */
    record Optimizer(Expr value, Optional<String> doc, SourceSpan span) implements Statement {}

    /** {@code precision float;}. */
    record Precision(String kind, SourceSpan kindSpan, Optional<String> doc, SourceSpan span) implements Statement {}

    /** {@code seed 42;}. */
    record Seed(Expr value, Optional<String> doc, SourceSpan span) implements Statement {}
}
