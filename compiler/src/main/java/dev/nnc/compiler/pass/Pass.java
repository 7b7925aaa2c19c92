package dev.nnc.compiler.pass;

import dev.nnc.compiler.graph.Graph;

/** One transformation of a graph into an equivalent one. */
public interface Pass {
    Graph apply(Graph graph);

    /** The name used in expect tests and debug output. */
    String name();
}
