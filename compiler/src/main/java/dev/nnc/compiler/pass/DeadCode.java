package dev.nnc.compiler.pass;

import dev.nnc.compiler.graph.Graph;

/** Removes every node that no output depends on, leaves included. */
public final class DeadCode implements Pass {
    @Override
    public Graph apply(Graph graph) {
        return Rebuild.of(graph, graph.reachableFrom(output -> true), Rebuild::copy);
    }

    @Override
    public String name() {
        return "dead-code";
    }
}
