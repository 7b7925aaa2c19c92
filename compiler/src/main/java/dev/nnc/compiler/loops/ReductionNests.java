package dev.nnc.compiler.loops;

import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.LossOp;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.TensorOp;
import dev.nnc.compiler.graph.VectorOp;
import dev.nnc.compiler.loops.Stmt.Assign;
import dev.nnc.compiler.loops.Stmt.Declare;
import dev.nnc.compiler.loops.Stmt.Loop;
import dev.nnc.compiler.loops.Stmt.Store;
import dev.nnc.compiler.loops.Value.Axis;
import dev.nnc.compiler.loops.Value.Call;
import dev.nnc.compiler.loops.Value.Difference;
import dev.nnc.compiler.loops.Value.Elementary;
import dev.nnc.compiler.loops.Value.Literal;
import dev.nnc.compiler.loops.Value.Load;
import dev.nnc.compiler.loops.Value.Local;
import dev.nnc.compiler.loops.Value.Maximum;
import dev.nnc.compiler.loops.Value.Product;
import dev.nnc.compiler.loops.Value.Quotient;
import dev.nnc.compiler.loops.Value.Sum;
import dev.nnc.compiler.loops.Value.Total;
import dev.nnc.compiler.semantic.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The nests of the reductions, for one sample: sums, dot products, the per-sample products,
 * line sums, the softmax family and the fused losses from logits, in the stable forms of
 * RELIABILITY.md section 2 (softmax and log-sum-exp shifted by the maximum; binary cross-entropy
 * as {@code max(z, 0) - z y + log1p(exp(-|z|))}). Every sum is a {@link Total}, its terms in
 * row-major order: whether it becomes an accumulator and a loop, or in an unrolled kernel one
 * expression from its first term, is the {@link Scheduler}'s choice.
 *
 * <p>The locals a nest declares besides the accumulators (the maximum, the total of the
 * exponentials, the log-sum-exp) are named by {@code fresh}, the code generator's names of the
 * method the nest joins.
 */
final class ReductionNests {
    private ReductionNests() {}

    static boolean lowers(Node node) {
        return node.op() instanceof TensorOp.Sum
                || node.op() instanceof TensorOp.Dot
                || node.op() instanceof TensorOp.MatVec
                || node.op() instanceof TensorOp.MatMul
                || node.op() instanceof TensorOp.RowSum
                || node.op() instanceof TensorOp.ColumnSum
                || node.op() instanceof VectorOp.Softmax
                || node.op() instanceof VectorOp.LogSoftmax
                || node.op() instanceof VectorOp.LogSumExp
                || node.op() instanceof LossOp.SoftmaxCrossEntropy
                || node.op() instanceof LossOp.SigmoidBinaryCrossEntropy;
    }

