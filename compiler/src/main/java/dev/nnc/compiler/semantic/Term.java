package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.SourceSpan;
import java.util.List;
import java.util.Optional;

/**
 * A checked expression: every name resolved, every shape known, every call's arguments in
 * order with defaults filled in. Compile-time constants ({@code const}, numbers) are already
 * folded into {@link Literal}s. Terms form a DAG: a {@link Read} of a definition refers to the
 * definition's term rather than copying it.
 */
public sealed interface Term {
    Shape shape();

    SourceSpan span();

    /**
     * The terms this one is computed from, in order; a read of a definition has the definition's
     * value as its one operand, so that walking operands walks the whole DAG.
     */
    List<Term> operands();

    /** A scalar constant. */
    record Literal(double value, SourceSpan span) implements Term {
        @Override
        public Shape shape() {
            return Shape.scalar();
        }

        @Override
        public List<Term> operands() {
            return List.of();
        }
    }

    /** The value of an input, target, parameter, definition or function argument. */
    record Read(Symbol symbol, SourceSpan span) implements Term {
        @Override
        public Shape shape() {
            return symbol.shape();
        }

        @Override
        public List<Term> operands() {
            return symbol instanceof Symbol.Definition definition ? List.of(definition.value()) : List.of();
        }
    }

    /** {@code -operand}. */
    record Negate(Term operand, SourceSpan span) implements Term {
        @Override
        public Shape shape() {
            return operand.shape();
        }

        @Override
        public List<Term> operands() {
            return List.of(operand);
        }
    }

    /** Elementwise {@code + - * /}; a scalar operand is broadcast over the other one's shape. */
    record Arithmetic(Op op, Term left, Term right, Shape shape, SourceSpan span) implements Term {
        @Override
        public List<Term> operands() {
            return List.of(left, right);
        }

        public enum Op {
            ADD,
            SUBTRACT,
            MULTIPLY,
            DIVIDE
        }
    }

    /** {@code left @ right}: matrix-vector or matrix-matrix product. */
    record MatMul(Term left, Term right, Shape shape, SourceSpan span) implements Term {
        @Override
        public List<Term> operands() {
            return List.of(left, right);
        }
    }

    /** {@code base ^ exponent} with a compile-time constant exponent, elementwise. */
    record Power(Term base, double exponent, SourceSpan span) implements Term {
        @Override
        public Shape shape() {
            return base.shape();
        }

        @Override
        public List<Term> operands() {
            return List.of(base);
        }
    }

    /** {@code vector[index]} with a constant index, checked in range. */
    record Element(Term vector, int index, SourceSpan span) implements Term {
        @Override
        public Shape shape() {
            return Shape.scalar();
        }

        @Override
        public List<Term> operands() {
            return List.of(vector);
        }
    }

    /**
     * A builtin applied to its arguments. {@code option} is the value of the builtin's one
     * named option ({@code alpha} of {@code leaky_relu} and {@code elu}), its default when not
     * given, and NaN for builtins without one. Regularisers ({@code l1}, {@code l2}) take any
     * number of arguments: {@code weights} expands to one {@link Read} per weight.
     */
    record Apply(Builtin function, List<Term> arguments, double option, Shape shape, SourceSpan span) implements Term {
        public Apply {
            arguments = List.copyOf(arguments);
        }

        @Override
        public List<Term> operands() {
            return arguments;
        }
    }

    /** {@code dense(input, units, activation, init, bias)}: {@code activation(weight @ input + bias)}. */
    record Dense(
            Term input,
            Symbol.Param weight,
            Optional<Symbol.Param> bias,
            Builtin activation,
            double activationOption,
            Shape shape,
            SourceSpan span)
            implements Term {
        @Override
        public List<Term> operands() {
            return List.of(input);
        }
    }

    /**
     * {@code rbf(input, units)}: {@code exp(-||input - centers[j]||^2 / widths[j]^2)} for each of
     * the units.
     */
    record Rbf(Term input, Symbol.Param centers, Symbol.Param widths, Shape shape, SourceSpan span) implements Term {
        @Override
        public List<Term> operands() {
            return List.of(input);
        }
    }

