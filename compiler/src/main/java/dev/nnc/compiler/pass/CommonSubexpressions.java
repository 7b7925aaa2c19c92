package dev.nnc.compiler.pass;

import dev.nnc.compiler.graph.Graph;

/**
 * Merges nodes that apply the same op to the same operands (commutative operands in either
 * order). Rebuilding through the hash-consing {@code GraphBuilder} does the work, in one pass in
 * id order, since operands are merged before their users are looked up.
 */
public final class CommonSubexpressions implements Pass {
    @Override
    public Graph apply(Graph graph) {
        return Rebuild.live(graph, Rebuild::copy);
    }

    @Override
    public String name() {
        return "cse";
    }
}
