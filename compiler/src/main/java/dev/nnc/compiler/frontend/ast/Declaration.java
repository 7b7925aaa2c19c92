package dev.nnc.compiler.frontend.ast;

import dev.nnc.compiler.diagnostic.SourceSpan;
import java.util.List;
import java.util.Optional;

/** A top-level declaration; each becomes one Java class. */
public sealed interface Declaration {
    String name();

    SourceSpan nameSpan();

    SourceSpan span();

    Optional<String> doc();

    /** {@code network Name { statement* }}. */
    record Network(String name, SourceSpan nameSpan, List<Statement> body, Optional<String> doc, SourceSpan span)
            implements Declaration {
        public Network {
            body = List.copyOf(body);
        }
    }

    /**
     * {@code function Name(params) = expr;} or {@code function Name(params) { locals return expr; }};
     * the expression form has no locals.
     */
    record Function(
            String name,
            SourceSpan nameSpan,
            List<Parameter> parameters,
            List<Statement> locals,
            Expr result,
            Optional<String> doc,
            SourceSpan span)
            implements Declaration {
        public Function {
            parameters = List.copyOf(parameters);
            locals = List.copyOf(locals);
        }
    }

    /** A function argument: {@code x} or {@code p[2]}. */
    record Parameter(String name, SourceSpan nameSpan, List<Expr> shape, SourceSpan span) {
        public Parameter {
            shape = List.copyOf(shape);
        }
    }
}
