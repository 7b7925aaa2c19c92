package dev.nnc.compiler.semantic;

/**
 * Sizes the compiler accepts. They keep every element count, offset and parameter count well
 * inside a Java {@code int} (and a Java array), so later stages can use {@code int} arithmetic
 * without overflow checks of their own. docs/language.md lists them for users.
 */
public final class Limits {
    /** Largest length of one dimension of a tensor. */
    public static final int MAX_DIMENSION = 1 << 20;

    /** Largest number of elements of one tensor (input, parameter or intermediate value). */
    public static final int MAX_ELEMENTS = 1 << 26;

    /** Largest total of the inputs, of the targets, or of the parameters of one network. */
    public static final int MAX_TOTAL_ELEMENTS = 1 << 28;

    private Limits() {}
}
