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
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Normalises a tree of {@code +} and {@code -} (its inner sums used nowhere else) by combining like
 * terms, in one walk however long the sum:
 *
 * <ul>
 *   <li>each leaf is a coefficient times a term: {@code c x} and {@code x c} (c constant) are
 *       {@code (x, c)}, {@code -x} is {@code (x, -1)}, anything else {@code (x, 1)}, and a leaf
 *       below the right operand of a {@code -} has its sign flipped;
 *   <li>leaves with the same term and coefficients of the same sign (finite and non-zero) merge into
 *       the leftmost one: {@code x + x + x -> 3x}, {@code 2x + y + 3x -> 5x + y}, {@code -x - 2x ->
 *       -3x};
 *   <li>constant leaves merge into the leftmost one, which disappears when they add up to 0.
 * </ul>
 *
 * The tree keeps its shape otherwise: merged leaves leave a hole that their parent closes, so a
 * sum in which nothing merges is rebuilt node for node (and bit for bit), and the local rules of
 * a two-operand sum apply at every inner node ({@code x + -y -> x - y}, an elementwise sum of
 * broadcasts computed on the scalars, and the factoring of single-use products). Factoring
 * works bottom-up on the rebuilt slots, so a product it makes is factored again by the slots
 * above: {@code y a + y b + y c + ...} becomes {@code y (a + b + c + ...)} in this walk, which the
 * next round leaves as it is, however many terms share {@code y}.
 *
 * <p>Terms of opposite signs are not merged, and a coefficient 0 merges with nothing: {@code x -
 * x}, {@code 2x - x} and {@code 0 x + x} stay, because for an infinite or NaN {@code x} they are
 * NaN, which must reach the loss check, where {@code 0}, {@code x} and {@code x} would not be.
 * With this rule merging keeps every NaN and infinity of the unsimplified sum, and changes finite
 * values only by rounding (merged coefficients are rounded once instead of once per term, and a
 * sum of constants whose partial sums overflow differs from the interleaved one).
 */
final class Sums {
    private final Graph graph;
    private final int[] uses;
    private final int[] map;
    private final GraphBuilder b;

    /** The slots of the tree, in pre-order: old node ids, signs and children (-1 at leaves). */
    private final List<Integer> oldIds = new ArrayList<>();

    private final List<Integer> signs = new ArrayList<>();
    private final List<Integer> lefts = new ArrayList<>();
    private final List<Integer> rights = new ArrayList<>();

    /** Per leaf slot: its term (new id), own coefficient, and the merged total of a first leaf. */
    private final Map<Integer, Leaf> leaves = new HashMap<>();

    private final Map<Long, Leaf> firstOfGroup = new HashMap<>();
    private Leaf firstConstant;

    /**
     * Per slot, once rebuilt: its value (-1 for a hole), the two factors of the single-use
     * product it is (null if it is none), and whether it is an unchanged leaf or a product that
     * factoring made, the operands that factoring reads.
     */
    private int[] values;

    private int[][] factors;
    private boolean[] stable;

    /** A leaf: {@code coefficient * term} in its own orientation, {@code sign} from its ancestors. */
    private static final class Leaf {
        final int rebuilt;
        final int term;
        final double coefficient;
        final int sign;
        final boolean constant;
        double total;
        boolean merged;
        boolean removed;

        Leaf(int rebuilt, int term, double coefficient, int sign, boolean constant) {
            this.rebuilt = rebuilt;
            this.term = term;
            this.coefficient = coefficient;
            this.sign = sign;
            this.constant = constant;
            this.total = sign * coefficient;
        }

        boolean mergeable() {
            return constant || (Double.isFinite(coefficient) && coefficient != 0);
        }
    }

    Sums(Graph graph, int[] uses, int[] map, GraphBuilder b) {
        this.graph = graph;
        this.uses = uses;
        this.map = map;
        this.b = b;
    }

    /**
     * The sums that their only user, another sum, takes into its tree: they are rebuilt as they
     * are (and die), so that a chain of n additions is walked once, from its root, in O(n).
     */
    static BitSet absorbed(Graph graph, int[] uses) {
        BitSet absorbed = new BitSet(graph.size());
        for (Node node : graph.nodes()) {
            if (isSum(node)) {
                for (int arg : node.args()) {
                    if (uses[arg] == 1 && isSum(graph.node(arg))) {
                        absorbed.set(arg);
                    }
                }
            }
        }
        return absorbed;
    }

    static boolean isSum(Node node) {
        return node.op() instanceof BinaryOp.Add || node.op() instanceof BinaryOp.Subtract;
    }

