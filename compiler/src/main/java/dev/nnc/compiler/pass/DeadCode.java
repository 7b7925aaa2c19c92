package dev.nnc.compiler.pass;

import dev.nnc.compiler.graph.Graph;
import java.util.BitSet;

/** Removes every node that no output depends on, leaves included. */
public final class DeadCode implements Pass {
    @Override
    public Graph apply(Graph graph) {
        BitSet live = graph.reachableFrom(output -> true);
        return live.cardinality() == graph.size() ? graph : Rebuild.of(graph, live, Rebuild::copy);
    }

    @Override
    public String name() {
        return "dead-code";
    }
}
