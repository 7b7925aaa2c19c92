package dev.nnc.compiler.pass;

import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.GraphBuilder;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.Output;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The skeleton every pass shares: walk the old graph in id order, map each kept node to a node of
 * a new builder, then map the outputs. Names travel with the nodes. The builder hash-conses (so
 * every pass also merges common subexpressions) and folds constants (so no rewrite leaves an
 * all-constant node behind, see {@link GraphBuilder#folding()}).
 */
final class Rebuild {
    /** How one node is rebuilt from its operands' new ids. */
    @FunctionalInterface
    interface Rewrite {
        int rewrite(Node node, List<Integer> args, GraphBuilder builder, int[] map);
    }

    private Rebuild() {}

    static Graph of(Graph graph, BitSet keep, Rewrite rewrite) {
        GraphBuilder builder = GraphBuilder.folding();
        int[] map = new int[graph.size()];
        for (int id = keep.nextSetBit(0); id >= 0; id = keep.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            List<Integer> args = new ArrayList<>(node.args().size());
            for (int arg : node.args()) {
                args.add(map[arg]);
            }
            int rebuilt = rewrite.rewrite(node, args, builder, map);
            builder.name(rebuilt, node.origin());
            map[id] = rebuilt;
        }
        List<Output> outputs = new ArrayList<>();
        for (Output output : graph.outputs()) {
            outputs.add(new Output(output.kind(), output.name(), map[output.node()]));
        }
        return builder.build(outputs);
    }

    /**
     * Rebuilds the nodes that some output needs: the nodes a previous pass left dead are not
     * carried through another (a folded chain of 100,000 constants, say).
     */
    static Graph live(Graph graph, Rewrite rewrite) {
        return of(graph, graph.reachableFrom(output -> true), rewrite);
    }

    static int copy(Node node, List<Integer> args, GraphBuilder builder, int[] map) {
        return builder.apply(node.op(), args);
    }
}