    /** The rebuilt value of sum {@code root} (an old node). */
    int normalize(Node root) {
        walk(root);
        values = new int[oldIds.size()];
        factors = new int[oldIds.size()][];
        stable = new boolean[oldIds.size()];
        for (int slot = oldIds.size() - 1; slot >= 0; slot--) {
            if (lefts.get(slot) < 0) {
                Leaf leaf = leaves.get(slot);
                values[slot] = emit(leaf, root);
                if (values[slot] == leaf.rebuilt) {
                    stable[slot] = true;
                    factors[slot] = singleUseProduct(oldIds.get(slot));
                }
            } else {
                boolean subtract = graph.node(oldIds.get(slot)).op() instanceof BinaryOp.Subtract;
                combine(slot, subtract, lefts.get(slot), rights.get(slot));
            }
        }
        return values[0] < 0 ? b.constant(0, root.shape()) : values[0];
    }

    /** Lays out the tree in pre-order and groups its leaves, leftmost first. */
    private void walk(Node root) {
        Deque<Integer> work = new ArrayDeque<>();
        work.push(slot(root.id(), 1));
        while (!work.isEmpty()) {
            int slot = work.pop();
            Node node = graph.node(oldIds.get(slot));
            if (slot == 0 || (uses[node.id()] == 1 && isSum(node))) {
                int sign = signs.get(slot);
                int left = slot(node.arg(0), sign);
                int right = slot(node.arg(1), node.op() instanceof BinaryOp.Subtract ? -sign : sign);
                lefts.set(slot, left);
                rights.set(slot, right);
                work.push(right);
                work.push(left);
            } else {
                leaf(slot, node);
            }
        }
    }

    private int slot(int oldId, int sign) {
        oldIds.add(oldId);
        signs.add(sign);
        lefts.add(-1);
        rights.add(-1);
        return oldIds.size() - 1;
    }

    private void leaf(int slot, Node node) {
        int sign = signs.get(slot);
        int rebuilt = map[node.id()];
        Node value = b.node(rebuilt);
        Leaf leaf;
        if (value.op() instanceof LeafOp.Constant constant) {
            leaf = new Leaf(rebuilt, -1, constant.value(), sign, true);
        } else if (value.op() instanceof UnaryOp.Negate) {
            leaf = new Leaf(rebuilt, value.arg(0), -1, sign, false);
        } else if (value.op() instanceof BinaryOp.Multiply && constantOperand(value) >= 0) {
            int position = constantOperand(value);
            double coefficient = ((LeafOp.Constant) b.node(value.arg(position)).op()).value();
            leaf = new Leaf(rebuilt, value.arg(1 - position), coefficient, sign, false);
        } else {
            leaf = new Leaf(rebuilt, rebuilt, 1, sign, false);
        }
        leaves.put(slot, leaf);
        if (!leaf.mergeable()) {
            return;
        }
        Leaf first = leaf.constant ? firstConstant : firstOfGroup.get(groupKey(leaf));
        if (first == null) {
            if (leaf.constant) {
                firstConstant = leaf;
            } else {
                firstOfGroup.put(groupKey(leaf), leaf);
            }
        } else {
            first.total += leaf.total;
            first.merged = true;
            leaf.removed = true;
        }
    }

    /** The position of a constant operand of product {@code node}, -1 if none. */
    private int constantOperand(Node node) {
        for (int position = 0; position < 2; position++) {
            if (b.node(node.arg(position)).op() instanceof LeafOp.Constant) {
                return position;
            }
        }
        return -1;
    }

    private static long groupKey(Leaf leaf) {
        return 2L * leaf.term + (leaf.total > 0 ? 1 : 0);
    }

    /** A leaf's value in its own orientation, -1 when it has merged into another or is 0. */
    private int emit(Leaf leaf, Node root) {
        if (leaf.removed) {
            return -1;
        }
        double own = leaf.sign * leaf.total;
        if (leaf.constant) {
            if (own == 0) {
                return -1;
            }
            return leaf.merged ? b.constant(own, root.shape()) : leaf.rebuilt;
        }
        if (!leaf.merged) {
            return leaf.rebuilt;
        }
        if (own == 1) {
            return leaf.term;
        }
        if (own == -1) {
            return b.negate(leaf.term);
        }
        return b.multiply(b.constantLike(own, leaf.term), leaf.term);
    }

    /**
     * Sets slot {@code slot} to {@code x ± y}, the values of slots {@code left} and {@code right},
     * with the local rules; -1 values are holes, and a slot that is one of its operands keeps
     * that operand's factors.
     */
    private void combine(int slot, boolean subtract, int left, int right) {
        int x = values[left];
        int y = values[right];
        if (y < 0 || (x < 0 && !subtract)) {
            int kept = y < 0 ? left : right;
            values[slot] = values[kept];
            factors[slot] = factors[kept];
            stable[slot] = stable[kept];
            return;
        }
        if (x < 0) {
            values[slot] = negate(y);
            return;
        }
        if (b.node(x).op() instanceof TensorOp.Broadcast && b.node(y).op() instanceof TensorOp.Broadcast) {
            // An elementwise sum of broadcasts, computed once on the scalars.
            int s = b.node(x).arg(0);
            int t = b.node(y).arg(0);
            int scalar = plain(subtract, s, t);
            values[slot] = b.broadcast(scalar >= 0 ? scalar : subtract ? b.subtract(s, t) : b.add(s, t), b.shapeOf(x));
            return;
        }
        int local = plain(subtract, x, y);
        if (local >= 0) {
            values[slot] = local;
            return;
        }
        int factored = factor(subtract, left, right);
        if (factored >= 0) {
            values[slot] = factored;
            // A new product that only this sum reads: its factors are exposed to the slots above,
            // so that a whole run of terms sharing a factor is factored in this one walk.
            if (b.node(factored).op() instanceof BinaryOp.Multiply) {
                List<Integer> args = b.node(factored).args();
                factors[slot] = new int[] {args.get(0), args.get(1)};
                stable[slot] = true;
            }
            return;
        }
        values[slot] = subtract ? b.subtract(x, y) : b.add(x, y);
    }

