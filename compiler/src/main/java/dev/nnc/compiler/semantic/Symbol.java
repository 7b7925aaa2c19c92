package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.SourceSpan;
import java.util.Optional;

/** Something a name refers to. {@code span} is where it was declared. */
public sealed interface Symbol {
    String name();

    Shape shape();

    SourceSpan span();

    /**
     * A per-sample input; {@code offset} is where its elements start in the flat input row
     * (inputs are laid out in declaration order).
     */
    record Input(String name, Shape shape, int offset, SourceSpan span) implements Symbol {}

    /** A per-sample training target, laid out like inputs in the flat target row. */
    record Target(String name, Shape shape, int offset, SourceSpan span) implements Symbol {}

    /**
     * A trainable parameter: explicit ({@code param W[4, 2]}) or owned by a layer, then named
     * after the definition that holds the layer ({@code hidden.weight}). {@code isWeight} marks
     * the tensors that {@code weights} names: every layer weight and every matrix param.
     */
    record Param(String name, Shape shape, Initializer initializer, boolean isWeight, SourceSpan span)
            implements Symbol {
        /**
         * The definition whose layer declares this parameter ({@code hidden} for {@code
         * hidden.weight}); a parameter declared by hand is its own.
         */
        public String owner() {
            int dot = name.lastIndexOf('.');
            return dot < 0 ? name : name.substring(0, dot);
        }
    }

    /**
     * A definition {@code name = value;} (in a network, or a local of a block function). The
     * span covers the whole statement, for comments in generated code.
     */
    record Definition(String name, Term value, Optional<String> doc, SourceSpan span) implements Symbol {
        @Override
        public Shape shape() {
            return value.shape();
        }
    }

    /** An argument of a function; {@code index} is its position. */
    record Argument(String name, Shape shape, int index, SourceSpan span) implements Symbol {}
}
