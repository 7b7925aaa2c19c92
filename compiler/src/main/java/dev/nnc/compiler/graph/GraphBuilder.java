package dev.nnc.compiler.graph;

import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.semantic.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Graph} node by node. Nodes are hash-consed: applying an op to operands it has
 * already been applied to returns the existing node, so common subexpressions are shared as they
 * are built. Operands of commutative ops are put in ascending id order first, so {@code a + b}
 * and {@code b + a} meet. Since an operand must exist before it is used, ids are a topological
 * order.
 */
public final class GraphBuilder {
    private static final Bindings NO_LEAVES = Bindings.of(Map.of());

    private final List<Node> nodes = new ArrayList<>();
    private final Map<Key, Integer> index = new HashMap<>();
    private final boolean folding;

    private record Key(Op op, List<Integer> args) {}

    private GraphBuilder(boolean folding) {
        this.folding = folding;
    }

    public static GraphBuilder create() {
        return new GraphBuilder(false);
    }

    /**
     * A builder that folds constants as nodes are built: an op applied to operands that are all
     * constants becomes a constant when every element of its value (computed by the op's own
     * {@link Op#evaluate}) is the same bit pattern, NaN and infinities included, so folding never
     * changes a value. Rewrites that build through it can never leave a constant subexpression
     * behind.
     */
    public static GraphBuilder folding() {
        return new GraphBuilder(true);
    }

    /** A builder holding {@code graph}'s nodes with their ids, to extend it. */
    public static GraphBuilder extending(Graph graph) {
        GraphBuilder builder = new GraphBuilder(false);
        for (Node node : graph.nodes()) {
            builder.nodes.add(node);
            builder.index.putIfAbsent(new Key(node.op(), node.args()), node.id());
        }
        return builder;
    }

    /** The node computing {@code op} of {@code args}, created unless it exists. */
    public int apply(Op op, List<Integer> args) {
        List<Integer> operands = args;
        if (op.isCommutative() && args.size() == 2 && args.get(0) > args.get(1)) {
            operands = List.of(args.get(1), args.get(0));
        }
        Key key = new Key(op, List.copyOf(operands));
        Integer existing = index.get(key);
        if (existing != null) {
            return existing;
        }
        if (folding && !operands.isEmpty()) {
            Integer folded = fold(op, operands);
            if (folded != null) {
                return folded;
            }
        }
        List<Shape> shapes = new ArrayList<>(operands.size());
        for (int arg : operands) {
            if (arg < 0 || arg >= nodes.size()) {
                throw new InternalCompilerError("operand %" + arg + " of " + op.mnemonic() + " does not exist");
            }
            shapes.add(nodes.get(arg).shape());
        }
        int id = nodes.size();
        nodes.add(new Node(id, op, key.args(), op.shape(shapes), Origin.none()));
        index.put(key, id);
        return id;
    }

    /** The constant that {@code op} of all-constant {@code operands} is, or null. */
    private Integer fold(Op op, List<Integer> operands) {
        List<double[]> values = new ArrayList<>(operands.size());
        List<Shape> shapes = new ArrayList<>(operands.size());
        for (int arg : operands) {
            if (!(nodes.get(arg).op() instanceof LeafOp.Constant constant)) {
                return null;
            }
            Shape shape = nodes.get(arg).shape();
            shapes.add(shape);
            values.add(constant.evaluate(List.of(), shape, NO_LEAVES));
        }
        Shape shape = op.shape(shapes);
        double[] result = op.evaluate(values, shape, NO_LEAVES);
        if (result.length == 0) {
            return null;
        }
        long first = Double.doubleToRawLongBits(result[0]);
        for (double v : result) {
            if (Double.doubleToRawLongBits(v) != first) {
                return null;
            }
        }
        return constant(result[0], shape);
    }

    public int apply(Op op, int... args) {
        return apply(op, Arrays.stream(args).boxed().toList());
    }

    public int constant(double value, Shape shape) {
        return apply(new LeafOp.Constant(value, shape));
    }

    /** A constant of {@code value} with the shape of node {@code like}. */
    public int constantLike(double value, int like) {
        return constant(value, shapeOf(like));
    }

    public int add(int a, int b) {
        return apply(new BinaryOp.Add(), a, b);
    }

    public int subtract(int a, int b) {
        return apply(new BinaryOp.Subtract(), a, b);
    }

    public int multiply(int a, int b) {
        return apply(new BinaryOp.Multiply(), a, b);
    }

    public int divide(int a, int b) {
        return apply(new BinaryOp.Divide(), a, b);
    }

    public int negate(int a) {
        return apply(new UnaryOp.Negate(), a);
    }

    /** {@code scalar} repeated to {@code shape}; the node itself when {@code shape} is scalar. */
    public int broadcast(int scalar, Shape shape) {
        return shape.isScalar() ? scalar : apply(new TensorOp.Broadcast(shape), scalar);
    }

    public Shape shapeOf(int id) {
        return nodes.get(id).shape();
    }

    public Node node(int id) {
        return nodes.get(id);
    }

    public int size() {
        return nodes.size();
    }

    /** Gives node {@code id} the origin {@code origin} unless it already has a name. */
    public void name(int id, Origin origin) {
        Node node = nodes.get(id);
        if (!node.origin().isNamed() && origin.isNamed()) {
            nodes.set(id, node.withOrigin(origin));
        }
    }

    public Graph build(List<Output> outputs) {
        return new Graph(nodes, outputs);
    }
}
