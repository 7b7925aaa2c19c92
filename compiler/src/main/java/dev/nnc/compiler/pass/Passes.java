package dev.nnc.compiler.pass;

import dev.nnc.compiler.graph.Graph;
import java.util.List;

/**
 * The optimisation suite: constant folding, algebraic simplification, common subexpressions and
 * dead code, repeated until the graph stops changing (each round can expose work for the next,
 * e.g. a product becomes single-use and can be flattened into its user).
 */
public final class Passes {
    /** Enough for every example; a bound so that a rewrite cycle would end, not hang. */
    private static final int MAX_ROUNDS = 16;

    private static final List<Pass> ROUND =
            List.of(new ConstantFolding(), new Simplify(), new CommonSubexpressions(), new DeadCode());

    private Passes() {}

    public static Graph optimize(Graph graph) {
        Graph current = new DeadCode().apply(graph);
        for (int round = 0; round < MAX_ROUNDS; round++) {
            Graph next = current;
            for (Pass pass : ROUND) {
                next = pass.apply(next);
            }
            if (next.equals(current)) {
                return next;
            }
            current = next;
        }
        return current;
    }

    /** The passes of one round, in order, for tests and debug dumps. */
    public static List<Pass> round() {
        return ROUND;
    }
}
