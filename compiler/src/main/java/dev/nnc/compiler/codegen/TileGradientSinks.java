package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.graph.BinaryOp;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.graph.SpatialOp;
import dev.nnc.compiler.graph.TensorOp;
import dev.nnc.compiler.loops.Loops;
import dev.nnc.compiler.loops.Stmt;
import dev.nnc.compiler.semantic.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The statements of a tiled training kernel that add the gradient of each
 * sample of the tile to the gradient fields. A gradient that is a sum is taken term by term: an
 * outer product of two per-sample vectors (the gradient of every weight matrix) becomes a
 * sum over the tile along contiguous rows of the gradient, which stays in L1 while all samples
 * add to it; a term that does not depend on the sample (a regulariser's) is added once, times
 * {@code m}; an embedding's gradient row by row at the sample's ids; any other term sample by
 * sample.
 */
final class TileGradientSinks {
    private final KernelEmitter kernel;
    private final Graph graph;
    private final Numeric numeric;
    private final Map<String, ParameterField> parameters;

    TileGradientSinks(KernelEmitter kernel, Graph graph, Numeric numeric, Map<String, ParameterField> parameters) {
        this.kernel = kernel;
        this.graph = graph;
        this.numeric = numeric;
        this.parameters = parameters;
    }

    /**
     * The gradient fields whose first sink is a sum of outer products: that sink clears each
     * column just before the first tile adds to it (see {@link #FRESH}), so the class need not
     * clear the whole field in a pass of its own before the step.
     */
    private final java.util.Set<String> clearedHere = new java.util.LinkedHashSet<>();

    /**
     * The field that is true while a kernel works on the first tile of a gradient: the sinks
     * of {@link #clearedHere} then clear each gradient column before adding to it. Clearing a
     * column that the loop is about to write costs nothing beyond the write itself, where a
     * separate pass over the whole gradient at the start of a step (N5: 800 KB) costs a trip
     * through memory and leaves the gradient out of cache by the time the sums reach it.
     */
    static final String FRESH = "freshGradient";

    List<CodeBlock> sinks() {
        List<CodeBlock> sinks = new ArrayList<>();
        for (Output gradient : graph.outputs()) {
            if (gradient.kind() != Output.Kind.GRADIENT) {
                continue;
            }
            ParameterField p = parameters.get(gradient.name());
            CodeBlock.Builder code = CodeBlock.builder()
                    .add("// accumulate d loss / d $L\n", p.param().name());
            boolean first = true;
            for (int term : terms(gradient.node())) {
                code.add(sink(p, term, first));
                first = false;
            }
            sinks.add(code.build());
        }
        return sinks;
    }

    /** The gradient fields these sinks clear themselves on the first tile. */
    java.util.Set<String> clearedHere() {
        return clearedHere;
    }

    /**
     * The terms of a sum that was fused into the sink, or the node itself. A sum that a product
     * leaves in its own array ({@code W^T x + bias}) is one term: the product's array already
     * holds the bias.
     */
    private List<Integer> terms(int root) {
        List<Integer> terms = new ArrayList<>();
        java.util.ArrayDeque<Integer> pending = new java.util.ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            int id = pending.pop();
            Node node = graph.node(id);
            if (node.op() instanceof BinaryOp.Add && kernel.isInlined(id) && !kernel.isLeftByProduct(id)) {
                pending.push(node.arg(1));
                pending.push(node.arg(0));
            } else {
                terms.add(id);
            }
        }
        return terms;
    }

    private CodeBlock sink(ParameterField p, int term, boolean first) {
        Node node = graph.node(term);
        Shape shape = p.param().shape();
        if (node.op() instanceof TensorOp.Outer
                && p.byColumns()
                && kernel.isInlined(term)
                && kernel.isBatched(node.arg(0))
                && kernel.isBatched(node.arg(1))) {
            if (first) {
                clearedHere.add(p.gradient());
            }
            CodeBlock sum = outerSum(p, node, first);
            if (kernel.inputSplit().filter(site -> site.gradient() == term).isPresent()) {
                return InputLayerSplit.gather(kernel.sampleRows(node.arg(0)).orElseThrow(), p.rows(), sum);
            }
            return sum;
        }
        if (node.op() instanceof TensorOp.EmbeddingGrad) {
            return kernel.forEachSample(EmbeddingRows.addRows(kernel, node, p));
        }
        if (node.op() instanceof SpatialOp.ConvWeightGrad && kernel.isInlined(term)) {
            return convolutionWeightSum(p, node);
        }
        java.util.Optional<RowOuterSum> rows = RowOuterSum.of(graph, term)
                .filter(sum -> kernel.isInlined(sum.product()) && kernel.isBatched(sum.product()));
        if (rows.isPresent()) {
            return rowOuterSum(p, rows.get());
        }
        if (!kernel.isBatched(term)) {
            // The same for every sample of the tile: added once, m times over.
            return kernel.forEach(
                    shape,
                    index -> CodeBlock.of("$L += m * $L;\n", p.at(p.gradient(), index), kernel.ref(term, index)));
        }
        return kernel.forEachSample(kernel.forEach(
                shape, index -> CodeBlock.of("$L += $L;\n", p.at(p.gradient(), index), kernel.ref(term, index))));
    }

    /**
     * A convolution weight's gradient, sample by sample: summed over the sample's output positions
     * in rows of its own ({@code [F][C k]}, each starting at index 0, which C2 vectorises), then
     * added to the flat gradient, one term per sample as every other sink adds, so that the same
     * sample twice at half weight sums to exactly the one-sample gradient. Where the Vector API
     * path keeps the sums by lanes over the tile ({@link WindowLoops#tileWeightGradientByLanes}),
     * each sample's lanes are added the same way, so the same holds there; and so it does where it
     * keeps them by taps ({@link WindowLoops#tileWeightGradientByTaps}): each sample's sum from zero,
     * added to the tile's.
     */
    private CodeBlock convolutionWeightSum(ParameterField p, Node grad) {
        WindowLoops loops = new WindowLoops(kernel, numeric);
        java.util.Optional<CodeBlock> lanes =
                p.byColumns() ? java.util.Optional.empty() : loops.tileWeightGradientByLanes(grad, p.gradient());
        java.util.Optional<CodeBlock> taps = p.byColumns() || lanes.isPresent()
                ? java.util.Optional.empty()
                : loops.tileWeightGradientByTaps(grad, p.gradient());
        CodeBlock sample = loops.sampleWeightGradient(
                grad,
                (flat, value) -> CodeBlock.of("$L += $L;\n", p.at(p.gradient(), Index.flat(flat)), value),
                lanes.isEmpty() && taps.isEmpty());
        CodeBlock samples = kernel.forEachSample(sample);
        if (lanes.isPresent()) {
            return CodeBlock.builder()
                    .add("// the output gradient times the padded input under each tap, by lanes over the tile\n")
                    .add(VectorKernels.vectorOrPlain(lanes.get(), samples))
                    .build();
        }
        if (taps.isPresent()) {
            return CodeBlock.builder()
                    .add("// the input under each tap times the output gradient by position, by taps over the tile\n")
                    .add(VectorKernels.vectorOrPlain(taps.get(), samples))
                    .build();
        }
        return CodeBlock.builder()
                .add("// the patches times the output gradient, by rows of the weight, sample by sample\n")
                .add(samples)
                .build();
    }

    /**
     * {@code grad[i][j] += Σ_k u[k][i] v[k][j]} over the tile, a sum of several terms per sample
     * ({@link TileOuterSums} chooses its kernel): the gradient's rows are the scalars' index where
     * it is stored by columns, and its flat rows of {@code cols} otherwise.
     */
    private CodeBlock rowOuterSum(ParameterField p, RowOuterSum sum) {
        Shape shape = p.param().shape();
        boolean byColumns = p.byColumns();
        return emit(Loops.tileOuterSum(
                byColumns ? sum.u() : sum.v(),
                byColumns ? sum.v() : sum.u(),
                new Stmt.OuterSum.Sums(p.gradient(), !byColumns),
                sum.terms(),
                byColumns ? shape.rows() : shape.cols(),
                byColumns ? shape.cols() : shape.rows(),
                kernel.tileRows(),
                java.util.Optional.empty()));
    }

    /**
     * A dense layer's {@code dW += Σ_b dy[b] x[b]^T} over the tile, {@code dW} kept by columns,
     * each column cleared first on the first tile of a step where {@code clears}.
     */
    private CodeBlock outerSum(ParameterField p, Node outer, boolean clears) {
        return emit(Loops.tileOuterSum(
                outer.arg(0),
                outer.arg(1),
                new Stmt.OuterSum.Sums(p.gradient(), false),
                1,
                p.rows(),
                p.cols(),
                kernel.tileRows(),
                clears ? java.util.Optional.of(FRESH) : java.util.Optional.empty()));
    }

    private CodeBlock emit(List<Stmt> nest) {
        return new LoopEmitter(kernel, numeric).emit(nest);
    }
}
