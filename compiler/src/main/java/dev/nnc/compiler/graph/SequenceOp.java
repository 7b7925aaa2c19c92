package dev.nnc.compiler.graph;

import dev.nnc.compiler.semantic.Shape;
import dev.nnc.compiler.semantic.Term.Recurrent.Cell;
import java.util.List;

/**
 * The recurrence of a recurrent layer ({@code rnn}, {@code gru}, {@code lstm}) over a sequence of
 * {@code steps} time steps, and its adjoint. Equations, gate order and layouts are PyTorch's.
 *
 * <p>A layer is lowered in three parts so that only the sequential part is special: the input
 * projection of all steps at once ({@code p = x W_ih^T + b_ih}, an ordinary product), the
 * {@link Recurrence}, which adds {@code W_hh h + b_hh} step by step and applies the cell, and
 * views of its trace for the states. The trace keeps every value the backward pass needs (the
 * states and the gates of every step), so backpropagation through time recomputes nothing.
 *
 * <p>{@link RecurrenceGrad} runs backward through time and returns the gradients of the two
 * pre-activations of every step, {@code p} and {@code q = W_hh h + b_hh}; the gradients of the
 * weights, biases and inputs are ordinary products of those ({@code dW_hh = Σ_t dq_t h_{t-1}^T},
 * {@code dx = dp W_ih}), so the family stays two ops. Reverse mode differentiates a network's
 * loss once, and {@link RecurrenceGrad} is where it ends: it has no derivative rule of its own.
 *
 * <p>The cells ({@link Cell}): {@code rnn}, {@code h' = tanh(p + q)} or {@code relu(p + q)}; {@code
 * gru}, gates {@code r, z, n} with {@code r = σ(p_r + q_r)}, {@code z = σ(p_z + q_z)}, {@code n =
 * tanh(p_n + r q_n)}, {@code h' = (1 - z) n + z h}; {@code lstm}, gates {@code i, f, g, o} with
 * {@code c' = σ(f) c + σ(i) tanh(g)}, {@code h' = σ(o) tanh(c')}.
 */
public sealed interface SequenceOp extends Op {

    /**
     * The {@code [steps, units]} blocks of a cell's trace; block 0 holds the states. A GRU keeps
     * {@code h, r, z, n, q_n}; an LSTM {@code h, c, i, f, g, o, tanh(c)}.
     */
    static int traced(Cell cell) {
        return switch (cell) {
            case RNN_TANH, RNN_RELU -> 1;
            case GRU -> 5;
            case LSTM -> 7;
        };
    }

    /** The flops of one step's cell per unit, beside its product. */
    private static long elementwiseCost(Cell cell) {
        return switch (cell) {
            case RNN_TANH, RNN_RELU -> 2;
            case GRU -> 12;
            case LSTM -> 14;
        };
    }

    /**
     * The forward recurrence from a zero state: operands {@code p [T, G H]} (the input projection
     * with {@code b_ih}), {@code w_hh [G H, H]} and {@code b_hh [G H]}; result the trace {@code
     * [K, T, H]}, whose block 0 is the state of every step.
     */
    record Recurrence(Cell cell, int steps, int units) implements SequenceOp {
        @Override
        public int arity() {
            return 3;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            int rows = cell.gates() * units;
            Shapes.require(
                    args.get(0).equals(Shape.matrix(steps, rows))
                            && args.get(1).equals(Shape.matrix(rows, units))
                            && args.get(2).equals(Shape.vector(rows)),
                    this,
                    args);
            return Shape.of(traced(cell), steps, units);
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            long rows = (long) cell.gates() * units;
            return steps * (2 * rows * units + elementwiseCost(cell) * units);
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            return Sequences.forward(cell, steps, units, args.get(0), args.get(1), args.get(2));
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int rows = cell.gates() * units;
            Shape sequence = Shape.matrix(steps, units);
            Shape preActivations = Shape.matrix(steps, rows);
            int grads = b.apply(new RecurrenceGrad(cell, steps, units), adjoint, node.id(), node.arg(1));
            int dp = b.apply(new SpatialOp.Reshape(preActivations), b.apply(new SpatialOp.Slice(0, 1), grads));
            int dq = b.apply(new SpatialOp.Reshape(preActivations), b.apply(new SpatialOp.Slice(1, 2), grads));
            out.add(0, dp);
            if (steps > 1) {
                // dW_hh = Σ_{t ≥ 1} dq_t h_{t-1}^T: the first step reads the zero state.
                int states = b.apply(new SpatialOp.Reshape(sequence), b.apply(new SpatialOp.Slice(0, 1), node.id()));
                int earlier = b.apply(new SpatialOp.Slice(0, steps - 1), states);
                int later = b.apply(new SpatialOp.Slice(1, steps), dq);
                out.add(1, b.apply(new TensorOp.MatMul(), b.apply(new TensorOp.Transpose(), later), earlier));
            }
            out.add(2, b.apply(new TensorOp.ColumnSum(), dq));
        }

        @Override
        public String mnemonic() {
            return "recurrence(" + cell.name().toLowerCase(java.util.Locale.ROOT) + " " + steps + "x" + units + ")";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitRecurrence(this);
        }
    }

    /**
     * Backpropagation through time: operands the adjoint of the trace {@code [K, T, H]}, the
     * {@link Recurrence}'s trace and {@code w_hh [G H, H]}; result {@code [2, T, G H]}, the
     * adjoints of {@code p} (block 0) and of {@code q} (block 1). They differ only in a GRU's
     * {@code n} gate, where {@code dq_n = r dp_n + dq_n'} with {@code dq_n'} the adjoint of the
     * traced {@code q_n}. A network reads only the states from a trace, so the adjoint's other
     * blocks are zero there and the generated loops do not read them, but the rule holds for any.
     */
    record RecurrenceGrad(Cell cell, int steps, int units) implements SequenceOp {
        @Override
        public int arity() {
            return 3;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            int rows = cell.gates() * units;
            Shapes.require(
                    args.get(0).equals(Shape.of(traced(cell), steps, units))
                            && args.get(1).equals(Shape.of(traced(cell), steps, units))
                            && args.get(2).equals(Shape.matrix(rows, units)),
                    this,
                    args);
            return Shape.of(2, steps, rows);
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            long rows = (long) cell.gates() * units;
            return steps * (2 * rows * units + 2 * elementwiseCost(cell) * units);
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            return Sequences.backward(cell, steps, units, args.get(0), args.get(1), args.get(2));
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            throw new UnsupportedOperationException(
                    "backpropagation through time is not differentiated: reverse mode differentiates a loss once");
        }

        @Override
        public String mnemonic() {
            return "recurrence_grad(" + cell.name().toLowerCase(java.util.Locale.ROOT) + " " + steps + "x" + units
                    + ")";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitRecurrenceGrad(this);
        }
    }
}
