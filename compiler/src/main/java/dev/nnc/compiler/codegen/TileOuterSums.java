package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.loops.Stmt;
import java.util.function.IntFunction;

/**
 * The Java of a nest's {@link Stmt.OuterSum}, a weight's gradient summed over a tile: the kernels
 * and the choice among them.
 *
 * <ul>
 *   <li>Vectors, one term per sample (a dense layer's {@code dW = Σ_b dy[b] x[b]^T}, kept by columns): a
 *       column of the gradient at a time, four samples per pass along it (each load and store of
 *       the column then carries four multiply-adds), the last few samples one by one, the column
 *       cleared first on the first tile of a step; the runtime's {@code addOuterProducts} on the
 *       Vector API path.
 *   <li>Rows of matrices, one term per row (a product applied to every row of a sample's matrix): sample by
 *       sample, a row of the gradient at a time summed from zero in a scratch row in level 1, four
 *       terms per pass over copies of the term rows that start at index 0 (the form C2
 *       vectorises), then added to the gradient; on the Vector API path the runtime's
 *       register-blocked {@code multiply} into a scratch gradient of the sample.
 * </ul>
 *
 * Each sample's terms are summed apart from the other samples' where there are several, so a tile
 * gives the bits of the one-sample step there; a dense layer's sums take four samples per pass.
 */
final class TileOuterSums {
    private final KernelEmitter kernel;
    private final Numeric numeric;
    private final String type;

    TileOuterSums(KernelEmitter kernel, Numeric numeric) {
        this.kernel = kernel;
        this.numeric = numeric;
        this.type = numeric.type().toString();
    }

    /** The statements of {@code sum}, over the tile's {@code m} samples. */
    CodeBlock emit(Stmt.OuterSum sum) {
        int rows = sampleNode(sum.rows());
        int scalars = sampleNode(sum.scalars());
        if (isVector(rows) && isVector(scalars) && !sum.sums().flat()) {
            return outerProducts(sum, rows, scalars);
        }
        if (sum.clearWhile().isPresent()) {
            throw new InternalCompilerError("a sum over rows of matrices never clears its gradient");
        }
        return termSums(sum, rows, scalars);
    }

    /**
     * Whether node {@code id} is a vector for each sample: the kernel of one term reads it by its
     * flat position, which is not a matrix's element (a matrix of one row may be a view that
     * reads by row and column).
     */
    private boolean isVector(int id) {
        return kernel.graph().node(id).shape().isVector();
    }

    private static int sampleNode(Stmt.Product.Rows rows) {
        if (rows instanceof Stmt.Product.Rows.Sample sample) {
            return sample.node();
        }
        throw new InternalCompilerError("an outer sum over scratch rows " + rows);
    }

    // for (int c = 0; c < C; c++) {
    //     double[] g = d_w[c];                          // column c of the gradient
    //     for (b = 0; b + 4 <= m; b += 4) {            // four samples per pass over the column
    //         double x0 = v[b][c], ...;
    //         for (int r = 0; r < R; r++) g[r] += x0 * u[b][r] + x1 * u[b + 1][r] + ...;
    //     }
    //     ... the remaining samples one by one ...
    // }
    private CodeBlock outerProducts(Stmt.OuterSum sum, int rows, int scalars) {
        int block = SampleProducts.ROW_BLOCK;
        String gradient = sum.sums().array();
        CodeBlock comment = CodeBlock.of(
                "// sum over the tile of outer products, one gradient column at a time, $L samples per pass\n", block);
        CodeBlock loops = outerProductLoops(sum, rows, scalars);
        java.util.Optional<KernelEmitter.SampleRows> x = kernel.sampleRows(scalars);
        java.util.Optional<KernelEmitter.SampleRows> u = kernel.sampleRows(rows);
        if (VectorKernels.covers(numeric) && x.isPresent() && u.isPresent()) {
            CodeBlock fresh =
                    sum.clearWhile().map(flag -> CodeBlock.of("$N", flag)).orElse(CodeBlock.of("false"));
            return CodeBlock.builder()
                    .add(comment)
                    .add(VectorKernels.addOuterProducts(
                            x.get(), u.get(), gradient, sum.count(), sum.width(), fresh, loops))
                    .build();
        }
        return CodeBlock.builder().add(comment).add(loops).build();
    }

