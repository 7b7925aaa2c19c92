package dev.nnc.compiler.graph;

import dev.nnc.compiler.diagnostic.SourceSpan;
import java.util.Optional;

/**
 * Where a node comes from, for readable generated code: the name of the definition, parameter or
 * input it computes (empty for temporaries), and the source span of that statement. Adjoint nodes
 * carry the name of the value they are the adjoint of, prefixed with {@code d_}.
 */
public record Origin(String name, Optional<SourceSpan> span) {
    private static final Origin NONE = new Origin("", Optional.empty());

    public static Origin none() {
        return NONE;
    }

    public static Origin of(String name, SourceSpan span) {
        return new Origin(name, Optional.of(span));
    }

    public static Origin named(String name) {
        return new Origin(name, Optional.empty());
    }

    public boolean isNamed() {
        return !name.isEmpty();
    }

    /** The origin of the adjoint of a node with this origin. */
    public Origin adjoint() {
        return isNamed() ? new Origin("d_" + name, span) : this;
    }
}