    private int negate(int y) {
        return b.node(y).op() instanceof UnaryOp.Negate ? b.node(y).arg(0) : b.negate(y);
    }

    /**
     * The exact rules of {@code x ± y}: {@code x + 0}, {@code 0 + y}, {@code x - 0}, {@code 0 - y
     * -> -y} (exact but for the sign of a zero), {@code x + x -> 2x}, {@code x + -y -> x - y},
     * {@code -x + y -> y - x}, {@code x - -y -> x + y}, and the same with a negative constant
     * {@code y} ({@code x + -3 -> x - 3}); -1 when none applies.
     */
    private int plain(boolean subtract, int x, int y) {
        if (isZero(y)) {
            return x;
        }
        if (isZero(x)) {
            return subtract ? negate(y) : y;
        }
        if (b.node(y).op() instanceof LeafOp.Constant c && c.value() < 0) {
            int magnitude = b.constantLike(-c.value(), y);
            return subtract ? b.add(x, magnitude) : b.subtract(x, magnitude);
        }
        if (subtract) {
            return b.node(y).op() instanceof UnaryOp.Negate ? b.add(x, b.node(y).arg(0)) : -1;
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
        return -1;
    }

    private boolean isZero(int id) {
        return Simplify.isConstant(b, id, 0);
    }

    /**
     * {@code p ± p q -> p (1 ± q)}, {@code p q ± p -> p (q ± 1)}, {@code p q ± p r -> p (q ± r)}
     * when each product has no other use (so it disappears) and {@code q}, {@code r} are not both
     * constants; -1 when no pattern applies. The operands are slots: unchanged leaves, whose
     * products are those of the old graph, or slots factored already, whose products are new.
     * Applied bottom-up, this factors {@code p a + p b + p c + ...} into {@code p (a + b + c +
     * ...)} at once, where applying it to old operands only would take one walk per term.
     */
    private int factor(boolean subtract, int left, int right) {
        if (!stable[left] || !stable[right]) {
            return -1;
        }
        int[] leftFactors = factors[left];
        int[] rightFactors = factors[right];
        int p;
        int q;
        int r;
        if (rightFactors != null && leftFactors != null && common(leftFactors, rightFactors) >= 0) {
            p = common(leftFactors, rightFactors);
            q = other(leftFactors, p);
            r = other(rightFactors, p);
        } else if (rightFactors != null && contains(rightFactors, values[left])) {
            p = values[left];
            q = b.constantLike(1, p);
            r = other(rightFactors, p);
        } else if (leftFactors != null && contains(leftFactors, values[right])) {
            p = values[right];
            q = other(leftFactors, p);
            r = b.constantLike(1, p);
        } else {
            return -1;
        }
        if (Simplify.isConstant(b, p, 1)) {
            // A factor 1 is not there: Products drops it from the product it appears in.
            return -1;
        }
        if (b.node(q).op() instanceof LeafOp.Constant && b.node(r).op() instanceof LeafOp.Constant) {
            // Like terms: merged above when their signs agree, kept (as NaN-faithful) otherwise.
            return -1;
        }
        int local = plain(subtract, q, r);
        return b.multiply(p, local >= 0 ? local : subtract ? b.subtract(q, r) : b.add(q, r));
    }

    /**
     * The (new) operands of old node {@code id} if it is a product used once, else null. An
     * operand that is itself a single-use product is flattened into this one by {@link Products}
     * and rebuilt as it was only to die: its normalised value is taken instead, so that a
     * factored sum reads no node that the next round would rewrite.
     */
    private int[] singleUseProduct(int id) {
        Node node = graph.node(id);
        if (uses[id] != 1 || !(node.op() instanceof BinaryOp.Multiply)) {
            return null;
        }
        return new int[] {normalized(node.arg(0)), normalized(node.arg(1))};
    }

    private int normalized(int operand) {
        Node node = graph.node(operand);
        return uses[operand] == 1 && Products.isProduct(node)
                ? new Products(graph, uses, map, b).normalize(node)
                : map[operand];
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
}
