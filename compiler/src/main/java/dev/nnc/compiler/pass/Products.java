package dev.nnc.compiler.pass;

import dev.nnc.compiler.graph.BinaryOp;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.GraphBuilder;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.TensorOp;
import dev.nnc.compiler.graph.UnaryOp;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Deque;
import java.util.List;

/**
 * Normalises a tree of {@code *}, {@code /} and unary {@code -} to {@code c * (a b ...) / (d e
 * ...)}: constants are multiplied together (numerator and denominator constants separately, so
 * that {@code x / 3} stays a division), negations become the sign of {@code c}, and operands that
 * are themselves products used nowhere else are flattened into the tree. This is how the chain
 * rule's {@code 2 * x * (0.5 / d) * (1 + b)} becomes {@code x (1 + b) / d}.
 *
 * <p>Gathering constants can overflow or underflow where the interleaved product would not
 * (a factor 1e300 and a factor 1e-300 far apart in the tree); the result is then infinite or
 * zero, never silently wrong in sign, and such constants do not occur in lowered specs.
 *
 * <p>The walk is over the old graph (to see which products are used once) with an explicit work
 * list; factors are the new nodes.
 */
final class Products {
    private final Graph graph;
    private final int[] uses;
    private final int[] map;
    private final GraphBuilder b;
    private double numeratorConstant = 1;
    private double denominatorConstant = 1;
    private final List<Integer> numerator = new ArrayList<>();
    private final List<Integer> denominator = new ArrayList<>();

    /** A factor of the tree; {@code scalar}: reached through a broadcast of a scalar product. */
    private record Factor(int oldId, boolean inDenominator, boolean scalar) {}

    Products(Graph graph, int[] uses, int[] map, GraphBuilder b) {
        this.graph = graph;
        this.uses = uses;
        this.map = map;
        this.b = b;
    }

    int normalize(Node root) {
        Deque<Factor> work = new ArrayDeque<>();
        expand(root, false, false, work);
        while (!work.isEmpty()) {
            Factor factor = work.pop();
            Node node = graph.node(factor.oldId());
            int rebuilt = map[factor.oldId()];
            if (b.node(rebuilt).op() instanceof LeafOp.Constant constant) {
                if (factor.inDenominator()) {
                    denominatorConstant *= constant.value();
                } else {
                    numeratorConstant *= constant.value();
                }
            } else if (uses[factor.oldId()] == 1 && isProduct(node)) {
                expand(node, factor.inDenominator(), factor.scalar(), work);
            } else if (uses[factor.oldId()] == 1 && isBroadcastProduct(node)) {
                // broadcast(c s) = c broadcast(s), a view: the scalar product's factors join this
                // tree, so that its constants are gathered with the others (the chain rule's
                // 2 * (a * (broadcast(0.5 * weight) * b)) of a squared error becomes a b weight).
                expand(graph.node(node.arg(0)), factor.inDenominator(), true, work);
            } else {
                boolean broadcast = factor.scalar() && !root.shape().isScalar();
                (factor.inDenominator() ? denominator : numerator)
                        .add(broadcast ? b.broadcast(rebuilt, root.shape()) : rebuilt);
            }
        }
        return build(root);
    }

    /**
     * The products that their only user, another product, flattens: they are rebuilt as they are
     * (and die), so that each product tree is walked once, from its root, and a chain of n
     * products costs O(n), not O(n²).
     */
    static BitSet absorbed(Graph graph, int[] uses) {
        BitSet absorbed = new BitSet(graph.size());
        for (Node node : graph.nodes()) {
            if (isProduct(node)) {
                for (int arg : node.args()) {
                    if (uses[arg] == 1 && isProduct(graph.node(arg))) {
                        absorbed.set(arg);
                    }
                }
            }
        }
        return absorbed;
    }

    static boolean isProduct(Node node) {
        return node.op() instanceof BinaryOp.Multiply
                || node.op() instanceof BinaryOp.Divide
                || node.op() instanceof UnaryOp.Negate;
    }

    /** A broadcast of a scalar product that nothing else reads. */
    private boolean isBroadcastProduct(Node node) {
        if (!(node.op() instanceof TensorOp.Broadcast)) {
            return false;
        }
        Node operand = graph.node(node.arg(0));
        return operand.shape().isScalar() && uses[operand.id()] == 1 && isProduct(operand);
    }

    /** Pushes the operands of product {@code node}, in reverse so that they pop in order. */
    private void expand(Node node, boolean inDenominator, boolean scalar, Deque<Factor> work) {
        if (node.op() instanceof UnaryOp.Negate) {
            numeratorConstant = -numeratorConstant;
            work.push(new Factor(node.arg(0), inDenominator, scalar));
        } else {
            boolean divide = node.op() instanceof BinaryOp.Divide;
            work.push(new Factor(node.arg(1), divide != inDenominator, scalar));
            work.push(new Factor(node.arg(0), inDenominator, scalar));
        }
    }

    private int build(Node root) {
        double scale = numeratorConstant;
        double divisor = denominatorConstant;
        if (scale != 1 && divisor != 1) {
            scale = numeratorConstant / denominatorConstant;
            divisor = 1;
        }
        Collections.sort(numerator);
        Collections.sort(denominator);
        int result = product(numerator);
        if (scale == -1 && result >= 0) {
            result = b.negate(result);
        } else if (scale != 1 || result < 0) {
            int constant = b.constant(scale, root.shape());
            result = result < 0 ? constant : b.multiply(constant, result);
        }
        int below = product(denominator);
        if (divisor != 1) {
            int constant = b.constant(divisor, root.shape());
            below = below < 0 ? constant : b.multiply(constant, below);
        }
        return below < 0 ? result : b.divide(result, below);
    }

    /** The product of {@code factors} from the left, -1 when there are none. */
    private int product(List<Integer> factors) {
        int result = -1;
        for (int factor : factors) {
            result = result < 0 ? factor : b.multiply(result, factor);
        }
        return result;
    }
}