    /** {@code dropout(input, rate)}: inverted dropout while training, identity in prediction. */
    record Dropout(Term input, double rate, SourceSpan span) implements Term {
        @Override
        public Shape shape() {
            return input.shape();
        }

        @Override
        public List<Term> operands() {
            return List.of(input);
        }
    }

    /**
     * The window of a convolution or pooling over the trailing 1 or 2 (spatial) dimensions of its
     * input: one entry per spatial dimension in each list. Padding may differ at the two ends
     * ({@code padding = same} with an even window pads one more at the end, as PyTorch does).
     */
    record Window(
            List<Integer> kernel,
            List<Integer> stride,
            List<Integer> padBegin,
            List<Integer> padEnd,
            List<Integer> dilation) {
        public Window {
            kernel = List.copyOf(kernel);
            stride = List.copyOf(stride);
            padBegin = List.copyOf(padBegin);
            padEnd = List.copyOf(padEnd);
            dilation = List.copyOf(dilation);
        }

        /** The number of spatial dimensions: 1 or 2. */
        public int rank() {
            return kernel.size();
        }

        /**
         * The output length along spatial dimension {@code axis} for an input length {@code in},
         * PyTorch's {@code floor((in + padBegin + padEnd - dilation*(k-1) - 1)/stride) + 1}; below 1
         * when the padded input is shorter than the window.
         */
        public int output(int axis, int in) {
            int span = dilation.get(axis) * (kernel.get(axis) - 1) + 1;
            return Math.floorDiv(in + padBegin.get(axis) + padEnd.get(axis) - span, stride.get(axis)) + 1;
        }
    }

    /**
     * {@code conv1d} or {@code conv2d}: the cross-correlation of {@code input [C, *in]} with
     * {@code weight [filters, C, *kernel]}, plus {@code bias [filters]}, through the activation;
     * PyTorch's {@code torch.nn.Conv1d}/{@code Conv2d}.
     */
    record Conv(
            Term input,
            Symbol.Param weight,
            Optional<Symbol.Param> bias,
            Window window,
            Builtin activation,
            double activationOption,
            Shape shape,
            SourceSpan span)
            implements Term {
        @Override
        public List<Term> operands() {
            return List.of(input);
        }
    }

    /**
     * {@code rnn}, {@code gru} or {@code lstm} over {@code input [T, F]}: PyTorch's {@code
     * torch.nn.RNN}/{@code GRU}/{@code LSTM} (one layer, {@code batch_first}) from a zero state;
     * the last state {@code [units]} or, with {@code sequences}, every state {@code [T, units]}.
     * {@code weightIh [G units, F]}, {@code weightHh [G units, units]}, {@code biasIh} and {@code
     * biasHh [G units]}, with the gates in PyTorch's order.
     */
    record Recurrent(
            Cell cell,
            Term input,
            Symbol.Param weightIh,
            Symbol.Param weightHh,
            Symbol.Param biasIh,
            Symbol.Param biasHh,
            int units,
            boolean sequences,
            Shape shape,
            SourceSpan span)
            implements Term {
        @Override
        public List<Term> operands() {
            return List.of(input);
        }

        /** The recurrent cells; {@code rnn} with its activation. */
        public enum Cell {
            RNN_TANH,
            RNN_RELU,
            GRU,
            LSTM;

            /** The blocks of {@code units} rows of the weights: 1, 3 or 4. */
            public int gates() {
                return switch (this) {
                    case RNN_TANH, RNN_RELU -> 1;
                    case GRU -> 3;
                    case LSTM -> 4;
                };
            }
        }
    }

