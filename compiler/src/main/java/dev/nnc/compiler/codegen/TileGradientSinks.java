package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.graph.BinaryOp;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.graph.SpatialOp;
import dev.nnc.compiler.graph.TensorOp;
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
     * {@code grad[i][j] += Σ_k u[k][i] v[k][j]}, sample by sample and row by row of the gradient
     * (along {@code i} for a gradient stored by columns, along {@code j} otherwise): a row of one
     * sample's gradient is summed in a scratch row in L1, four terms {@code k} per pass over rows
     * copied to start at index 0, the form C2 vectorises, then added to the gradient. Each element is the sum over {@code k} in
     * order from zero, then one addition to the gradient, exactly as the product stored per sample
     * would be, so a tile gives the bits of the one-sample step (TrainOneTest) and nothing of the
     * size of the weight is stored per sample.
     *
     * <p>In float classes run with the Vector API, a sample's sum is one call of the runtime's
     * register-blocked {@code multiply} instead ({@link #vectorRowOuterSum}); every kernel adds
     * each sample's sum in the same way, so a tile still gives the bits of the one-sample step.
     */
    private CodeBlock rowOuterSum(ParameterField p, RowOuterSum sum) {
        Shape shape = p.param().shape();
        boolean byColumns = p.byColumns();
        String outer = byColumns ? "j" : "i";
        String inner = byColumns ? "i" : "j";
        int outerCount = byColumns ? shape.cols() : shape.rows();
        int innerCount = byColumns ? shape.rows() : shape.cols();
        // The scalar of term k is read along the outer index, the row along the inner one.
        int scalars = byColumns ? sum.v() : sum.u();
        int rows = byColumns ? sum.u() : sum.v();
        java.util.function.IntFunction<CodeBlock> scalar = t -> element(scalars, CodeBlock.of("k + $L", t), outer);
        java.util.function.IntFunction<CodeBlock> row = t -> element(rows, CodeBlock.of("k + $L", t), inner);
        CodeBlock target = p.at(
                p.gradient(),
                new Index(CodeBlock.of("i * $L + j", shape.cols()), CodeBlock.of("i"), CodeBlock.of("j"), -1, -1, -1));
        String type = numeric.type().toString();
        Node product = graph.node(sum.product());
        String scratch = kernel.scratchRows(product, "gradientRow", 1, innerCount);
        // The rows of the operand the sums run along, copied into rows that start at index 0:
        // C2 vectorises s[i] += a r[i] over such rows, not over rows at an offset in one array.
        String copies = kernel.scratchRows(product, "termRows", sum.terms(), innerCount);
        java.util.function.IntFunction<CodeBlock> copied = t -> CodeBlock.of("$N[k + $L][$N]", copies, t, inner);
        CodeBlock copy = CodeBlock.builder()
                .beginControlFlow("for (int k = 0; k < $L; k++)", sum.terms())
                .addStatement("$L[] r = $N[k]", type, copies)
                .beginControlFlow("for (int $N = 0; $N < $L; $N++)", inner, inner, innerCount, inner)
                .addStatement("r[$N] = $L", inner, row.apply(0))
                .endControlFlow()
                .endControlFlow()
                .build();
        CodeBlock.Builder sample = CodeBlock.builder()
                .addStatement("$L[] s = $N[0]", type, scratch)
                .beginControlFlow("for (int $N = 0; $N < $L; $N++)", outer, outer, outerCount, outer)
                .addStatement("$T.fill(s, $L)", java.util.Arrays.class, numeric.literal(0))
                .addStatement("int k = 0")
                .beginControlFlow("for (; k + 4 <= $L; k += 4)", sum.terms());
        // s + a0 r0 + ... + a3 r3 adds from the left: the order of four passes of one term each.
        CodeBlock.Builder terms = CodeBlock.builder().add("s[$N]", inner);
        for (int t = 0; t < 4; t++) {
            sample.addStatement("$L a$L = $L", type, t, scalar.apply(t))
                    .addStatement("$L[] r$L = $N[k + $L]", type, t, copies, t);
            terms.add(" + a$L * r$L[$N]", t, t, inner);
        }
        sample.beginControlFlow("for (int $N = 0; $N < $L; $N++)", inner, inner, innerCount, inner)
                .addStatement("s[$N] = $L", inner, terms.build())
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (; k < $L; k++)", sum.terms())
                .addStatement("$L a0 = $L", type, scalar.apply(0))
                .beginControlFlow("for (int $N = 0; $N < $L; $N++)", inner, inner, innerCount, inner)
                .addStatement("s[$N] += a0 * $L", inner, copied.apply(0))
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (int $N = 0; $N < $L; $N++)", inner, inner, innerCount, inner)
                .addStatement("$L += s[$N]", target, inner)
                .endControlFlow()
                .endControlFlow();
        CodeBlock.Builder perSample = CodeBlock.builder().add(copy);
        if (VectorKernels.covers(numeric)) {
            perSample
                    .beginControlFlow("if ($T.ENABLED)", VectorKernels.VECTORIZATION)
                    .add(vectorRowOuterSum(sum, copies, scalars, outer, inner, outerCount, innerCount, target))
                    .nextControlFlow("else")
                    .add(sample.build())
                    .endControlFlow();
        } else {
            perSample.add(sample.build());
        }
        return CodeBlock.builder()
                .add("// Σ_k u_k v_k^T, sample by sample, a row of the gradient at a time\n")
                .add(kernel.forEachSample(perSample.build()))
                .build();
    }

    /**
     * One sample's {@link #rowOuterSum} with the Vector API: the scalars of the terms transposed
     * into rows ({@code a[outer][k]}), their product with the copied term rows by the runtime's
     * register-blocked {@code multiply} into a scratch gradient of the sample, which is then added
     * to the gradient. The plain loops add a product to memory at every term; here each block of
     * sums stays in registers over all terms.
     */
    private CodeBlock vectorRowOuterSum(
            RowOuterSum sum,
            String copies,
            int scalars,
            String outer,
            String inner,
            int outerCount,
            int innerCount,
            CodeBlock target) {
        Node product = graph.node(sum.product());
        String transposed = kernel.scratchRows(product, "termScalars", outerCount, sum.terms());
        String sampleSum = kernel.scratchRows(product, "sampleGradient", outerCount, innerCount);
        return CodeBlock.builder()
                .beginControlFlow("for (int k = 0; k < $L; k++)", sum.terms())
                .beginControlFlow("for (int $N = 0; $N < $L; $N++)", outer, outer, outerCount, outer)
                .addStatement("$N[$N][k] = $L", transposed, outer, element(scalars, CodeBlock.of("k"), outer))
                .endControlFlow()
                .endControlFlow()
                .addStatement(
                        "$T.multiply($N, 0, $N, $N, $L, $L, $L)",
                        VectorKernels.PRODUCTS,
                        transposed,
                        copies,
                        sampleSum,
                        outerCount,
                        sum.terms(),
                        innerCount)
                .beginControlFlow("for (int $N = 0; $N < $L; $N++)", outer, outer, outerCount, outer)
                .addStatement("$L[] s = $N[$N]", numeric.type(), sampleSum, outer)
                .beginControlFlow("for (int $N = 0; $N < $L; $N++)", inner, inner, innerCount, inner)
                .addStatement("$L += s[$N]", target, inner)
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /** Element {@code [k][column]} of per-sample matrix {@code id}, {@code k} an expression. */
    private CodeBlock element(int id, CodeBlock k, String column) {
        int cols = graph.node(id).shape().cols();
        return kernel.ref(
                id,
                new Index(CodeBlock.of("($L) * $L + $N", k, cols, column), k, CodeBlock.of("$N", column), -1, -1, -1));
    }

    // for (int c = 0; c < C; c++) {
    //     double[] g = d_w[c];                          // column c of the gradient
    //     for (b = 0; b + 4 <= m; b += 4) {            // four samples per pass over the column
    //         double x0 = v[b][c], ...;
    //         for (int r = 0; r < R; r++) g[r] += x0 * u[b][r] + x1 * u[b + 1][r] + ...;
    //     }
    //     ... the remaining samples one by one ...
    // }
    private CodeBlock outerSum(ParameterField p, Node outer, boolean clears) {
        int block = SampleProducts.ROW_BLOCK;
        CodeBlock comment = CodeBlock.of(
                "// sum over the tile of outer products, one gradient column at a time, $L samples per pass\n", block);
        CodeBlock loops = outerSumLoops(p, outer, clears);
        java.util.Optional<KernelEmitter.SampleRows> x = kernel.sampleRows(outer.arg(1));
        java.util.Optional<KernelEmitter.SampleRows> u = kernel.sampleRows(outer.arg(0));
        if (VectorKernels.covers(numeric) && x.isPresent() && u.isPresent()) {
            CodeBlock fresh = clears ? CodeBlock.of("$N", FRESH) : CodeBlock.of("false");
            return CodeBlock.builder()
                    .add(comment)
                    .add(VectorKernels.addOuterProducts(
                            x.get(), u.get(), p.gradient(), p.cols(), p.rows(), fresh, loops))
                    .build();
        }
        return CodeBlock.builder().add(comment).add(loops).build();
    }

    private CodeBlock outerSumLoops(ParameterField p, Node outer, boolean clears) {
        String type = numeric.type().toString();
        int block = SampleProducts.ROW_BLOCK;
        CodeBlock.Builder code = CodeBlock.builder()
                .beginControlFlow("for (int c = 0; c < $L; c++)", p.cols())
                .addStatement("$L[] g = $N[c]", type, p.gradient())
                .add(
                        clears
                                ? CodeBlock.builder()
                                        .beginControlFlow("if ($N)", FRESH)
                                        .addStatement("$T.fill(g, $L)", java.util.Arrays.class, numeric.literal(0))
                                        .endControlFlow()
                                        .build()
                                : CodeBlock.of(""))
                .addStatement("int b = 0")
                .beginControlFlow("for (; b + $L <= m; b += $L)", block, block);
        CodeBlock.Builder sum = CodeBlock.builder();
        for (int s = 0; s < block; s++) {
            CodeBlock sample = s == 0 ? CodeBlock.of("b") : CodeBlock.of("b + $L", s);
            code.addStatement(
                    "$L x$L = $L",
                    type,
                    s,
                    kernel.withBatch(sample, () -> kernel.ref(outer.arg(1), Index.vectorLoop("c"))));
            sum.add(
                    s == 0 ? "x$L * $L" : " + x$L * $L",
                    s,
                    kernel.withBatch(sample, () -> kernel.ref(outer.arg(0), Index.vectorLoop("r"))));
        }
        return code.beginControlFlow("for (int r = 0; r < $L; r++)", p.rows())
                .addStatement("g[r] += $L", sum.build())
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (; b < m; b++)")
                .addStatement("$L x = $L", type, kernel.ref(outer.arg(1), Index.vectorLoop("c")))
                .beginControlFlow("for (int r = 0; r < $L; r++)", p.rows())
                .addStatement("g[r] += x * $L", kernel.ref(outer.arg(0), Index.vectorLoop("r")))
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .build();
    }
}
