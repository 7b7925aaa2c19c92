package dev.nnc.compiler.graph;

import java.util.BitSet;

/**
 * The operation counts that {@code nnc report} shows: each {@code + - * /} and each elementary
 * function call counts one, per element, per sample. Forward counts the nodes that the forward
 * outputs need; backward the further nodes that the gradients need (forward values they reuse are
 * not counted again). Count after {@code Passes.optimize} to report what the generated code does.
 */
public record OpCount(long forward, long backward) {
    public long total() {
        return forward + backward;
    }

    public static OpCount of(Graph graph) {
        return new OpCount(sum(graph, graph.forwardNodes()), sum(graph, graph.backwardNodes()));
    }

    /** The cost of one node. */
    public static long of(Graph graph, Node node) {
        return node.op()
                .cost(node.args().stream().map(a -> graph.node(a).shape()).toList(), node.shape());
    }

    private static long sum(Graph graph, BitSet nodes) {
        long total = 0;
        for (int id = nodes.nextSetBit(0); id >= 0; id = nodes.nextSetBit(id + 1)) {
            total += of(graph, graph.node(id));
        }
        return total;
    }
}