    /**
     * {@code batch_norm(input, momentum, eps)}: PyTorch's {@code BatchNorm1d}/{@code BatchNorm2d}
     * over the features of a vector or the channels (first dimension) of a tensor. Training
     * normalises with the batch's mean and biased variance and moves the running statistics
     * towards the batch's (the variance unbiased); prediction normalises with the running
     * statistics. {@code weight} and {@code bias} are {@code [C]}, and so are the two buffers.
     */
    record BatchNorm(
            Term input,
            Symbol.Param weight,
            Symbol.Param bias,
            Buffer runningMean,
            Buffer runningVar,
            double momentum,
            double eps,
            SourceSpan span)
            implements Term {
        @Override
        public Shape shape() {
            return input.shape();
        }

        @Override
        public List<Term> operands() {
            return List.of(input);
        }

        /** The normalised groups: features of a vector, channels of a tensor. */
        public int channels() {
            return input.shape().dim(0);
        }
    }

    /**
     * {@code layer_norm(input, eps)}: {@code (input - mean) / sqrt(var + eps) * weight + bias}
     * over all elements of one sample, with the biased variance; PyTorch's {@code
     * torch.nn.LayerNorm(input.shape)}. {@code weight} and {@code bias} have the input's shape.
     */
    record LayerNorm(Term input, Symbol.Param weight, Symbol.Param bias, double eps, SourceSpan span) implements Term {
        @Override
        public Shape shape() {
            return input.shape();
        }

        @Override
        public List<Term> operands() {
            return List.of(input);
        }
    }

    /**
     * {@code embedding(ids, count, dim)}: row {@code ids[i]} of {@code weight [count, dim]} for
     * each id, {@code [k] -> [k, dim]} or a scalar to {@code [dim]}; PyTorch's {@code
     * torch.nn.Embedding}. The ids are elements of the input row, at {@code positions} (one per
     * id, in row-major order), so that the generated code can check them before it reads any.
     */
    record Embedding(Term ids, Symbol.Param weight, List<IdPosition> positions, Shape shape, SourceSpan span)
            implements Term {
        public Embedding {
            positions = List.copyOf(positions);
        }

        /** The rows of the table: ids lie in {@code [0, count)}. */
        public int count() {
            return weight.shape().rows();
        }

        @Override
        public List<Term> operands() {
            return List.of(ids);
        }

        /**
         * Where one id lies: element {@code index} (row-major; -1 for a scalar input) of input
         * {@code input}, at {@code offset} in the flat input row.
         */
        public record IdPosition(String input, int index, int offset) {}
    }

    /**
     * {@code max_pool1d/2d} or {@code avg_pool1d/2d}: each channel of {@code input [C, *in]}
     * pooled over the window. Average pooling divides by the whole window, padding included.
     */
    record Pool(Kind kind, Term input, Window window, Shape shape, SourceSpan span) implements Term {
        @Override
        public List<Term> operands() {
            return List.of(input);
        }

        /** Which value of a window a pool keeps. */
        public enum Kind {
            MAX,
            AVERAGE
        }
    }

    /** {@code global_avg_pool} or {@code global_max_pool}: {@code [C, ...]} to {@code [C]}. */
    record GlobalPool(Pool.Kind kind, Term input, Shape shape, SourceSpan span) implements Term {
        @Override
        public List<Term> operands() {
            return List.of(input);
        }
    }

    /**
     * {@code reshape(input, dims)} or {@code flatten(input)}: the same elements in row-major
     * order under another shape of the same size.
     */
    record Reshape(Term input, Shape shape, SourceSpan span) implements Term {
        @Override
        public List<Term> operands() {
            return List.of(input);
        }
    }

    /** {@code concat(parts...)}: the parts one after another along the first dimension. */
    record Concat(List<Term> parts, Shape shape, SourceSpan span) implements Term {
        public Concat {
            parts = List.copyOf(parts);
        }

        @Override
        public List<Term> operands() {
            return parts;
        }
    }

    /**
     * {@code input[from:to]}: rows {@code from} (inclusive) to {@code to} (exclusive) along the
     * first dimension. {@code x[i]} of a tensor of rank 2 or more is the slice {@code i:i+1}
     * reshaped to drop that dimension.
     */
    record Slice(Term input, int from, int to, SourceSpan span) implements Term {
        @Override
        public Shape shape() {
            return input.shape().withRows(to - from);
        }

        @Override
        public List<Term> operands() {
            return List.of(input);
        }
    }
}
