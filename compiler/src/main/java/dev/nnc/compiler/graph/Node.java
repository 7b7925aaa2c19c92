package dev.nnc.compiler.graph;

import dev.nnc.compiler.semantic.Shape;
import java.util.List;

/**
 * One SSA value: {@code id} is its position in {@link Graph#nodes()}, which is a topological
 * order (every argument has a smaller id), {@code args} are the ids of its operands in the order
 * the op expects, and {@code shape} follows from the op's shape rule.
 */
public record Node(int id, Op op, List<Integer> args, Shape shape, Origin origin) {
    public Node {
        args = List.copyOf(args);
    }

    public int arg(int position) {
        return args.get(position);
    }

    Node withOrigin(Origin newOrigin) {
        return new Node(id, op, args, shape, newOrigin);
    }
}
