package dev.nnc.compiler.pass;

import dev.nnc.compiler.graph.BinaryOp;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.GraphBuilder;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.Op;
import dev.nnc.compiler.graph.TensorOp;
import dev.nnc.compiler.graph.UnaryOp;
import java.util.BitSet;
import java.util.List;

/**
 * Algebraic simplification, one rewrite per node (a product or sum tree is rewritten from its
 * root, its inner single-use nodes with it):
 *
 * <ul>
 *   <li>exact in IEEE arithmetic: {@code x - 0 -> x}, {@code x * 1 -> x}, {@code x / 1 -> x},
 *       {@code x * -1 -> -x}, {@code --x -> x}, {@code x + -y -> x - y}, {@code x - -y -> x + y},
 *       {@code x + x -> 2x}, {@code transpose(transpose(x)) -> x}, {@code element(scatter(s)) ->
 *       s}, and an elementwise op of broadcast scalars computed once on the scalars;
 *   <li>exact except for the sign of a zero: {@code x + 0 -> x} ({@code -0 + 0} is {@code +0}),
 *       {@code 0 - x -> -x};
 *   <li>exact up to rounding: products and quotients are normalised by {@link Products}
 *       (constants gathered, single-use factors flattened), sums by {@link Sums} (like terms of
 *       one sign and constants combined: {@code x + x + x -> 3x}, {@code 2x + 3x -> 5x}), {@code p
 *       + p q -> p (1 + q)} and {@code p q + p r -> p (q + r)} (and the same with {@code -}) when
 *       the products have no other use, and {@code sum(broadcast(s)) -> n s}.
 * </ul>
 *
 * Every node built is constant-folded as it is built (see {@link ConstantFolding}).
 *
 * <p>Deliberately absent, because they would hide a NaN or an infinity that must reach the loss
 * check (they are not exact for an infinite or NaN {@code x}): {@code x * 0 -> 0}, {@code x - x ->
 * 0}, {@code 2x - x -> x}, {@code 0 x + x -> x}, {@code x / x -> 1}, {@code 0 / x -> 0}.
 */
public final class Simplify implements Pass {
    @Override
    public Graph apply(Graph graph) {
        int[] uses = graph.useCounts();
        BitSet absorbed = Products.absorbed(graph, uses);
        absorbed.or(Sums.absorbed(graph, uses));
        return Rebuild.live(
                graph,
                (node, args, builder, map) -> absorbed.get(node.id())
                        ? builder.apply(node.op(), args)
                        : rewrite(graph, uses, node, args, builder, map));
    }

    @Override
    public String name() {
        return "simplify";
    }

    private static int rewrite(Graph graph, int[] uses, Node node, List<Integer> args, GraphBuilder b, int[] map) {
        Op op = node.op();
        if (Sums.isSum(node)) {
            return new Sums(graph, uses, map, b).normalize(node);
        }
        if ((op instanceof UnaryOp || op instanceof BinaryOp) && allBroadcast(args, b)) {
            List<Integer> scalars = args.stream().map(a -> b.node(a).arg(0)).toList();
            return b.broadcast(b.apply(op, scalars), node.shape());
        }
        if (op instanceof BinaryOp.Multiply || op instanceof BinaryOp.Divide || op instanceof UnaryOp.Negate) {
            // --x where -x has other uses; a single-use -x is flattened by Products instead.
            if (op instanceof UnaryOp.Negate
                    && uses[node.arg(0)] > 1
                    && b.node(args.get(0)).op() instanceof UnaryOp.Negate) {
                return b.node(args.get(0)).arg(0);
            }
            return new Products(graph, uses, map, b).normalize(node);
        }
        if (op instanceof TensorOp.Transpose && b.node(args.get(0)).op() instanceof TensorOp.Transpose) {
            return b.node(args.get(0)).arg(0);
        }
        if (op instanceof TensorOp.Element element
                && b.node(args.get(0)).op() instanceof TensorOp.Scatter scatter
                && scatter.index() == element.index()) {
            return b.node(args.get(0)).arg(0);
        }
        if (op instanceof TensorOp.Sum && b.node(args.get(0)).op() instanceof TensorOp.Broadcast) {
            int scalar = b.node(args.get(0)).arg(0);
            int n = b.shapeOf(args.get(0)).size();
            return b.multiply(b.constantLike(n, scalar), scalar);
        }
        return b.apply(op, args);
    }

    private static boolean allBroadcast(List<Integer> args, GraphBuilder b) {
        for (int arg : args) {
            if (!(b.node(arg).op() instanceof TensorOp.Broadcast)) {
                return false;
            }
        }
        return true;
    }

    static boolean isConstant(GraphBuilder b, int id, double value) {
        return b.node(id).op() instanceof LeafOp.Constant c && c.value() == value;
    }
}
