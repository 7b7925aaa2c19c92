package dev.nnc.compiler.pass;

import dev.nnc.compiler.graph.Bindings;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.GraphBuilder;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Evaluates every non-leaf node whose operands are all constants, with the op's own reference
 * semantics, and replaces it by a constant when all elements of the result are the same (the only
 * tensors {@link LeafOp.Constant} represents). IEEE results are kept as they are, NaN and
 * infinities included, so folding never changes a value.
 */
public final class ConstantFolding implements Pass {
    private static final Bindings NO_LEAVES = Bindings.of(Map.of());

    @Override
    public Graph apply(Graph graph) {
        return Rebuild.all(graph, ConstantFolding::fold);
    }

    private static int fold(Node node, List<Integer> args, GraphBuilder builder, int[] map) {
        if (args.isEmpty()) {
            return builder.apply(node.op(), args);
        }
        List<double[]> values = new ArrayList<>(args.size());
        for (int arg : args) {
            if (!(builder.node(arg).op() instanceof LeafOp.Constant constant)) {
                return builder.apply(node.op(), args);
            }
            values.add(constant.evaluate(List.of(), builder.shapeOf(arg), NO_LEAVES));
        }
        double[] result = node.op().evaluate(values, node.shape(), NO_LEAVES);
        for (double v : result) {
            if (Double.doubleToLongBits(v) != Double.doubleToLongBits(result[0])) {
                return builder.apply(node.op(), args);
            }
        }
        return builder.constant(result[0], node.shape());
    }

    @Override
    public String name() {
        return "constant-folding";
    }
}
