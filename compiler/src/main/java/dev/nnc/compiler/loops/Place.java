package dev.nnc.compiler.loops;

/**
 * Where a load or a store is: an affine position known from the loop variables, or a position
 * found at run time ({@link Stmt.Position}), such as a window's first maximum.
 */
public sealed interface Place {

    /** A position affine in the enclosing loop variables and lets. */
    record At(Affine position) implements Place {}

    /** The current value of a position local. */
    record Found(String position) implements Place {}

    static Place at(Affine position) {
        return new At(position);
    }
}
