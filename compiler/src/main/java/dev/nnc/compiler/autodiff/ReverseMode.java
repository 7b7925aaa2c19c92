package dev.nnc.compiler.autodiff;

import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.GraphBuilder;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Symbol;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Builds the adjoint graph of a scalar output. Nodes are visited once, in decreasing id order (a
 * reverse topological order, so no recursion however deep the graph): each active node's adjoint
 * is the sum of the contributions its users made, and its op's rule then contributes to its
 * operands, reusing forward values. Only <em>active</em> nodes are differentiated: those that
 * depend on a requested leaf and that the output depends on. A leaf with no path to the output
 * gets a zero gradient.
 *
 * <p>The per-sample loss adjoint is seeded with 1; the mean over a batch is the generated code's
 * business (see {@link dev.nnc.compiler.graph.Lowering}).
 */
public final class ReverseMode {
    private ReverseMode() {}

    /**
     * The training graph of {@code network}: its loss output and the gradient of the loss with
     * respect to every parameter, in declaration order ({@code PARAMETER_NAMES} order).
     */
    public static Graph differentiateLoss(Graph training, Declaration.Network network) {
        return differentiate(training, Output.Kind.LOSS, parameters(network), null);
    }

    /**
     * As {@link #differentiateLoss}, with the loss adjoint seeded by the sample's weight in the
     * batch mean ({@link LeafOp.SampleWeight}) instead of 1: the gradients are those of the
     * sample's share of the mean loss, scaled once at the top of the backward pass.
     */
    public static Graph differentiateWeightedLoss(Graph training, Declaration.Network network) {
        return differentiate(training, Output.Kind.LOSS, parameters(network), new LeafOp.SampleWeight());
    }

    private static List<LeafOp> parameters(Declaration.Network network) {
        List<LeafOp> wrt = new ArrayList<>();
        for (Symbol.Param param : network.parameters()) {
            wrt.add(new LeafOp.Param(param.name(), param.shape()));
        }
        return wrt;
    }

    /** The graph of {@code function} with the gradient of its value in every argument, in order. */
    public static Graph differentiateValue(Graph graph, Declaration.Function function) {
        List<LeafOp> wrt = new ArrayList<>();
        for (Symbol.Argument argument : function.arguments()) {
            wrt.add(new LeafOp.Argument(argument.name(), argument.shape(), argument.index()));
        }
        return differentiate(graph, Output.Kind.VALUE, wrt);
    }

    /**
     * {@code graph} extended with the gradient of its (scalar) output of kind {@code of} with
     * respect to each leaf of {@code wrt}, as GRADIENT outputs named after the leaves.
     */
    public static Graph differentiate(Graph graph, Output.Kind of, List<? extends LeafOp> wrt) {
        return differentiate(graph, of, wrt, null);
    }

    /** As above, with the output's adjoint seeded by the scalar leaf {@code seed} (1 when null). */
    private static Graph differentiate(Graph graph, Output.Kind of, List<? extends LeafOp> wrt, LeafOp seed) {
        Output output = graph.output(of)
                .orElseThrow(() -> new InternalCompilerError("graph has no " + of + " output to differentiate"));
        if (!graph.node(output.node()).shape().isScalar()) {
            throw new InternalCompilerError("can only differentiate a scalar, not "
                    + graph.node(output.node()).shape());
        }
        GraphBuilder builder = GraphBuilder.extending(graph);
        int[] leaves = new int[wrt.size()];
        for (int i = 0; i < leaves.length; i++) {
            leaves[i] = builder.apply(wrt.get(i));
        }
        BitSet active = active(graph, output.node(), leaves);
        int[] adjoints = adjoints(graph, builder, output.node(), active, seed);
        List<Output> outputs = new ArrayList<>(graph.outputs());
        for (int i = 0; i < leaves.length; i++) {
            int leaf = leaves[i];
            int gradient = leaf < adjoints.length && adjoints[leaf] >= 0
                    ? adjoints[leaf]
                    : builder.constant(0, builder.shapeOf(leaf));
            outputs.add(new Output(Output.Kind.GRADIENT, name(wrt.get(i)), gradient));
        }
        return builder.build(outputs);
    }

    /** Nodes that depend on one of {@code leaves} and on which {@code output} depends. */
    private static BitSet active(Graph graph, int output, int[] leaves) {
        BitSet dependsOnLeaf = new BitSet(graph.size());
        for (int leaf : leaves) {
            if (leaf < graph.size()) {
                dependsOnLeaf.set(leaf);
            }
        }
        for (Node node : graph.nodes()) {
            for (int arg : node.args()) {
                if (dependsOnLeaf.get(arg)) {
                    dependsOnLeaf.set(node.id());
                    break;
                }
            }
        }
        BitSet needed = new BitSet(graph.size());
        needed.set(output);
        for (int id = output; id >= 0; id--) {
            if (needed.get(id)) {
                for (int arg : graph.node(id).args()) {
                    needed.set(arg);
                }
            }
        }
        dependsOnLeaf.and(needed);
        return dependsOnLeaf;
    }

    /** The adjoint node of every active node of the original graph, -1 where there is none. */
    private static int[] adjoints(Graph graph, GraphBuilder builder, int output, BitSet active, LeafOp seed) {
        List<List<Integer>> terms = new ArrayList<>(graph.size());
        for (int i = 0; i < graph.size(); i++) {
            terms.add(new ArrayList<>(1));
        }
        int[] adjoints = new int[graph.size()];
        java.util.Arrays.fill(adjoints, -1);
        if (!active.get(output)) {
            return adjoints;
        }
        terms.get(output).add(seed == null ? builder.constant(1, builder.shapeOf(output)) : builder.apply(seed));
        for (int id = output; id >= 0; id--) {
            List<Integer> contributions = terms.get(id);
            if (!active.get(id) || contributions.isEmpty()) {
                continue;
            }
            int adjoint = contributions.get(0);
            for (int i = 1; i < contributions.size(); i++) {
                adjoint = builder.add(adjoint, contributions.get(i));
            }
            Node node = graph.node(id);
            builder.name(adjoint, node.origin().adjoint());
            adjoints[id] = adjoint;
            node.op().differentiate(node, adjoint, builder, (position, contribution) -> {
                int operand = node.arg(position);
                if (!builder.shapeOf(contribution).equals(builder.shapeOf(operand))) {
                    throw new InternalCompilerError("rule of " + node.op().mnemonic() + " gave an adjoint of shape "
                            + builder.shapeOf(contribution) + " for an operand of shape " + builder.shapeOf(operand));
                }
                if (active.get(operand)) {
                    terms.get(operand).add(contribution);
                }
            });
        }
        return adjoints;
    }

    private static String name(LeafOp leaf) {
        if (leaf instanceof LeafOp.Read read) {
            return read.name();
        }
        throw new InternalCompilerError("cannot differentiate with respect to " + leaf.mnemonic());
    }
}
