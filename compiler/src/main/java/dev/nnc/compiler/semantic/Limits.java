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

    /**
     * The JVM's limit on the parameters of one method, in slots: a {@code double} takes two,
     * an array (a vector argument) one, and a static method has no {@code this}.
     */
    public static final int JVM_PARAMETER_SLOTS = 255;

    /**
     * The slots the generated method with the most parameters takes besides a function's
     * arguments: a part of a long {@code gradient} also receives {@code grad} and its two
     * scratch arrays ({@code s} and {@code scratch}, docs/codegen.md). Every other generated
     * method of a function takes fewer ({@code value}'s parts two, {@code gradient} one).
     */
    public static final int FUNCTION_EXTRA_SLOTS = 3;

    /** Largest number of parameter slots a function's arguments may take. */
    public static final int MAX_FUNCTION_ARGUMENT_SLOTS = JVM_PARAMETER_SLOTS - FUNCTION_EXTRA_SLOTS;

    /** The parameter slots of an argument of {@code shape}: a double takes two, an array one. */
    public static int argumentSlots(Shape shape) {
        return shape.isScalar() ? 2 : 1;
    }

    private Limits() {}
}