    static List<Stmt> lower(Node node, Graph graph, UnaryOperator<String> fresh) {
        Shape in = graph.node(node.arg(0)).shape();
        if (node.op() instanceof TensorOp.Sum) {
            return List.of(scalar(node, total(in, at -> load(node.arg(0), at))));
        }
        if (node.op() instanceof TensorOp.Dot) {
            return List.of(scalar(node, total(in, at -> new Product(load(node.arg(0), at), load(node.arg(1), at)))));
        }
        if (node.op() instanceof TensorOp.MatVec) {
            return matVec(node, in);
        }
        if (node.op() instanceof TensorOp.MatMul) {
            return matMul(node, in, graph.node(node.arg(1)).shape());
        }
        if (node.op() instanceof TensorOp.RowSum) {
            // y[o] = Σ_k x[o][k]
            return List.of(new Loop(
                    "o",
                    in.rows(),
                    List.of(element(
                            node,
                            Affine.of("o"),
                            new Total(
                                    List.of(new Axis("k", in.cols())),
                                    load(
                                            node.arg(0),
                                            Affine.of("o").times(in.cols()).plus("k", 1)))))));
        }
        if (node.op() instanceof TensorOp.ColumnSum) {
            // y[o] = Σ_k x[k][o]
            return List.of(new Loop(
                    "o",
                    in.cols(),
                    List.of(element(
                            node,
                            Affine.of("o"),
                            new Total(
                                    List.of(new Axis("k", in.rows())),
                                    load(
                                            node.arg(0),
                                            Affine.of("k").times(in.cols()).plus("o", 1)))))));
        }
        if (node.op() instanceof VectorOp.Softmax) {
            return softmax(node, node.arg(0), in, fresh.apply("max"), fresh.apply("total"));
        }
        if (node.op() instanceof VectorOp.LogSoftmax) {
            // y[i] = v[i] - lse(v)
            List<Stmt> nest = new ArrayList<>();
            String lse = logSumExp(node.arg(0), in, fresh, nest);
            nest.add(new Loop(
                    "i",
                    in.size(),
                    List.of(element(
                            node, Affine.of("i"), new Difference(load(node.arg(0), Affine.of("i")), new Local(lse))))));
            return nest;
        }
        if (node.op() instanceof VectorOp.LogSumExp) {
            List<Stmt> nest = new ArrayList<>();
            nest.add(scalar(node, new Local(logSumExp(node.arg(0), in, fresh, nest))));
            return nest;
        }
        if (node.op() instanceof LossOp.SoftmaxCrossEntropy) {
            // Σ y (lse(z) - z)
            List<Stmt> nest = new ArrayList<>();
            String lse = logSumExp(node.arg(0), in, fresh, nest);
            nest.add(crossEntropy(node, in, lse));
            return nest;
        }
        if (node.op() instanceof LossOp.SigmoidBinaryCrossEntropy) {
            // Σ max(z, 0) - z y + log1p(e), where e = exp(-|z|) is the third operand
            return List.of(scalar(
                    node,
                    total(
                            in,
                            at -> new Sum(
                                    new Difference(
                                            new Maximum(load(node.arg(0), at), new Literal(0)),
                                            new Product(load(node.arg(0), at), load(node.arg(1), at))),
                                    new Call(Elementary.LOG1P, load(node.arg(2), at))))));
        }
        throw new IllegalArgumentException("not a reduction: " + node.op().mnemonic());
    }

    /**
     * The softmax cross-entropy {@code crossEntropy} of logits {@code z} and the softmax {@code
     * softmax} of the same logits in one pass: {@code p = exp(z - m) / t}, {@code loss = Σ y (m +
     * log t - z)}, each logit exponentiated once. The results are those of the two nests apart.
     */
    static List<Stmt> crossEntropyWithSoftmax(
            Node crossEntropy, Node softmax, Graph graph, UnaryOperator<String> fresh) {
        Shape shape = graph.node(crossEntropy.arg(0)).shape();
        String max = fresh.apply("max");
        String total = fresh.apply("total");
        String lse = fresh.apply("lse");
        List<Stmt> nest = new ArrayList<>(softmax(softmax, crossEntropy.arg(0), shape, max, total));
        nest.add(new Declare(lse, new Sum(new Local(max), new Call(Elementary.LOG, new Local(total)))));
        nest.add(crossEntropy(crossEntropy, shape, lse));
        return nest;
    }

    /** {@code loss = Σ y (lse - z)} over the logits {@code z}, the first operand. */
    private static Stmt crossEntropy(Node node, Shape shape, String lse) {
        return scalar(
                node,
                total(
                        shape,
                        at -> new Product(
                                load(node.arg(1), at), new Difference(new Local(lse), load(node.arg(0), at)))));
    }

    /**
     * {@code y[r] = Σ_c W[r][c] x[c]}, a sample's own matrix times its vector (a parameter's
     * product over a tile is a product kernel, not a nest).
     */
    private static List<Stmt> matVec(Node node, Shape w) {
        Affine weight = Affine.of("r").times(w.cols()).plus("c", 1);
        return List.of(new Loop(
                "r",
                w.rows(),
                List.of(element(
                        node,
                        Affine.of("r"),
                        new Total(
                                List.of(new Axis("c", w.cols())),
                                new Product(load(node.arg(0), weight), load(node.arg(1), Affine.of("c"))))))));
    }

