package dev.nnc.compiler.graph;

import dev.nnc.compiler.semantic.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Operations without operands: reads of values that come from outside the graph, and constants.
 * They cost nothing and have no derivative rule; the adjoint of a leaf is a gradient (parameters,
 * arguments) or unused (inputs, targets, masks).
 */
public sealed interface LeafOp extends Op {
    /** The shape of the value read. */
    Shape valueShape();

    @Override
    default int arity() {
        return 0;
    }

    @Override
    default Shape shape(List<Shape> args) {
        Shapes.requireArity(this, args);
        return valueShape();
    }

    @Override
    default long cost(List<Shape> args, Shape out) {
        return 0;
    }

    @Override
    default void differentiate(Node node, int adjoint, GraphBuilder builder, Contributions contributions) {
        // A leaf has no operands to pass its adjoint on to.
    }

    /** A read of the leaf named {@code name()} from the bindings. */
    sealed interface Read extends LeafOp {
        String name();

        @Override
        default double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            return bindings.valueOf(name(), out.size());
        }
    }

    /** A per-sample input; {@code offset} is where it starts in the flat input row. */
    record Input(String name, Shape valueShape, int offset) implements Read {
        @Override
        public String mnemonic() {
            return "input " + name;
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitInput(this);
        }
    }

    /** A per-sample target; {@code offset} is where it starts in the flat target row. */
    record Target(String name, Shape valueShape, int offset) implements Read {
        @Override
        public String mnemonic() {
            return "target " + name;
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitTarget(this);
        }
    }

    /** A trainable parameter, e.g. {@code hidden.weight}. */
    record Param(String name, Shape valueShape) implements Read {
        @Override
        public String mnemonic() {
            return "param " + name;
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitParam(this);
        }
    }

    /** An argument of a function, at position {@code index}. */
    record Argument(String name, Shape valueShape, int index) implements Read {
        @Override
        public String mnemonic() {
            return "argument " + name;
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitArgument(this);
        }
    }

    /**
     * A buffer of the network ({@code bn.running_mean}): state that training updates through a
     * {@link Output.Kind#BUFFER} output but never differentiates.
     */
    record Buffer(String name, Shape valueShape) implements Read {
        @Override
        public String mnemonic() {
            return "buffer " + name;
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitBuffer(this);
        }
    }

    /**
     * The number of samples in the batch, a scalar: what turns a batch's biased variance into the
     * unbiased one of a running statistic. Unbound, the reference evaluator takes it as 1 (a batch
     * of one); {@link Evaluator#evaluateBatch} binds it.
     */
    record BatchSize() implements Read {
        /** The binding that holds the batch size. */
        public static final String NAME = "batch_size";

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public Shape valueShape() {
            return Shape.scalar();
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            return bindings.has(NAME) ? bindings.valueOf(NAME, 1) : new double[] {1};
        }

        @Override
        public String mnemonic() {
            return "batch_size";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitBatchSize(this);
        }
    }

    /**
     * The inverted-dropout mask of the dropout named {@code name}, in training graphs only: each
     * element is 0 (dropped, with probability {@code rate}) or {@code 1 / (1 - rate)} (kept), drawn
     * afresh for every sample by the generated code. Unbound, the reference evaluator keeps all.
     */
    record DropoutMask(String name, double rate, Shape valueShape) implements Read {
        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            if (bindings.has(name)) {
                return bindings.valueOf(name, out.size());
            }
            double[] kept = new double[out.size()];
            Arrays.fill(kept, 1 / (1 - rate));
            return kept;
        }

        @Override
        public String mnemonic() {
            return "dropout_mask " + name + " " + Shapes.number(rate);
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitDropoutMask(this);
        }
    }

    /**
     * The weight of one sample in the batch mean, {@code 1/n}, read by training kernels. When it
     * seeds the loss adjoint (see {@code ReverseMode.differentiateWeightedLoss}), every gradient
     * comes out already scaled, as in a hand-written backward pass, instead of being multiplied
     * by {@code 1/n} element by element. Unbound, the reference evaluator takes it as 1.
     */
    record SampleWeight() implements Read {
        @Override
        public String name() {
            return "weight";
        }

        @Override
        public Shape valueShape() {
            return Shape.scalar();
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            return bindings.has(name()) ? bindings.valueOf(name(), 1) : new double[] {1};
        }

        @Override
        public String mnemonic() {
            return "sample_weight";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitSampleWeight(this);
        }
    }

    /** A tensor whose elements all equal {@code value}. */
    record Constant(double value, Shape valueShape) implements LeafOp {
        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] result = new double[out.size()];
            Arrays.fill(result, value);
            return result;
        }

        @Override
        public String mnemonic() {
            return "const " + Shapes.number(value);
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitConstant(this);
        }
    }
}
