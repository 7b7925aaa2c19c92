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
 * Algebraic simplification, one local rewrite per node:
 *
 * <ul>
 *   <li>exact in IEEE arithmetic: {@code x - 0 -> x}, {@code x * 1 -> x}, {@code x / 1 -> x},
 *       {@code x * -1 -> -x}, {@code --x -> x}, {@code x + -y -> x - y}, {@code x - -y -> x + y},
 *       {@code x + x -> 2x}, {@code transpose(transpose(x)) -> x}, {@code element(scatter(s)) ->
 *       s}, and an elementwise op of broadcast scalars computed once on the scalars;
 *   <li>exact except for the sign of a zero: {@code x + 0 -> x} ({@code -0 + 0} is {@code +0}),
 *       {@code 0 - x -> -x};
 *   <li>exact up to rounding: products and quotients are normalised by {@link Products}
 *       (constants gathered, single-use factors flattened), {@code p + p q -> p (1 + q)} and
 *       {@code p q + p r -> p (q + r)} (and the same with {@code -}) when the products have no
 *       other use, and {@code sum(broadcast(s)) -> n s}.
 * </ul>
 *
 * Deliberately absent, because they would hide a NaN or an infinity that must reach the loss
 * check: {@code x * 0 -> 0}, {@code x - x -> 0}, {@code x / x -> 1}, {@code 0 / x -> 0}.
 */
public final class Simplify implements Pass {
    @Override
    public Graph apply(Graph graph) {
        int[] uses = graph.useCounts();
        BitSet absorbed = Products.absorbed(graph, uses);
        return Rebuild.all(
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
        if (op instanceof BinaryOp.Add) {
            return add(graph, uses, node, args, b, map);
        }
        if (op instanceof BinaryOp.Subtract) {
            return subtract(graph, uses, node, args, b, map);
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

    private static int add(Graph graph, int[] uses, Node node, List<Integer> args, GraphBuilder b, int[] map) {
        int x = args.get(0);
        int y = args.get(1);
        if (isConstant(b, x, 0)) {
            return y;
        }
        if (isConstant(b, y, 0)) {
            return x;
        }
        if (x == y) {
            return b.multiply(b.constantLike(2, x), x);
        }
        if (b.node(y).op() instanceof UnaryOp.Negate) {
            return b.subtract(x, b.node(y).arg(0));
        }
        if (b.node(x).op() instanceof UnaryOp.Negate) {
            return b.subtract(y, b.node(x).arg(0));
        }
        int factored = factor(graph, uses, node, b, map, false);
        return factored >= 0 ? factored : b.add(x, y);
    }

    private static int subtract(Graph graph, int[] uses, Node node, List<Integer> args, GraphBuilder b, int[] map) {
        int x = args.get(0);
        int y = args.get(1);
        if (isConstant(b, y, 0)) {
            return x;
        }
        if (isConstant(b, x, 0)) {
            return b.negate(y);
        }
        if (b.node(y).op() instanceof UnaryOp.Negate) {
            return b.add(x, b.node(y).arg(0));
        }
        int factored = factor(graph, uses, node, b, map, true);
        return factored >= 0 ? factored : b.subtract(x, y);
    }

    /**
     * {@code p ± p q -> p (1 ± q)}, {@code p q ± p -> p (q ± 1)}, {@code p q ± p r -> p (q ± r)}
     * when each product has no other use (so it disappears); -1 when no pattern applies.
     */
    private static int factor(Graph graph, int[] uses, Node node, GraphBuilder b, int[] map, boolean subtract) {
        int left = node.arg(0);
        int right = node.arg(1);
        int[] leftFactors = singleUseProduct(graph, uses, left, map);
        int[] rightFactors = singleUseProduct(graph, uses, right, map);
        int p;
        int q;
        int r;
        if (rightFactors != null && leftFactors != null && common(leftFactors, rightFactors) >= 0) {
            p = common(leftFactors, rightFactors);
            q = other(leftFactors, p);
            r = other(rightFactors, p);
        } else if (rightFactors != null && contains(rightFactors, map[left])) {
            p = map[left];
            q = b.constantLike(1, p);
            r = other(rightFactors, p);
        } else if (leftFactors != null && contains(leftFactors, map[right])) {
            p = map[right];
            q = other(leftFactors, p);
            r = b.constantLike(1, p);
        } else {
            return -1;
        }
        return b.multiply(p, subtract ? b.subtract(q, r) : b.add(q, r));
    }

    /** The (new) operands of old node {@code id} if it is a product used once, else null. */
    private static int[] singleUseProduct(Graph graph, int[] uses, int id, int[] map) {
        Node node = graph.node(id);
        if (uses[id] != 1 || !(node.op() instanceof BinaryOp.Multiply)) {
            return null;
        }
        return new int[] {map[node.arg(0)], map[node.arg(1)]};
    }

    private static int common(int[] a, int[] b) {
        for (int x : a) {
            if (contains(b, x)) {
                return x;
            }
        }
        return -1;
    }

    private static boolean contains(int[] factors, int x) {
        return factors[0] == x || factors[1] == x;
    }

    private static int other(int[] factors, int x) {
        return factors[0] == x ? factors[1] : factors[0];
    }

    static boolean isConstant(GraphBuilder b, int id, double value) {
        return b.node(id).op() instanceof LeafOp.Constant c && c.value() == value;
    }
}
