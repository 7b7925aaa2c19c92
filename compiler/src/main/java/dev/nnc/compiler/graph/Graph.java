package dev.nnc.compiler.graph;

import dev.nnc.compiler.diagnostic.InternalCompilerError;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * An immutable SSA graph: {@code nodes.get(i).id() == i}, every operand id is smaller than its
 * user's (a topological order, which every traversal here relies on instead of recursion), and
 * {@code outputs} name the results.
 */
public record Graph(List<Node> nodes, List<Output> outputs) {
    public Graph {
        nodes = List.copyOf(nodes);
        outputs = List.copyOf(outputs);
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            if (node.id() != i) {
                throw new InternalCompilerError("node at position " + i + " has id " + node.id());
            }
            for (int arg : node.args()) {
                if (arg < 0 || arg >= i) {
                    throw new InternalCompilerError("node %" + i + " uses %" + arg + ", which does not precede it");
                }
            }
        }
        for (Output output : outputs) {
            if (output.node() < 0 || output.node() >= nodes.size()) {
                throw new InternalCompilerError("output " + output.name() + " names missing node %" + output.node());
            }
        }
    }

    public Node node(int id) {
        return nodes.get(id);
    }

    public int size() {
        return nodes.size();
    }

    /** The first output of {@code kind} (and, for gradients, any name). */
    public Optional<Output> output(Output.Kind kind) {
        return outputs.stream().filter(o -> o.kind() == kind).findFirst();
    }

    /** The output of {@code kind} named {@code name}. */
    public Optional<Output> output(Output.Kind kind, String name) {
        return outputs.stream()
                .filter(o -> o.kind() == kind && o.name().equals(name))
                .findFirst();
    }

    /** The nodes that the outputs accepted by {@code which} depend on, outputs included. */
    public BitSet reachableFrom(Predicate<Output> which) {
        BitSet live = new BitSet(nodes.size());
        for (Output output : outputs) {
            if (which.test(output)) {
                live.set(output.node());
            }
        }
        for (int id = nodes.size() - 1; id >= 0; id--) {
            if (live.get(id)) {
                for (int arg : nodes.get(id).args()) {
                    live.set(arg);
                }
            }
        }
        return live;
    }

    /** The nodes of the forward pass: those that prediction, loss and value outputs need. */
    public BitSet forwardNodes() {
        return reachableFrom(o -> o.kind().isForward());
    }

    /**
     * The nodes of the backward pass: those the gradient outputs need that the forward pass does
     * not compute.
     */
    public BitSet backwardNodes() {
        BitSet backward = reachableFrom(o -> !o.kind().isForward());
        backward.andNot(forwardNodes());
        return backward;
    }

    /**
     * The forward values the backward pass reads: the ones a generated class must keep from
     * forward to backward rather than recompute.
     */
    public BitSet savedForBackward() {
        BitSet forward = forwardNodes();
        BitSet backward = backwardNodes();
        BitSet saved = new BitSet(nodes.size());
        for (int id = backward.nextSetBit(0); id >= 0; id = backward.nextSetBit(id + 1)) {
            for (int arg : nodes.get(id).args()) {
                if (forward.get(arg)) {
                    saved.set(arg);
                }
            }
        }
        for (Output output : outputs) {
            if (!output.kind().isForward() && forward.get(output.node())) {
                saved.set(output.node());
            }
        }
        return saved;
    }

    /**
     * The nodes whose value depends on the sample: inputs, targets, dropout masks and everything
     * computed from them. The others are the same for every sample of a batch: values of the
     * parameters alone, and {@link BatchOp} means over the batch and what is computed from them.
     */
    public BitSet sampleDependent() {
        BitSet dependent = new BitSet(nodes.size());
        for (Node node : nodes) {
            boolean depends = node.op() instanceof LeafOp.Input
                    || node.op() instanceof LeafOp.Target
                    || node.op() instanceof LeafOp.DropoutMask;
            // A batch mean is the same for every sample of the batch, like a parameter.
            if (!(node.op() instanceof BatchOp)) {
                for (int arg : node.args()) {
                    depends |= dependent.get(arg);
                }
            }
            dependent.set(node.id(), depends);
        }
        return dependent;
    }

    /** How many operand slots and outputs refer to each node. */
    public int[] useCounts() {
        int[] uses = new int[nodes.size()];
        for (Node node : nodes) {
            for (int arg : node.args()) {
                uses[arg]++;
            }
        }
        for (Output output : outputs) {
            uses[output.node()]++;
        }
        return uses;
    }

    @Override
    public String toString() {
        return GraphPrinter.print(this);
    }
}