    private CodeBlock outerProductLoops(Stmt.OuterSum sum, int rows, int scalars) {
        int block = SampleProducts.ROW_BLOCK;
        CodeBlock.Builder code = CodeBlock.builder()
                .beginControlFlow("for (int c = 0; c < $L; c++)", sum.count())
                .addStatement("$L[] g = $N[c]", type, sum.sums().array())
                .add(sum.clearWhile()
                        .map(flag -> CodeBlock.builder()
                                .beginControlFlow("if ($N)", flag)
                                .addStatement("$T.fill(g, $L)", java.util.Arrays.class, numeric.literal(0))
                                .endControlFlow()
                                .build())
                        .orElse(CodeBlock.of("")))
                .addStatement("int b = 0")
                .beginControlFlow("for (; b + $L <= m; b += $L)", block, block);
        CodeBlock.Builder terms = CodeBlock.builder();
        for (int s = 0; s < block; s++) {
            CodeBlock sample = s == 0 ? CodeBlock.of("b") : CodeBlock.of("b + $L", s);
            code.addStatement(
                    "$L x$L = $L", type, s, kernel.withBatch(sample, () -> kernel.ref(scalars, Index.vectorLoop("c"))));
            terms.add(
                    s == 0 ? "x$L * $L" : " + x$L * $L",
                    s,
                    kernel.withBatch(sample, () -> kernel.ref(rows, Index.vectorLoop("r"))));
        }
        return code.beginControlFlow("for (int r = 0; r < $L; r++)", sum.width())
                .addStatement("g[r] += $L", terms.build())
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (; b < m; b++)")
                .addStatement("$L x = $L", type, kernel.ref(scalars, Index.vectorLoop("c")))
                .beginControlFlow("for (int r = 0; r < $L; r++)", sum.width())
                .addStatement("g[r] += x * $L", kernel.ref(rows, Index.vectorLoop("r")))
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /**
     * {@code sums[c] += Σ_t scalars[t][c] rows[t]}, sample by sample and row by row of the
     * gradient: a row of one sample's gradient is summed in a scratch row in level 1, four terms
     * {@code t} per pass over rows copied to start at index 0, the form C2 vectorises, then added
     * to the gradient. Each element is the sum over {@code t} in order from zero, then one
     * addition to the gradient, exactly as the product stored per sample would be, so a tile gives
     * the bits of the one-sample step (TrainOneTest) and nothing of the size of the weight is
     * stored per sample.
     *
     * <p>In float classes run with the Vector API, a sample's sum is one call of the runtime's
     * register-blocked {@code multiply} instead ({@link #vectorTermSums}); every kernel adds each
     * sample's sum in the same way, so a tile still gives the bits of the one-sample step.
     */
    private CodeBlock termSums(Stmt.OuterSum sum, int rows, int scalars) {
        // The element names of the loops as the gradient's: i along its rows, j along a row.
        String outer = sum.sums().flat() ? "i" : "j";
        String inner = sum.sums().flat() ? "j" : "i";
        int outerCount = sum.count();
        int innerCount = sum.width();
        IntFunction<CodeBlock> scalar = t -> element(scalars, outerCount, CodeBlock.of("k + $L", t), outer);
        IntFunction<CodeBlock> row = t -> element(rows, innerCount, CodeBlock.of("k + $L", t), inner);
        CodeBlock target = sum.sums().flat()
                ? CodeBlock.of("$N[i * $L + j]", sum.sums().array(), innerCount)
                : CodeBlock.of("$N[j][i]", sum.sums().array());
        Node node = kernel.graph().node(rows);
        String scratch = kernel.scratchRows(node, "gradientRow", 1, innerCount);
        // The rows of the operand the sums run along, copied into rows that start at index 0:
        // C2 vectorises s[i] += a r[i] over such rows, not over rows at an offset in one array.
        String copies = kernel.scratchRows(node, "termRows", sum.terms(), innerCount);
        IntFunction<CodeBlock> copied = t -> CodeBlock.of("$N[k + $L][$N]", copies, t, inner);
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
                    .add(vectorTermSums(sum, node, scalars, copies, outer, inner, target))
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
     * One sample's {@link #termSums} with the Vector API: the scalars of the terms transposed
     * into rows ({@code a[outer][k]}), their product with the copied term rows by the runtime's
     * register-blocked {@code multiply} into a scratch gradient of the sample, which is then added
     * to the gradient. The plain loops add a product to memory at every term; here each block of
     * sums stays in registers over all terms.
     */
    private CodeBlock vectorTermSums(
            Stmt.OuterSum sum, Node node, int scalars, String copies, String outer, String inner, CodeBlock target) {
        int outerCount = sum.count();
        int innerCount = sum.width();
        String transposed = kernel.scratchRows(node, "termScalars", outerCount, sum.terms());
        String sampleSum = kernel.scratchRows(node, "sampleGradient", outerCount, innerCount);
        return CodeBlock.builder()
                .beginControlFlow("for (int k = 0; k < $L; k++)", sum.terms())
                .beginControlFlow("for (int $N = 0; $N < $L; $N++)", outer, outer, outerCount, outer)
                .addStatement(
                        "$N[$N][k] = $L", transposed, outer, element(scalars, outerCount, CodeBlock.of("k"), outer))
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
                .addStatement("$L[] s = $N[$N]", type, sampleSum, outer)
                .beginControlFlow("for (int $N = 0; $N < $L; $N++)", inner, inner, innerCount, inner)
                .addStatement("$L += s[$N]", target, inner)
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /** Element {@code [k][column]} of per-sample matrix {@code id} of rows of {@code cols}. */
    private CodeBlock element(int id, int cols, CodeBlock k, String column) {
        return kernel.ref(
                id,
                new Index(CodeBlock.of("($L) * $L + $N", k, cols, column), k, CodeBlock.of("$N", column), -1, -1, -1));
    }
}
