package dev.nnc.compiler.graph;

import dev.nnc.compiler.semantic.Shape;
import java.util.List;

/**
 * Operations on shaped tensors ({@code [C, L]} signals, {@code [C, H, W]} images): convolution,
 * pooling, moves of whole rows ({@code reshape}, slices, {@code concat}) and their derivative
 * rules. Layouts and formulas are PyTorch's: a convolution weight is {@code [F, C, kh, kw]}, max
 * pooling sends the gradient to the first maximum of a window in row-major order, average pooling
 * divides by the whole window, padding included ({@code count_include_pad}).
 *
 * <p>The ops of a window carry the shape {@code input} of the tensor the window moves over, the
 * {@code [C, *in]} operand, since the output alone does not determine it (strides round down).
 *
 * <p>The family is closed under differentiation: every derivative rule is written with ops of the
 * family (the adjoint of a convolution's input is {@link ConvInputGrad}, whose own adjoints are a
 * {@link Conv} and a {@link ConvWeightGrad}, and so on), so a derivative can be differentiated.
 */
public sealed interface SpatialOp extends Op {

    /**
     * {@code y[f] = bias[f] + Σ_c w[f, c] ⋆ x[c]}, a cross-correlation as PyTorch's {@code conv1d}
     * and {@code conv2d}: operands {@code x [C, *in]}, {@code weight [F, C, *kernel]} and, when
     * {@code bias}, {@code bias [F]}; {@code 2 C taps} operations per output element.
     */
    record Conv(Window window, Shape input, boolean bias) implements SpatialOp {
        @Override
        public int arity() {
            return bias ? 3 : 2;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shape w = args.get(1);
            Shapes.require(
                    args.get(0).equals(input)
                            && window.fits(input)
                            && w.rank() == 2 + window.spatialRank()
                            && w.equals(window.weight(w.dim(0), input.dim(0))),
                    this,
                    args);
            Shapes.require(!bias || args.get(2).equals(Shape.vector(w.dim(0))), this, args);
            return window.output(input, w.dim(0));
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            long products = 2L * out.size() * input.dim(0) * window.taps();
            return bias ? products : products - out.size();
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] y = new double[out.size()];
            if (bias) {
                Planes.fill(y, args.get(2), Window.plane(out));
            }
            Planes.correlate(window, input, args.get(0), args.get(1), y, out.dim(0));
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new ConvInputGrad(window, input), adjoint, node.arg(1)));
            out.add(1, b.apply(new ConvWeightGrad(window, input), adjoint, node.arg(0)));
            if (bias) {
                out.add(2, b.apply(new ChannelSum(), adjoint));
            }
        }

        @Override
        public String mnemonic() {
            return "conv(" + window.describe() + (bias ? " bias" : "") + ")";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitConv(this);
        }
    }

    /**
     * The adjoint of a convolution's input, a transposed convolution: operands {@code dy [F, *out]}
     * and {@code weight [F, C, *kernel]}, result {@code [C, *in]}.
     */
    record ConvInputGrad(Window window, Shape input) implements SpatialOp {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shape w = args.get(1);
            Shapes.require(
                    w.rank() == 2 + window.spatialRank()
                            && w.equals(window.weight(w.dim(0), input.dim(0)))
                            && args.get(0).equals(window.output(input, w.dim(0))),
                    this,
                    args);
            return input;
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return 2L * args.get(0).size() * input.dim(0) * window.taps();
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] dx = new double[input.size()];
            Planes.correlateTransposed(window, input, args.get(0), args.get(1), dx);
            return dx;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new Conv(window, input, false), adjoint, node.arg(1)));
            out.add(1, b.apply(new ConvWeightGrad(window, input), node.arg(0), adjoint));
        }

        @Override
        public String mnemonic() {
            return "conv_input_grad(" + window.describe() + ")";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitConvInputGrad(this);
        }
    }

    /**
     * The adjoint of a convolution's weight for one sample, {@code dw[f, c] = dy[f] ⋆ x[c]}:
     * operands {@code dy [F, *out]} and {@code x [C, *in]}, result {@code [F, C, *kernel]}.
     */
    record ConvWeightGrad(Window window, Shape input) implements SpatialOp {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shape dy = args.get(0);
            Shapes.require(args.get(1).equals(input) && dy.equals(window.output(input, dy.dim(0))), this, args);
            return window.weight(dy.dim(0), input.dim(0));
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return 2L * args.get(0).size() * input.dim(0) * window.taps();
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] dw = new double[out.size()];
            Planes.correlateWeights(window, input, args.get(0), args.get(1), dw);
            return dw;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new Conv(window, input, false), node.arg(1), adjoint));
            out.add(1, b.apply(new ConvInputGrad(window, input), node.arg(0), adjoint));
        }

        @Override
        public String mnemonic() {
            return "conv_weight_grad(" + window.describe() + ")";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitConvWeightGrad(this);
        }
    }

    /**
     * The largest element of each window of each channel, NaN where the window holds a NaN;
     * padding is never the maximum.
     */
    record MaxPool(Window window, Shape input) implements SpatialOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).equals(input) && window.fits(input), this, args);
            return window.output(input, input.dim(0));
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return (long) out.size() * (window.taps() - 1);
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            return Planes.maxima(window, input, args.get(0), out);
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new MaxPoolGrad(window, input), adjoint, node.arg(0), node.id()));
        }

        @Override
        public String mnemonic() {
            return "max_pool(" + window.describe() + ")";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitMaxPool(this);
        }
    }

    /**
     * The adjoint of a max pool's input: operands {@code dy [C, *out]}, the pool's input {@code x}
     * and its output {@code y = max_pool(x)}; each {@code dy} element goes to the first maximum of
     * its window in {@code x}, in row-major order, as in PyTorch. Overlapping windows add. The
     * value depends on {@code dy} and {@code x} alone: {@code y} is there so that the lowering
     * reads each window's maximum where the forward pass stored it instead of finding it again
     * (the position of its first occurrence is all that is left to find), and so that every pass
     * sees that the gradient reads it.
     */
    record MaxPoolGrad(Window window, Shape input) implements SpatialOp {
        @Override
        public int arity() {
            return 3;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shape pooled = window.output(input, input.dim(0));
            Shapes.require(
                    args.get(1).equals(input)
                            && args.get(0).equals(pooled)
                            && args.get(2).equals(pooled),
                    this,
                    args);
            return input;
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return (long) args.get(0).size() * window.taps();
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] dy = args.get(0);
            int[] argmax = Planes.argmax(window, input, args.get(1));
            double[] dx = new double[input.size()];
            for (int o = 0; o < argmax.length; o++) {
                dx[argmax[o]] += dy[o];
            }
            return dx;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            // Piecewise constant in x, and y only stands for x's maxima: only dy has an adjoint.
            out.add(0, b.apply(new MaxPoolPick(window, input), adjoint, node.arg(1)));
        }

        @Override
        public String mnemonic() {
            return "max_pool_grad(" + window.describe() + ")";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitMaxPoolGrad(this);
        }
    }

    /**
     * Picks from {@code v [C, *in]} the element where each window of {@code x} has its first
     * maximum: the adjoint of {@link MaxPoolGrad}'s {@code dy}.
     */
    record MaxPoolPick(Window window, Shape input) implements SpatialOp {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).equals(input) && args.get(1).equals(input), this, args);
            return window.output(input, input.dim(0));
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return (long) out.size() * (window.taps() - 1);
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            return Planes.pick(args.get(0), Planes.argmax(window, input, args.get(1)));
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int maxima = b.apply(new MaxPool(window, input), node.arg(1));
            out.add(0, b.apply(new MaxPoolGrad(window, input), adjoint, node.arg(1), maxima));
        }

        @Override
        public String mnemonic() {
            return "max_pool_pick(" + window.describe() + ")";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitMaxPoolPick(this);
        }
    }

    /** The mean of each window of each channel over all its taps, padding counted as zeros. */
    record AvgPool(Window window, Shape input) implements SpatialOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).equals(input) && window.fits(input), this, args);
            return window.output(input, input.dim(0));
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return (long) out.size() * window.taps();
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            return Planes.average(window, input, args.get(0), out);
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new AvgPoolGrad(window, input), adjoint));
        }

        @Override
        public String mnemonic() {
            return "avg_pool(" + window.describe() + ")";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitAvgPool(this);
        }
    }

    /** The adjoint of an average pool's input: each {@code dy} element spread over its window. */
    record AvgPoolGrad(Window window, Shape input) implements SpatialOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).equals(window.output(input, input.dim(0))), this, args);
            return input;
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return (long) args.get(0).size() * window.taps();
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            return Planes.spreadAverage(window, input, args.get(0));
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new AvgPool(window, input), adjoint));
        }

        @Override
        public String mnemonic() {
            return "avg_pool_grad(" + window.describe() + ")";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitAvgPoolGrad(this);
        }
    }

    /** The sum of each channel: {@code [C, ...] -> [C]}; a convolution bias's gradient. */
    record ChannelSum() implements SpatialOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).rank() >= 2, this, args);
            return Shape.vector(args.get(0).dim(0));
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return args.get(0).size() - (long) out.size();
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] x = args.get(0);
            int plane = x.length / out.size();
            double[] y = new double[out.size()];
            for (int c = 0; c < y.length; c++) {
                double sum = 0;
                for (int i = 0; i < plane; i++) {
                    sum += x[c * plane + i];
                }
                y[c] = sum;
            }
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new ChannelSpread(b.shapeOf(node.arg(0))), adjoint));
        }

        @Override
        public String mnemonic() {
            return "channel_sum";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitChannelSum(this);
        }
    }

    /** Each element of {@code [C]} repeated over its channel of {@code target}; free. */
    record ChannelSpread(Shape target) implements SpatialOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(target.rank() >= 2 && args.get(0).equals(Shape.vector(target.dim(0))), this, args);
            return target;
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return 0;
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] y = new double[target.size()];
            Planes.fill(y, args.get(0), Window.plane(target));
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new ChannelSum(), adjoint));
        }

        @Override
        public String mnemonic() {
            return "channel_spread" + target;
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitChannelSpread(this);
        }
    }

    /** The same elements in the same (row-major) order with another shape; free. */
    record Reshape(Shape target) implements SpatialOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).size() == target.size(), this, args);
            return target;
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return 0;
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            return args.get(0).clone();
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new Reshape(b.shapeOf(node.arg(0))), adjoint));
        }

        @Override
        public String mnemonic() {
            return "reshape" + target;
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitReshape(this);
        }
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) along the first dimension. */
    record Slice(int from, int to) implements SpatialOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shape x = args.get(0);
            Shapes.require(!x.isScalar() && 0 <= from && from < to && to <= x.rows(), this, args);
            return x.withRows(to - from);
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return 0;
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            int row = out.cols();
            double[] y = new double[out.size()];
            System.arraycopy(args.get(0), from * row, y, 0, y.length);
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new Unslice(from, b.shapeOf(node.arg(0))), adjoint));
        }

        @Override
        public String mnemonic() {
            return "slice[" + from + ":" + to + "]";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitSlice(this);
        }
    }

    /** Rows placed at row {@code from} of a zero tensor of shape {@code full}: a slice's adjoint. */
    record Unslice(int from, Shape full) implements SpatialOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shape x = args.get(0);
            Shapes.require(
                    !x.isScalar() && x.rows() + from <= full.rows() && x.equals(full.withRows(x.rows())), this, args);
            return full;
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return 0;
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] y = new double[full.size()];
            System.arraycopy(args.get(0), 0, y, from * full.cols(), args.get(0).length);
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int rows = b.shapeOf(node.arg(0)).rows();
            out.add(0, b.apply(new Slice(from, from + rows), adjoint));
        }

        @Override
        public String mnemonic() {
            return "unslice[" + from + "]" + full;
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitUnslice(this);
        }
    }

    /** Its {@code parts} operands one after another along the first dimension. */
    record Concat(int parts) implements SpatialOp {
        @Override
        public int arity() {
            return parts;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shape first = args.get(0);
            int rows = 0;
            for (Shape part : args) {
                Shapes.require(!part.isScalar() && part.equals(first.withRows(part.rows())), this, args);
                rows += part.rows();
            }
            return first.withRows(rows);
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return 0;
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] y = new double[out.size()];
            int at = 0;
            for (double[] part : args) {
                System.arraycopy(part, 0, y, at, part.length);
                at += part.length;
            }
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int row = 0;
            for (int i = 0; i < parts; i++) {
                int rows = b.shapeOf(node.arg(i)).rows();
                out.add(i, b.apply(new Slice(row, row + rows), adjoint));
                row += rows;
            }
        }

        @Override
        public String mnemonic() {
            return "concat";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitConcat(this);
        }
    }
}
