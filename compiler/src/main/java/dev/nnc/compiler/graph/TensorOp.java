package dev.nnc.compiler.graph;

import dev.nnc.compiler.semantic.Shape;
import java.util.List;

/**
 * Operations that move, combine or reduce whole tensors: broadcasting, reductions, indexing and
 * the matrix products. Matrices are row-major {@code [rows, cols]}. Each rule is the transpose of
 * the op's linear map (or, for products, the product rule with transposes).
 */
public sealed interface TensorOp extends Op {
    /** A scalar repeated to {@code target}; free, since back ends read the scalar. */
    record Broadcast(Shape target) implements TensorOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).isScalar(), this, args);
            return target;
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return 0;
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] y = new double[out.size()];
            java.util.Arrays.fill(y, args.get(0)[0]);
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new Sum(), adjoint));
        }

        @Override
        public String mnemonic() {
            return "broadcast";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitBroadcast(this);
        }
    }

    /** The sum of all elements: {@code n - 1} additions. */
    record Sum() implements TensorOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            return Shape.scalar();
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return args.get(0).size() - 1L;
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double sum = 0;
            for (double v : args.get(0)) {
                sum += v;
            }
            return new double[] {sum};
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.broadcast(adjoint, b.shapeOf(node.arg(0))));
        }

        @Override
        public String mnemonic() {
            return "sum";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitSum(this);
        }
    }

    /** {@code Σ a_i b_i} over tensors of one shape: {@code n} products and {@code n - 1} sums. */
    record Dot() implements TensorOp {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireSame(this, args);
            return Shape.scalar();
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return 2L * args.get(0).size() - 1;
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] a = args.get(0);
            double[] c = args.get(1);
            double sum = 0;
            for (int i = 0; i < a.length; i++) {
                sum += a[i] * c[i];
            }
            return new double[] {sum};
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int g = b.broadcast(adjoint, b.shapeOf(node.arg(0)));
            out.add(0, b.multiply(g, node.arg(1)));
            out.add(1, b.multiply(g, node.arg(0)));
        }

        @Override
        public boolean isCommutative() {
            return true;
        }

        @Override
        public String mnemonic() {
            return "dot";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitDot(this);
        }
    }

    /** {@code v[index]} of a vector. */
    record Element(int index) implements TensorOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(
                    args.get(0).isVector() && index >= 0 && index < args.get(0).size(), this, args);
            return Shape.scalar();
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return 0;
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            return new double[] {args.get(0)[index]};
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new Scatter(index, b.shapeOf(node.arg(0)).size()), adjoint));
        }

        @Override
        public String mnemonic() {
            return "element " + index;
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitElement(this);
        }
    }

    /** A vector of {@code size} zeros with the scalar operand at {@code index}. */
    record Scatter(int index, int size) implements TensorOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).isScalar() && index >= 0 && index < size, this, args);
            return Shape.vector(size);
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return 0;
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] y = new double[size];
            y[index] = args.get(0)[0];
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new Element(index), adjoint));
        }

        @Override
        public String mnemonic() {
            return "scatter " + index;
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitScatter(this);
        }
    }

    /** {@code W @ x} for {@code W [r, c]}, {@code x [c]}: {@code r (2c - 1)} operations. */
    record MatVec() implements TensorOp {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shape w = args.get(0);
            Shape x = args.get(1);
            Shapes.require(w.isMatrix() && x.isVector() && w.cols() == x.rows(), this, args);
            return Shape.vector(w.rows());
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return (long) out.size() * (2L * args.get(1).size() - 1);
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] w = args.get(0);
            double[] x = args.get(1);
            double[] y = new double[out.size()];
            for (int r = 0; r < y.length; r++) {
                double sum = 0;
                for (int c = 0; c < x.length; c++) {
                    sum += w[r * x.length + c] * x[c];
                }
                y[r] = sum;
            }
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int w = node.arg(0);
            out.add(0, b.apply(new Outer(), adjoint, node.arg(1)));
            out.add(1, b.apply(new MatVec(), b.apply(new Transpose(), w), adjoint));
        }

        @Override
        public String mnemonic() {
            return "matvec";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitMatVec(this);
        }
    }

    /** {@code A @ B} for {@code A [r, k]}, {@code B [k, c]}: {@code r c (2k - 1)} operations. */
    record MatMul() implements TensorOp {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shape a = args.get(0);
            Shape c = args.get(1);
            Shapes.require(a.isMatrix() && c.isMatrix() && a.cols() == c.rows(), this, args);
            return Shape.matrix(a.rows(), c.cols());
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return (long) out.size() * (2L * args.get(0).cols() - 1);
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] a = args.get(0);
            double[] c = args.get(1);
            int inner = a.length / out.rows();
            double[] y = new double[out.size()];
            for (int i = 0; i < out.rows(); i++) {
                for (int j = 0; j < out.cols(); j++) {
                    double sum = 0;
                    for (int k = 0; k < inner; k++) {
                        sum += a[i * inner + k] * c[k * out.cols() + j];
                    }
                    y[i * out.cols() + j] = sum;
                }
            }
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int left = node.arg(0);
            int right = node.arg(1);
            out.add(0, b.apply(new MatMul(), adjoint, b.apply(new Transpose(), right)));
            out.add(1, b.apply(new MatMul(), b.apply(new Transpose(), left), adjoint));
        }

        @Override
        public String mnemonic() {
            return "matmul";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitMatMul(this);
        }
    }

    /** The transpose of a matrix; free (back ends index it the other way round). */
    record Transpose() implements TensorOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).isMatrix(), this, args);
            return Shape.matrix(args.get(0).cols(), args.get(0).rows());
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return 0;
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] m = args.get(0);
            double[] y = new double[m.length];
            for (int i = 0; i < out.rows(); i++) {
                for (int j = 0; j < out.cols(); j++) {
                    y[i * out.cols() + j] = m[j * out.rows() + i];
                }
            }
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new Transpose(), adjoint));
        }

        @Override
        public String mnemonic() {
            return "transpose";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitTranspose(this);
        }
    }

    /** {@code u v^T} for vectors {@code u [r]}, {@code v [c]}: {@code r c} products. */
    record Outer() implements TensorOp {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).isVector() && args.get(1).isVector(), this, args);
            return Shape.matrix(args.get(0).rows(), args.get(1).rows());
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return out.size();
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] u = args.get(0);
            double[] v = args.get(1);
            double[] y = new double[out.size()];
            for (int i = 0; i < u.length; i++) {
                for (int j = 0; j < v.length; j++) {
                    y[i * v.length + j] = u[i] * v[j];
                }
            }
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new MatVec(), adjoint, node.arg(1)));
            out.add(1, b.apply(new MatVec(), b.apply(new Transpose(), adjoint), node.arg(0)));
        }

        @Override
        public String mnemonic() {
            return "outer";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitOuter(this);
        }
    }

    /** A vector {@code [c]} repeated as each of {@code rows} rows of a matrix; free. */
    record Tile(int rows) implements TensorOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).isVector() && rows > 0, this, args);
            return Shape.matrix(rows, args.get(0).rows());
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return 0;
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] v = args.get(0);
            double[] y = new double[out.size()];
            for (int i = 0; i < rows; i++) {
                System.arraycopy(v, 0, y, i * v.length, v.length);
            }
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new ColumnSum(), adjoint));
        }

        @Override
        public String mnemonic() {
            return "tile " + rows;
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitTile(this);
        }
    }

    /** The sums of the columns of a matrix {@code [r, c]}, a vector {@code [c]}. */
    record ColumnSum() implements TensorOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).isMatrix(), this, args);
            return Shape.vector(args.get(0).cols());
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return (long) out.size() * (args.get(0).rows() - 1);
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] m = args.get(0);
            double[] y = new double[out.size()];
            for (int i = 0; i < m.length; i++) {
                y[i % y.length] += m[i];
            }
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new Tile(b.shapeOf(node.arg(0)).rows()), adjoint));
        }

        @Override
        public String mnemonic() {
            return "column_sum";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitColumnSum(this);
        }
    }

    /** A vector {@code [r]} repeated as each of {@code cols} columns of a matrix; free. */
    record Spread(int cols) implements TensorOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).isVector() && cols > 0, this, args);
            return Shape.matrix(args.get(0).rows(), cols);
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return 0;
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] v = args.get(0);
            double[] y = new double[out.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = v[i / cols];
            }
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new RowSum(), adjoint));
        }

        @Override
        public String mnemonic() {
            return "spread " + cols;
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitSpread(this);
        }
    }

    /** The sums of the rows of a matrix {@code [r, c]}, a vector {@code [r]}. */
    record RowSum() implements TensorOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shapes.require(args.get(0).isMatrix(), this, args);
            return Shape.vector(args.get(0).rows());
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return (long) out.size() * (args.get(0).cols() - 1);
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] m = args.get(0);
            double[] y = new double[out.size()];
            int cols = m.length / y.length;
            for (int i = 0; i < m.length; i++) {
                y[i / cols] += m[i];
            }
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new Spread(b.shapeOf(node.arg(0)).cols()), adjoint));
        }

        @Override
        public String mnemonic() {
            return "row_sum";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitRowSum(this);
        }
    }

    /**
     * {@code embedding}: row {@code ids[i]} of {@code weight [count, dim]} for each id, {@code
     * [k] -> [k, dim]} or a scalar id to {@code [dim]}. A copy, no arithmetic. The ids are
     * integer-valued numbers in {@code [0, count)}, which the generated code checks on entry; no
     * gradient flows into them, the weight's is {@link EmbeddingGrad}.
     */
    record Embedding() implements TensorOp {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shape ids = args.get(0);
            Shapes.require(ids.rank() <= 1 && args.get(1).isMatrix(), this, args);
            int dim = args.get(1).cols();
            return ids.isScalar() ? Shape.vector(dim) : Shape.matrix(ids.size(), dim);
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return 0;
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] ids = args.get(0);
            double[] weight = args.get(1);
            int dim = out.size() / ids.length;
            double[] y = new double[out.size()];
            for (int i = 0; i < ids.length; i++) {
                System.arraycopy(weight, row(ids[i], weight.length / dim) * dim, y, i * dim, dim);
            }
            return y;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            int count = b.shapeOf(node.arg(1)).rows();
            out.add(1, b.apply(new EmbeddingGrad(count), node.arg(0), adjoint));
        }

        @Override
        public String mnemonic() {
            return "embedding";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitEmbedding(this);
        }

        /** The row that id {@code id} selects of a table of {@code count} rows; rejects any other value. */
        static int row(double id, int count) {
            if (!(id >= 0 && id < count && id == Math.rint(id))) {
                throw new IllegalArgumentException(
                        "an embedding id must be an integer in [0, " + count + "), found " + id);
            }
            return (int) id;
        }
    }

    /**
     * The gradient of an embedding's weight: {@code [count, dim]} zeros with row {@code dy[i]}
     * added at row {@code ids[i]} for each id ({@code ids}, {@code dy} as the embedding's ids and
     * output adjoint). Back ends add the rows straight into the gradient, never storing the table.
     */
    record EmbeddingGrad(int count) implements TensorOp {
        @Override
        public int arity() {
            return 2;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            Shape ids = args.get(0);
            Shape dy = args.get(1);
            boolean matches =
                    ids.isScalar() ? dy.isVector() : ids.isVector() && dy.isMatrix() && dy.rows() == ids.size();
            Shapes.require(matches && count > 0, this, args);
            return Shape.matrix(count, dy.isVector() ? dy.size() : dy.cols());
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return args.get(1).size();
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            double[] ids = args.get(0);
            double[] dy = args.get(1);
            int dim = out.cols();
            double[] g = new double[out.size()];
            for (int i = 0; i < ids.length; i++) {
                int row = Embedding.row(ids[i], count) * dim;
                for (int j = 0; j < dim; j++) {
                    g[row + j] += dy[i * dim + j];
                }
            }
            return g;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            // Linear in dy: the adjoint's rows at the same ids.
            out.add(1, b.apply(new Embedding(), node.arg(0), adjoint));
        }

        @Override
        public String mnemonic() {
            return "embedding_grad " + count;
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitEmbeddingGrad(this);
        }
    }
}
