package dev.nnc.compiler.graph;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The reference interpreter: evaluates a graph in double, node by node in id order, with each
 * op's {@link Op#evaluate} (the numerically stable formulas). It is the oracle of the gradient
 * and pass tests and computes the figures of {@code nnc report}; it is not fast.
 */
public final class Evaluator {
    private Evaluator() {}

    /** The values of every node needed by an output (others are left {@code null}). */
    public static Values evaluate(Graph graph, Bindings bindings) {
        BitSet needed = graph.reachableFrom(o -> true);
        double[][] values = new double[graph.size()][];
        for (int id = needed.nextSetBit(0); id >= 0; id = needed.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            List<double[]> args = new ArrayList<>(node.args().size());
            for (int arg : node.args()) {
                args.add(values[arg]);
            }
            values[id] = node.op().evaluate(args, node.shape(), bindings);
        }
        return new Values(graph, values);
    }

    /**
     * The values of every node for a batch, one {@link Values} per sample ({@code samples.get(b)}
     * binds sample {@code b}'s leaves): node by node over all samples, so that a {@link BatchOp}
     * sees every sample's operand. {@link LeafOp.BatchSize} is bound to the number of samples.
     * Per-sample ops give what {@link #evaluate} gives each sample alone.
     */
    public static List<Values> evaluateBatch(Graph graph, List<Bindings> samples) {
        BitSet needed = graph.reachableFrom(o -> true);
        int n = samples.size();
        List<Bindings> bound = new ArrayList<>(n);
        for (Bindings sample : samples) {
            bound.add(sample.with(LeafOp.BatchSize.NAME, new double[] {n}));
        }
        double[][][] values = new double[n][graph.size()][];
        for (int id = needed.nextSetBit(0); id >= 0; id = needed.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            if (node.op() instanceof BatchOp batch) {
                List<double[]> operands = new ArrayList<>(n);
                for (int b = 0; b < n; b++) {
                    operands.add(values[b][node.arg(0)]);
                }
                double[] shared = batch.evaluateBatch(operands);
                for (int b = 0; b < n; b++) {
                    values[b][id] = shared.clone();
                }
                continue;
            }
            for (int b = 0; b < n; b++) {
                List<double[]> args = new ArrayList<>(node.args().size());
                for (int arg : node.args()) {
                    args.add(values[b][arg]);
                }
                values[b][id] = node.op().evaluate(args, node.shape(), bound.get(b));
            }
        }
        List<Values> result = new ArrayList<>(n);
        for (int b = 0; b < n; b++) {
            result.add(new Values(graph, values[b]));
        }
        return result;
    }

    /** Evaluated node values; arrays are copies, so callers may keep or change them. */
    public static final class Values {
        private final Graph graph;
        private final double[][] values;

        Values(Graph graph, double[][] values) {
            this.graph = graph;
            this.values = values;
        }

        public double[] of(int node) {
            return values[node].clone();
        }

        public double[] of(Output output) {
            return of(output.node());
        }

        /** The value of the first output of {@code kind}. */
        public double[] of(Output.Kind kind) {
            return of(graph.output(kind).orElseThrow());
        }

        /** The gradient output for the parameter or argument {@code name}. */
        public double[] gradient(String name) {
            return of(graph.output(Output.Kind.GRADIENT, name).orElseThrow());
        }

        /** The scalar value of the first output of {@code kind}. */
        public double scalar(Output.Kind kind) {
            return of(kind)[0];
        }
    }
}
