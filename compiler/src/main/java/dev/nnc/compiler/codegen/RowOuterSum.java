package dev.nnc.compiler.codegen;

import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.TensorOp;
import java.util.Optional;

/**
 * A weight gradient that is a sum of outer products of matching rows, {@code g[i][j] = Σ_k
 * u[k][i] v[k][j]}: the graph's {@code matmul(transpose(u), v)}, or its transpose (then {@code u}
 * and {@code v} trade places). Reverse mode makes this of a product applied to every row of a
 * per-sample matrix, such as a recurrent layer's {@code W_ih} over its steps ({@code Σ_t dp_t
 * x_t^T}) and {@code W_hh} ({@code Σ_t dq_t h_{t-1}^T}). {@code product} is the matmul node.
 */
record RowOuterSum(int product, int u, int v, int terms) {

    /** The sum that node {@code id} computes, if it is one. */
    static Optional<RowOuterSum> of(Graph graph, int id) {
        Node node = graph.node(id);
        if (node.op() instanceof TensorOp.Transpose) {
            return product(graph, node.arg(0)).map(sum -> new RowOuterSum(sum.product, sum.v, sum.u, sum.terms));
        }
        return product(graph, id);
    }

    private static Optional<RowOuterSum> product(Graph graph, int id) {
        Node node = graph.node(id);
        if (!(node.op() instanceof TensorOp.MatMul)) {
            return Optional.empty();
        }
        Node left = graph.node(node.arg(0));
        if (!(left.op() instanceof TensorOp.Transpose)) {
            return Optional.empty();
        }
        return Optional.of(new RowOuterSum(
                id, left.arg(0), node.arg(1), graph.node(left.arg(0)).shape().rows()));
    }
}
