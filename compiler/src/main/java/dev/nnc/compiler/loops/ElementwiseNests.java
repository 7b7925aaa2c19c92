package dev.nnc.compiler.loops;

import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.semantic.Shape;
import java.util.List;

/**
 * The nest of an elementwise node's store: every element computed by the node's op from its
 * operands ({@link Value.Elementwise}), in row-major order, over the loops its shape has: none for
 * a scalar, {@code r} and {@code c} for a matrix (a transpose or an outer product among the
 * operands reads by row or by column), {@code i} for any other shape.
 */
final class ElementwiseNests {
    private ElementwiseNests() {}

    static List<Stmt> store(Node node) {
        Shape shape = node.shape();
        if (shape.isScalar()) {
            return List.of(element(node, Affine.constant(0)));
        }
        if (shape.isMatrix()) {
            Affine at = Affine.of("r").times(shape.cols()).plus("c", 1);
            return List.of(new Stmt.Loop(
                    "r", shape.rows(), List.of(new Stmt.Loop("c", shape.cols(), List.of(element(node, at))))));
        }
        return List.of(new Stmt.Loop("i", shape.size(), List.of(element(node, Affine.of("i")))));
    }

    private static Stmt element(Node node, Affine at) {
        Place place = Place.at(at);
        return new Stmt.Store(node.id(), place, new Value.Elementwise(node.id(), place), false);
    }
}
