package dev.nnc.compiler.graph;

import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Shape;
import dev.nnc.compiler.semantic.Symbol;
import dev.nnc.compiler.semantic.Term;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lowers a checked declaration to a per-sample graph of primitive ops.
 *
 * <ul>
 *   <li>{@code dense} becomes {@code matvec}, a bias {@code add} and the activation; {@code rbf}
 *       the squared distances to the centers divided by the squared widths, negated, through
 *       {@code exp}; {@code dropout} a product with a {@link LeafOp.DropoutMask} in the training
 *       graph and nothing in the prediction graph.
 *   <li>{@code cross_entropy(softmax(z), y)} becomes {@link LossOp.SoftmaxCrossEntropy} of the
 *       logits and {@code binary_cross_entropy(sigmoid(z), y)} {@link
 *       LossOp.SigmoidBinaryCrossEntropy}, wherever the softmax or sigmoid comes from (a
 *       definition, a layer's activation), with {@code exp(-|z|)} as a node of its own; {@code
 *       softplus(x)} becomes {@link BinaryOp.SoftplusFromExp} of {@code x} and that node; {@code
 *       log(softmax(z))} becomes {@code log_softmax}.
 *   <li>{@code rnn}/{@code gru}/{@code lstm} become the input projection of every step, a {@link
 *       SequenceOp.Recurrence} and views of its states.
 *   <li>{@code batch_norm} becomes elementwise ops per channel over the batch's statistics
 *       ({@link BatchOp.Mean}) in the training graph, over the running statistics ({@link
 *       LeafOp.Buffer}) in the prediction graph.
 *   <li>{@code layer_norm} becomes sums, broadcasts and elementwise ops (see {@link #layerNorm});
 *       {@code embedding} a {@link TensorOp.Embedding} of the ids and the weight.
 *   <li>{@code conv1d}/{@code conv2d} become {@link SpatialOp.Conv} and the activation; pools
 *       {@link SpatialOp.MaxPool} or {@link SpatialOp.AvgPool}; {@code global_avg_pool} {@link
 *       SpatialOp.ChannelSum} scaled by {@code 1/plane}, {@code global_max_pool} a max pool over
 *       the whole plane; {@code reshape}, {@code flatten}, slices and {@code concat} the {@link
 *       SpatialOp} of the same name, and {@code x[i]} of a tensor a slice of one row reshaped.
 *   <li>Scalars combined with tensors are broadcast explicitly; integer powers become products
 *       (by squaring), {@code ^0.5} becomes {@code sqrt}.
 * </ul>
 *
 * <p>The graph is per sample, and its loss output is the loss of one sample. The loss of a batch
 * is the mean over its samples: the generated code (and {@code Evaluator} users) seed the
 * per-sample loss adjoint with 1, accumulate the per-sample gradients and multiply the sum by
 * {@code 1/n} once per batch, which costs one product per parameter per batch instead of per
 * sample.
 *
 * <p>Terms form a DAG that can be deep (chains of definitions), so it is walked with an explicit
 * stack; a term reached twice is lowered once.
 */
public final class Lowering {
    /** Which graph of a network to build. */
    public enum Mode {
        /**
         * Inference: dropout is the identity. Outputs: the prediction and, for trainable
         * networks, the loss (what {@code loss(xs, ys, n)} evaluates).
         */
        PREDICTION,
        /** Training: dropout masks apply. Output: the loss only, which reverse mode differentiates. */
        TRAINING
    }

    private final GraphBuilder builder = GraphBuilder.create();
    private final Map<Term, Integer> lowered = new IdentityHashMap<>();
    private final Map<Term, String> dropoutNames = new IdentityHashMap<>();
    /** The next values of the buffers, in training graphs: outputs after the loss. */
    private final List<Output> bufferUpdates = new ArrayList<>();

    private final Mode mode;

    private Lowering(Mode mode) {
        this.mode = mode;
    }

    /** The graph of {@code network} in {@code mode}; TRAINING needs a trainable network. */
    public static Graph lower(Declaration.Network network, Mode mode) {
        Lowering lowering = new Lowering(mode);
        for (Symbol.Definition definition : network.definitions()) {
            if (definition.value() instanceof Term.Dropout) {
                lowering.dropoutNames.put(definition.value(), definition.name() + ".mask");
            }
        }
        List<Output> outputs = new ArrayList<>();
        if (mode == Mode.TRAINING) {
            Term loss = network.loss()
                    .orElseThrow(() -> new InternalCompilerError(network.name() + " has no loss to train"));
            outputs.add(new Output(Output.Kind.LOSS, "loss", lowering.lower(loss)));
            outputs.addAll(lowering.bufferUpdates);
        } else {
            outputs.add(
                    new Output(Output.Kind.PREDICTION, outputName(network.output()), lowering.lower(network.output())));
            network.loss().ifPresent(loss -> outputs.add(new Output(Output.Kind.LOSS, "loss", lowering.lower(loss))));
        }
        return lowering.builder.build(outputs);
    }

    /** The graph of {@code function}: one VALUE output named after the function. */
    public static Graph lower(Declaration.Function function) {
        Lowering lowering = new Lowering(Mode.PREDICTION);
        for (Symbol.Argument argument : function.arguments()) {
            lowering.leaf(new LeafOp.Argument(argument.name(), argument.shape(), argument.index()), argument);
        }
        int value = lowering.lower(function.result());
        return lowering.builder.build(List.of(new Output(Output.Kind.VALUE, function.name(), value)));
    }

    private static String outputName(Term output) {
        return output instanceof Term.Read read ? read.symbol().name() : "output";
    }

    /** Lowers {@code root} after all terms it depends on, without recursion. */
    private int lower(Term root) {
        Deque<Term> stack = new ArrayDeque<>();
        Deque<Boolean> expanded = new ArrayDeque<>();
        stack.push(root);
        expanded.push(false);
        while (!stack.isEmpty()) {
            Term term = stack.pop();
            boolean ready = expanded.pop();
            if (lowered.containsKey(term)) {
                continue;
            }
            if (ready) {
                lowered.put(term, lowerOne(term));
                continue;
            }
            stack.push(term);
            expanded.push(true);
            // Pushed last to first, so that operands are lowered (and numbered) in source order.
            List<Term> children = children(term);
            for (int i = children.size() - 1; i >= 0; i--) {
                Term child = children.get(i);
                if (!lowered.containsKey(child)) {
                    stack.push(child);
                    expanded.push(false);
                }
            }
        }
        return lowered.get(root);
    }

    private static List<Term> children(Term term) {
        return term.operands();
    }

    /** Lowers one term whose children are all lowered. */
    private int lowerOne(Term term) {
        if (term instanceof Term.Literal literal) {
            return builder.constant(literal.value(), Shape.scalar());
        } else if (term instanceof Term.Read read) {
            return read(read.symbol());
        } else if (term instanceof Term.Negate negate) {
            return builder.negate(of(negate.operand()));
        } else if (term instanceof Term.Arithmetic arithmetic) {
            return arithmetic(arithmetic);
        } else if (term instanceof Term.MatMul matMul) {
            Op product = matMul.right().shape().isVector() ? new TensorOp.MatVec() : new TensorOp.MatMul();
            return builder.apply(product, of(matMul.left()), of(matMul.right()));
        } else if (term instanceof Term.Power power) {
            return power(of(power.base()), power.exponent());
        } else if (term instanceof Term.Element element) {
            return builder.apply(new TensorOp.Element(element.index()), of(element.vector()));
        } else if (term instanceof Term.Apply apply) {
            return new BuiltinLowering(builder)
                    .apply(apply, apply.arguments().stream().map(this::of).toList());
        } else if (term instanceof Term.Dense dense) {
            return dense(dense);
        } else if (term instanceof Term.Rbf rbf) {
            return rbf(rbf);
        } else if (term instanceof Term.Dropout dropout) {
            return dropout(dropout);
        } else if (term instanceof Term.Conv conv) {
            return conv(conv);
        } else if (term instanceof Term.Recurrent recurrent) {
            return recurrent(recurrent);
        } else if (term instanceof Term.BatchNorm norm) {
            return batchNorm(norm);
        } else if (term instanceof Term.LayerNorm norm) {
            return layerNorm(norm);
        } else if (term instanceof Term.Embedding embedding) {
            return builder.apply(new TensorOp.Embedding(), of(embedding.ids()), read(embedding.weight()));
        } else if (term instanceof Term.Pool pool) {
            return pool(pool);
        } else if (term instanceof Term.GlobalPool pool) {
            return globalPool(pool);
        } else if (term instanceof Term.Reshape reshape) {
            int input = of(reshape.input());
            return builder.shapeOf(input).equals(reshape.shape())
                    ? input
                    : builder.apply(new SpatialOp.Reshape(reshape.shape()), input);
        } else if (term instanceof Term.Slice slice) {
            return builder.apply(new SpatialOp.Slice(slice.from(), slice.to()), of(slice.input()));
        } else if (term instanceof Term.Concat concat) {
            return builder.apply(
                    new SpatialOp.Concat(concat.parts().size()),
                    concat.parts().stream().map(this::of).toList());
        }
        throw new InternalCompilerError("cannot lower " + term.getClass().getSimpleName());
    }

    private int of(Term term) {
        return lowered.get(term);
    }

    private int read(Symbol symbol) {
        if (symbol instanceof Symbol.Input input) {
            return leaf(new LeafOp.Input(input.name(), input.shape(), input.offset()), symbol);
        } else if (symbol instanceof Symbol.Target target) {
            return leaf(new LeafOp.Target(target.name(), target.shape(), target.offset()), symbol);
        } else if (symbol instanceof Symbol.Param param) {
            return leaf(new LeafOp.Param(param.name(), param.shape()), symbol);
        } else if (symbol instanceof Symbol.Argument argument) {
            return leaf(new LeafOp.Argument(argument.name(), argument.shape(), argument.index()), symbol);
        } else if (symbol instanceof Symbol.Definition definition) {
            int value = of(definition.value());
            builder.name(value, Origin.of(definition.name(), definition.span()));
            return value;
        }
        throw new InternalCompilerError("cannot read " + symbol);
    }

    private int leaf(LeafOp op, Symbol symbol) {
        int id = builder.apply(op);
        builder.name(id, Origin.of(symbol.name(), symbol.span()));
        return id;
    }

    private int arithmetic(Term.Arithmetic term) {
        int left = BuiltinLowering.widen(builder, of(term.left()), term.shape());
        int right = BuiltinLowering.widen(builder, of(term.right()), term.shape());
        return switch (term.op()) {
            case ADD -> builder.add(left, right);
            case SUBTRACT -> builder.subtract(left, right);
            case MULTIPLY -> builder.multiply(left, right);
            case DIVIDE -> builder.divide(left, right);
        };
    }

    /**
     * {@code x^e}: integers by repeated squaring (never {@code Math.pow}), negative ones as a
     * reciprocal, {@code 0.5} as {@code sqrt}, anything else with {@link UnaryOp.Power}.
     */
    private int power(int base, double exponent) {
        if (exponent == Math.rint(exponent) && Math.abs(exponent) <= 1 << 20) {
            long n = (long) Math.abs(exponent);
            if (n == 0) {
                return builder.constantLike(1, base);
            }
            int result = -1;
            int square = base;
            for (long bits = n; bits > 0; bits >>= 1) {
                if ((bits & 1) != 0) {
                    result = result < 0 ? square : builder.multiply(result, square);
                }
                if (bits > 1) {
                    square = builder.multiply(square, square);
                }
            }
            return exponent < 0 ? builder.divide(builder.constantLike(1, base), result) : result;
        }
        if (exponent == 0.5) {
            return builder.apply(new UnaryOp.Sqrt(), base);
        }
        return builder.apply(new UnaryOp.Power(exponent), base);
    }

    private int dense(Term.Dense dense) {
        int input = asVector(of(dense.input()));
        int weight = read(dense.weight());
        int sum = builder.apply(new TensorOp.MatVec(), weight, input);
        if (dense.bias().isPresent()) {
            sum = builder.add(sum, read(dense.bias().get()));
        }
        return new BuiltinLowering(builder).activation(dense.activation(), dense.activationOption(), sum);
    }

    /** {@code conv1d}/{@code conv2d}: {@link SpatialOp.Conv} (bias included), then the activation as in dense. */
    private int conv(Term.Conv conv) {
        int input = of(conv.input());
        Window window = window(conv.window());
        int weight = read(conv.weight());
        int sum = conv.bias().isPresent()
                ? builder.apply(
                        new SpatialOp.Conv(window, builder.shapeOf(input), true),
                        input,
                        weight,
                        read(conv.bias().get()))
                : builder.apply(new SpatialOp.Conv(window, builder.shapeOf(input), false), input, weight);
        return new BuiltinLowering(builder).activation(conv.activation(), conv.activationOption(), sum);
    }

    /**
     * {@code rnn}/{@code gru}/{@code lstm}: the input projection of every step as one product
     * ({@code x W_ih^T + b_ih}), the {@link SequenceOp.Recurrence} over it, and its states (block 0
     * of the trace) as views: all of them, or the last one.
     */
    private int recurrent(Term.Recurrent recurrent) {
        int input = of(recurrent.input());
        int steps = builder.shapeOf(input).rows();
        int units = recurrent.units();
        int projection = builder.add(
                builder.apply(
                        new TensorOp.MatMul(),
                        input,
                        builder.apply(new TensorOp.Transpose(), read(recurrent.weightIh()))),
                builder.apply(new TensorOp.Tile(steps), read(recurrent.biasIh())));
        int trace = builder.apply(
                new SequenceOp.Recurrence(recurrent.cell(), steps, units),
                projection,
                read(recurrent.weightHh()),
                read(recurrent.biasHh()));
        // The layer's result is a view of the trace: the stored values carry the call's line.
        builder.name(projection, Origin.of("input_projection", recurrent.span()));
        builder.name(trace, Origin.of("trace", recurrent.span()));
        Shape sequence = Shape.matrix(steps, units);
        int states = builder.apply(new SpatialOp.Reshape(sequence), builder.apply(new SpatialOp.Slice(0, 1), trace));
        if (recurrent.sequences()) {
            return states;
        }
        return builder.apply(
                new SpatialOp.Reshape(Shape.vector(units)),
                builder.apply(new SpatialOp.Slice(steps - 1, steps), states));
    }

    /**
     * {@code batch_norm}, PyTorch's formulas. Training: the batch's mean and biased variance per
     * channel as {@link BatchOp.Mean}s (over the samples of each sample's channel means), {@code y
     * = (x - mean) (weight / sqrt(var + eps)) + bias}, and the running statistics' next values as
     * {@link Output.Kind#BUFFER} outputs, the variance made unbiased over the {@code n P} values of
     * a channel ({@code P} per sample). Reverse mode differentiates through the means, which gives
     * the full training-mode gradient. Prediction: the same with the running statistics, which
     * are leaves without a gradient.
     */
    private int batchNorm(Term.BatchNorm norm) {
        int input = of(norm.input());
        Shape shape = builder.shapeOf(input);
        Shape channels = Shape.vector(norm.channels());
        int plane = shape.size() / norm.channels();
        String owner = norm.weight().owner();
        int runningMean = buffer(norm.runningMean(), norm);
        int runningVar = buffer(norm.runningVar(), norm);
        int mean;
        int variance;
        if (mode == Mode.PREDICTION) {
            mean = runningMean;
            variance = runningVar;
        } else {
            mean = builder.apply(new BatchOp.Mean(), channelMean(input, plane));
            int centered = builder.subtract(input, perChannel(mean, shape));
            variance = builder.apply(new BatchOp.Mean(), channelMean(builder.multiply(centered, centered), plane));
            builder.name(mean, Origin.of(owner + ".batch_mean", norm.span()));
            builder.name(variance, Origin.of(owner + ".batch_var", norm.span()));
            int values =
                    builder.multiply(builder.apply(new LeafOp.BatchSize()), builder.constant(plane, Shape.scalar()));
            int unbiased = builder.multiply(
                    variance,
                    builder.broadcast(
                            builder.divide(values, builder.subtract(values, builder.constant(1, Shape.scalar()))),
                            channels));
            bufferUpdates.add(new Output(
                    Output.Kind.BUFFER, norm.runningMean().name(), runningAverage(runningMean, mean, norm.momentum())));
            bufferUpdates.add(new Output(
                    Output.Kind.BUFFER,
                    norm.runningVar().name(),
                    runningAverage(runningVar, unbiased, norm.momentum())));
        }
        int epsilon = builder.broadcast(builder.constant(norm.eps(), Shape.scalar()), channels);
        int scale =
                builder.divide(read(norm.weight()), builder.apply(new UnaryOp.Sqrt(), builder.add(variance, epsilon)));
        int centered = builder.subtract(input, perChannel(mean, shape));
        return builder.add(builder.multiply(centered, perChannel(scale, shape)), perChannel(read(norm.bias()), shape));
    }

    private int buffer(dev.nnc.compiler.semantic.Buffer buffer, Term.BatchNorm norm) {
        int id = builder.apply(new LeafOp.Buffer(buffer.name(), buffer.shape()));
        builder.name(id, Origin.of(buffer.name(), norm.span()));
        return id;
    }

    /** {@code (1 - momentum) running + momentum batch}, PyTorch's update of a running statistic. */
    private int runningAverage(int running, int batch, double momentum) {
        Shape shape = builder.shapeOf(running);
        return builder.add(
                builder.multiply(builder.broadcast(builder.constant(1 - momentum, Shape.scalar()), shape), running),
                builder.multiply(builder.broadcast(builder.constant(momentum, Shape.scalar()), shape), batch));
    }

    /** The mean of each channel of one sample: the vector itself for {@code [C]}. */
    private int channelMean(int node, int plane) {
        if (plane == 1 && builder.shapeOf(node).isVector()) {
            return node;
        }
        int sum = builder.apply(new SpatialOp.ChannelSum(), node);
        return builder.multiply(
                builder.broadcast(builder.constant(1.0 / plane, Shape.scalar()), builder.shapeOf(sum)), sum);
    }

    /** A per-channel vector spread over {@code shape}: itself for a vector. */
    private int perChannel(int channels, Shape shape) {
        return shape.isVector() ? channels : builder.apply(new SpatialOp.ChannelSpread(shape), channels);
    }

    /**
     * {@code layer_norm}: the mean, the deviations {@code d = x - mean}, the biased variance as the
     * mean of {@code d * d} (two passes: no cancellation of {@code E[x^2] - mean^2} when the mean
     * is large against the spread), then {@code d / sqrt(var + eps) * weight + bias}, all of it
     * ordinary sums, broadcasts and elementwise ops, which reverse mode differentiates.
     */
    private int layerNorm(Term.LayerNorm norm) {
        int input = of(norm.input());
        Shape shape = builder.shapeOf(input);
        int perElement = builder.constant(1.0 / shape.size(), Shape.scalar());
        int mean = builder.multiply(builder.apply(new TensorOp.Sum(), input), perElement);
        int deviation = builder.subtract(input, builder.broadcast(mean, shape));
        int variance =
                builder.multiply(builder.apply(new TensorOp.Sum(), builder.multiply(deviation, deviation)), perElement);
        int spread =
                builder.apply(new UnaryOp.Sqrt(), builder.add(variance, builder.constant(norm.eps(), Shape.scalar())));
        int inverse = builder.divide(builder.constant(1, Shape.scalar()), spread);
        int normalised = builder.multiply(deviation, builder.broadcast(inverse, shape));
        return builder.add(builder.multiply(normalised, read(norm.weight())), read(norm.bias()));
    }

    private int pool(Term.Pool pool) {
        int input = of(pool.input());
        Window window = window(pool.window());
        Op op = switch (pool.kind()) {
            case MAX -> new SpatialOp.MaxPool(window, builder.shapeOf(input));
            case AVERAGE -> new SpatialOp.AvgPool(window, builder.shapeOf(input));
        };
        return builder.apply(op, input);
    }

    /**
     * {@code global_avg_pool}: the channel sums times {@code 1/plane}; {@code global_max_pool}: a
     * max pool whose window is the whole plane, reshaped from {@code [C, 1, ...]} to {@code [C]}.
     */
    private int globalPool(Term.GlobalPool pool) {
        int input = of(pool.input());
        Shape shape = builder.shapeOf(input);
        int plane = shape.cols();
        if (pool.kind() == Term.Pool.Kind.AVERAGE) {
            int sum = builder.apply(new SpatialOp.ChannelSum(), input);
            int scale = BuiltinLowering.widen(builder, builder.constant(1.0 / plane, Shape.scalar()), pool.shape());
            return builder.multiply(scale, sum);
        }
        // A max pool's window is one or two dimensions: over a [C, d1, d2, d3] tensor the plane
        // is pooled as one row [C, plane] (the maximum does not depend on the layout).
        int pooled = input;
        List<Integer> kernel = shape.dimensions().subList(1, shape.rank());
        if (kernel.size() > 2) {
            pooled = builder.apply(new SpatialOp.Reshape(Shape.matrix(shape.rows(), plane)), input);
            kernel = List.of(plane);
        }
        Window window = Window.of(kernel, kernel);
        int max = builder.apply(new SpatialOp.MaxPool(window, builder.shapeOf(pooled)), pooled);
        return builder.apply(new SpatialOp.Reshape(pool.shape()), max);
    }

    private static Window window(Term.Window window) {
        return new Window(window.kernel(), window.stride(), window.padBegin(), window.padEnd(), window.dilation());
    }

    private int rbf(Term.Rbf rbf) {
        int input = asVector(of(rbf.input()));
        int centers = read(rbf.centers());
        int widths = read(rbf.widths());
        int units = rbf.centers().shape().rows();
        int difference = builder.subtract(centers, builder.apply(new TensorOp.Tile(units), input));
        int distance = builder.apply(new TensorOp.RowSum(), builder.multiply(difference, difference));
        int scaled = builder.divide(distance, builder.multiply(widths, widths));
        return builder.apply(new UnaryOp.Exp(), builder.negate(scaled));
    }

    private int dropout(Term.Dropout dropout) {
        int input = of(dropout.input());
        if (mode == Mode.PREDICTION || dropout.rate() == 0) {
            return input;
        }
        String name = dropoutNames.getOrDefault(dropout, "dropout" + dropoutNames.size() + ".mask");
        dropoutNames.putIfAbsent(dropout, name);
        int mask = builder.apply(new LeafOp.DropoutMask(name, dropout.rate(), builder.shapeOf(input)));
        return builder.multiply(input, mask);
    }

    /** A scalar layer input as a vector of one element, so that layers see vectors only. */
    private int asVector(int node) {
        return builder.shapeOf(node).isScalar() ? builder.broadcast(node, Shape.vector(1)) : node;
    }
}