    /** {@code y[r][c] = Σ_k a[r][k] b[k][c]}. */
    private static List<Stmt> matMul(Node node, Shape a, Shape b) {
        Affine left = Affine.of("r").times(a.cols()).plus("k", 1);
        Affine right = Affine.of("k").times(b.cols()).plus("c", 1);
        Stmt store = element(
                node,
                Affine.of("r").times(b.cols()).plus("c", 1),
                new Total(
                        List.of(new Axis("k", a.cols())),
                        new Product(load(node.arg(0), left), load(node.arg(1), right))));
        return List.of(new Loop("r", a.rows(), List.of(new Loop("c", b.cols(), List.of(store)))));
    }

    /**
     * {@code y[i] = exp(v[i] - m) / t} with {@code m} the maximum and {@code t = Σ exp(v - m)}:
     * each exponential stored, added to the total {@code total}, then divided by it.
     */
    private static List<Stmt> softmax(Node node, int vector, Shape shape, String max, String total) {
        List<Stmt> nest = new ArrayList<>(maximum(vector, shape, max));
        nest.add(new Declare(total, new Literal(0)));
        Affine i = Affine.of("i");
        nest.add(new Loop(
                "i",
                shape.size(),
                List.of(
                        element(node, i, exponential(vector, i, max)),
                        new Assign(total, new Sum(new Local(total), load(node.id(), i))))));
        nest.add(new Loop(
                "i", shape.size(), List.of(element(node, i, new Quotient(load(node.id(), i), new Local(total))))));
        return nest;
    }

    /**
     * Appends {@code m = max(v)} (0 when infinite, as JAX does, so that all {@code -Inf} gives
     * {@code -Inf}, not NaN) and {@code lse = m + log(Σ exp(v - m))} to {@code nest}; returns the
     * name of the log-sum-exp.
     */
    private static String logSumExp(int vector, Shape shape, UnaryOperator<String> fresh, List<Stmt> nest) {
        String max = fresh.apply("max");
        String total = fresh.apply("total");
        String lse = fresh.apply("lse");
        nest.addAll(maximum(vector, shape, max));
        nest.add(new Declare(
                total, new Total(List.of(new Axis("i", shape.size())), exponential(vector, Affine.of("i"), max))));
        nest.add(new Declare(lse, new Sum(new Local(max), new Call(Elementary.LOG, new Local(total)))));
        return lse;
    }

    /** {@code m = -Inf; for i: m = max(m, v[i]); m = 0 if infinite}: three statements. */
    private static List<Stmt> maximum(int vector, Shape shape, String max) {
        return List.of(
                new Declare(max, new Literal(Double.NEGATIVE_INFINITY)),
                new Loop(
                        "i",
                        shape.size(),
                        List.of(new Assign(max, new Maximum(new Local(max), load(vector, Affine.of("i")))))),
                new Stmt.ZeroIfInfinite(max));
    }

    private static Value exponential(int vector, Affine i, String max) {
        return new Call(Elementary.EXP, new Difference(load(vector, i), new Local(max)));
    }

    /**
     * The total over every element of a tensor of {@code shape}, in row-major order: over
     * {@code r} and {@code c} for a matrix (so that a view that reads by row or by column, a
     * transpose, reads the loop variables), over {@code i} otherwise.
     */
    private static Total total(Shape shape, java.util.function.Function<Affine, Value> term) {
        if (shape.isMatrix()) {
            return new Total(
                    List.of(new Axis("r", shape.rows()), new Axis("c", shape.cols())),
                    term.apply(Affine.of("r").times(shape.cols()).plus("c", 1)));
        }
        return new Total(List.of(new Axis("i", shape.size())), term.apply(Affine.of("i")));
    }

    /** The store of scalar node {@code node}'s one element. */
    private static Stmt scalar(Node node, Value value) {
        return element(node, Affine.constant(0), value);
    }

    private static Stmt element(Node node, Affine at, Value value) {
        return new Store(node.id(), Place.at(at), value, false);
    }

    private static Value load(int node, Affine at) {
        return new Load(node, Place.at(at));
    }
}
