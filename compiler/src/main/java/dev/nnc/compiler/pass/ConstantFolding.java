package dev.nnc.compiler.pass;

import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.GraphBuilder;

/**
 * Evaluates every non-leaf node whose operands are all constants, with the op's own reference
 * semantics, and replaces it by a constant when all elements of the result are the same (the only
 * tensors {@code LeafOp.Constant} represents). IEEE results are kept as they are, NaN and
 * infinities included, so folding never changes a value.
 *
 * <p>The folding itself is {@link GraphBuilder#folding()}'s, which every pass builds through (see
 * {@link Rebuild}), so that the nodes a rewrite creates are folded as they are created, in the
 * same round; this pass is that rebuild with no other rewrite.
 */
public final class ConstantFolding implements Pass {
    @Override
    public Graph apply(Graph graph) {
        return Rebuild.live(graph, Rebuild::copy);
    }

    @Override
    public String name() {
        return "constant-folding";
    }
}
