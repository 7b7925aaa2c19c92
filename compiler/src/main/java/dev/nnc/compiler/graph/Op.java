package dev.nnc.compiler.graph;

import dev.nnc.compiler.semantic.Shape;
import java.util.List;

/**
 * A primitive tensor operation. Each implementing record is the single home of the operation's
 * meaning:
 *
 * <ul>
 *   <li>{@link #shape}: the shape rule (a violation is a compiler bug, since the semantic checker
 *       has already checked the user's shapes);
 *   <li>{@link #differentiate}: the reverse-mode rule, written in IR and reusing forward values;
 *   <li>{@link #cost}: the operation count per sample (each {@code + - * /} and each elementary
 *       function call counts one, per element);
 *   <li>{@link #evaluate}: the double reference semantics, in the numerically stable form;
 *   <li>{@link #accept}: the hook for back ends, exhaustive because every {@link OpVisitor} must
 *       implement a method per record.
 * </ul>
 *
 * Ops are values: records with equal attributes are equal, which is what hash-consing relies on.
 */
public sealed interface Op
        permits LeafOp, UnaryOp, BinaryOp, TensorOp, VectorOp, LossOp, SpatialOp, SequenceOp, BatchOp {
    /** Number of operands. */
    int arity();

    /** The result shape for operands of shapes {@code args}. */
    Shape shape(List<Shape> args);

    /** Operations per evaluation, for operands of shapes {@code args} and result {@code out}. */
    long cost(List<Shape> args, Shape out);

    /** The result in double, row-major; leaves read {@code bindings}. */
    double[] evaluate(List<double[]> args, Shape out, Bindings bindings);

    /**
     * Builds, in {@code builder}, the adjoint contributions of {@code node}'s operands from the
     * adjoint {@code adjoint} of its value; {@code node.id()} is the forward value, which rules
     * reuse instead of recomputing it.
     */
    void differentiate(Node node, int adjoint, GraphBuilder builder, Contributions contributions);

    /** The name in {@link GraphPrinter} output, with attributes, e.g. {@code leaky_relu(0.2)}. */
    String mnemonic();

    <R> R accept(OpVisitor<R> visitor);

    /** Whether the operands may be swapped without changing any bit of the result. */
    default boolean isCommutative() {
        return false;
    }
}
