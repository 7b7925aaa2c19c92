package dev.nnc.compiler.loops;

import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.Node;
import java.util.List;

/**
 * The entry point of the loop-nest stage: the ops that lower to loops over flat arrays, and the
 * scheduled nest of one of them.
 */
public final class Loops {
    private Loops() {}

    /** Whether {@code node}'s op is computed by a loop nest of this stage. */
    public static boolean lowers(Node node) {
        return PoolNests.lowers(node);
    }

    /**
     * The statements that compute {@code node} for one sample, scheduled: each element of a
     * node's value is addressed by its row-major position within the sample.
     */
    public static List<Stmt> of(Node node, Graph graph) {
        return Scheduler.schedule(PoolNests.lower(node, graph));
    }
}
