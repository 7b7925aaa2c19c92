package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.loops.Stmt;
import java.util.function.IntFunction;

/**
 * The Java of a nest's {@link Stmt.Product}, {@code y[b] = addend + x[b] W} over a tile's samples:
 * the kernels of the products of rows by a weight, and the choice among them.
 *
 * <ul>
 *   <li>Over nodes' values (a dense layer's {@code W x + b}, its input gradient {@code W^T dy}):
 *       plain loops along rows of the weight, four rows per pass over an output row, in slices
 *       that stay in level 1 in a prediction of a batch; the runtime's register-blocked products
 *       with the Vector API (float classes, and double ones in their predictions), the one-sample
 *       kernel for a float prediction of one sample.
 *   <li>Over scratch rows (a recurrence's hidden product at each step): the runtime's {@code
 *       multiply} then the addend with the Vector API; otherwise plain loops that start each row
 *       from its addend and run two samples per pass over the weight's rows (each row, read from
 *       level 2 once, serves both), a last sample alone.
 * </ul>
 *
 * Each sample's sums are the same term for term whatever the tile, so a tile computes the bits of
 * the one-sample step.
 */
final class SampleProducts {
    private final KernelEmitter kernel;
    private final Numeric numeric;
    private final String type;

    SampleProducts(KernelEmitter kernel, Numeric numeric) {
        this.kernel = kernel;
        this.numeric = numeric;
        this.type = numeric.type().toString();
    }

    /** The statements of {@code product} over {@code samples} (its bound as Java). */
    CodeBlock emit(Stmt.Product product, CodeBlock samples) {
        if (product.x() instanceof Stmt.Product.Rows.Sample) {
            // Over nodes' values only in a tiled kernel, whose count of samples is m.
            return sampleRows(product);
        }
        return scratchRows(product, samples);
    }

    /**
     * Weight rows combined per pass over an output row in a tiled product: each load and store
     * of the output row then carries four multiply-adds; one per pass would leave the loop bound
     * by its stores.
     */
    static final int ROW_BLOCK = 4;

    /**
     * {@code y = W x} for every sample of a tile, {@code x} and {@code y} nodes' values (a dense
     * layer's product, or its input gradient {@code W^T dy}), as rows of multiply-adds that C2
     * vectorises, each pass over an output row adding four weight rows; float classes (and double
     * ones in their predictions) take the runtime's register-blocked products where the Vector API
     * is on, and a prediction of one float sample the one-sample kernel.
     */
    private CodeBlock sampleRows(Stmt.Product product) {
        int vector = ((Stmt.Product.Rows.Sample) product.x()).node();
        String weights = product.weight();
        String y = kernel.storedName(((Stmt.Product.Rows.Sample) product.y()).node());
        int width = product.width();
        int terms = product.inner();
        java.util.Optional<Integer> biasNode = product.addend() instanceof Stmt.Product.Addend.Element e
                ? java.util.Optional.of(e.node())
                : java.util.Optional.empty();
        java.util.Optional<CodeBlock> bias = biasNode.map(b -> kernel.ref(b, Index.vectorLoop("j")));
        int slice = predictionSlice(width, terms, type);
        CodeBlock loops = slice < terms
                ? slicedTileLoops(vector, weights, y, type, width, terms, bias, slice)
                : tileLoops(vector, weights, y, type, width, terms, bias);
        java.util.Optional<KernelEmitter.SampleRows> rows = kernel.sampleRows(vector);
        // Float classes take the kernels everywhere; double classes in predictions only.
        if ((VectorKernels.covers(numeric) || kernel.predictsOnly()) && rows.isPresent()) {
            // Training kernels: the kernel writes W x and the bias, if any, is added after it.
            CodeBlock addBias = bias.map(b -> CodeBlock.builder()
                            .beginControlFlow("for (int b = 0; b < m; b++)")
                            .beginControlFlow("for (int j = 0; j < $L; j++)", width)
                            .addStatement("$N[b][j] += $L", y, b)
                            .endControlFlow()
                            .endControlFlow()
                            .build())
                    .orElse(CodeBlock.of(""));
            java.util.Optional<CodeBlock> oneSample = java.util.Optional.empty();
            java.util.Optional<CodeBlock> tileBias = java.util.Optional.empty();
            if (kernel.predictsOnly()) {
                // A batch: the tile kernel adds the bias after its sums.
                tileBias = biasNode.flatMap(kernel::wholeVector);
            }
            if (kernel.predictsOnly() && VectorKernels.covers(numeric)) {
                // A prediction of one sample in float: the one-sample kernel, with the bias added as
                // it stores. Double classes run a sample as a tile of one.
                java.util.Optional<CodeBlock> biasArray = tileBias;
                CodeBlock call = CodeBlock.of(
                        "$T.multiplyOne($L[0], $L, $N, $L, $N[0], $L, $L)",
                        VectorKernels.PRODUCTS,
                        rows.get().array(),
                        rows.get().offset(),
                        weights,
                        biasArray.orElse(CodeBlock.of("null")),
                        y,
                        terms,
                        width);
                oneSample = java.util.Optional.of(
                        biasArray.isPresent() || biasNode.isEmpty()
                                ? CodeBlock.of("$L;\n", call)
                                : CodeBlock.of("$L;\n$L", call, addBias));
            }
            return CodeBlock.builder()
                    .add(VectorKernels.multiply(
                            VectorKernels.tileProducts(numeric),
                            rows.get(),
                            weights,
                            tileBias,
                            y,
                            terms,
                            width,
                            tileBias.isPresent() ? CodeBlock.of("") : addBias,
                            oneSample,
                            loops))
                    .build();
        }
        return loops;
    }

    /**
     * {@code y[b] = addend + x[b] W} over scratch rows (a recurrence's hidden product): the
     * runtime's {@code multiply} then the addend with the Vector API, else {@link #plain}.
     */
    private CodeBlock scratchRows(Stmt.Product product, CodeBlock samples) {
        CodeBlock plain = plain(product, samples);
        if (!VectorKernels.covers(numeric)) {
            return plain;
        }
        String x = scratch(product.x());
        String y = scratch(product.y());
        CodeBlock.Builder vector = CodeBlock.builder()
                .addStatement(
                        "$T.multiply($N, 0, $N, $N, $L, $L, $L)",
                        VectorKernels.PRODUCTS,
                        x,
                        product.weight(),
                        y,
                        samples,
                        product.inner(),
                        product.width())
                .beginControlFlow("for (int b = 0; b < $L; b++)", samples)
                .addStatement("$L[] s = $N[b]", type, y);
        if (product.addend() instanceof Stmt.Product.Addend.Row row) {
            vector.addStatement("$L[] a = $N[b]", type, row.array())
                    .beginControlFlow("for (int g = 0; g < $L; g++)", product.width())
                    .addStatement("s[g] += a[g]");
        } else {
            vector.beginControlFlow("for (int g = 0; g < $L; g++)", product.width())
                    .addStatement("s[g] += $L", element(product));
        }
        vector.endControlFlow().endControlFlow();
        return VectorKernels.vectorOrPlain(vector.build(), plain);
    }

    /**
     * A row addend is added into in place, and its rows then trade places with {@code y}'s; an
     * element addend (a bias) starts each row of {@code y}.
     */
    private CodeBlock plain(Stmt.Product product, CodeBlock samples) {
        if (product.addend() instanceof Stmt.Product.Addend.Row row) {
            return CodeBlock.builder()
                    .add(blocked(product, row.array(), samples, CodeBlock.of(""), CodeBlock.of("")))
                    .beginControlFlow("for (int b = 0; b < $L; b++)", samples)
                    .addStatement("$L[] swap = $N[b]", type, scratch(product.y()))
                    .addStatement("$N[b] = $N[b]", scratch(product.y()), row.array())
                    .addStatement("$N[b] = swap", row.array())
                    .endControlFlow()
                    .build();
        }
        CodeBlock bias = element(product);
        CodeBlock two = CodeBlock.builder()
                .beginControlFlow("for (int g = 0; g < $L; g++)", product.width())
                .addStatement("s0[g] = $L", bias)
                .addStatement("s1[g] = $L", bias)
                .endControlFlow()
                .build();
        CodeBlock one = CodeBlock.builder()
                .beginControlFlow("for (int g = 0; g < $L; g++)", product.width())
                .addStatement("s0[g] = $L", bias)
                .endControlFlow()
                .build();
        return blocked(product, scratch(product.y()), samples, two, one);
    }

    /** Element {@code g} of an element addend. */
    private CodeBlock element(Stmt.Product product) {
        if (!(product.addend() instanceof Stmt.Product.Addend.Element e)) {
            throw new InternalCompilerError("a product over scratch rows from " + product.addend());
        }
        int node = e.node();
        return kernel.ref(
                node, Index.of(CodeBlock.of("g"), kernel.graph().node(node).shape()));
    }

    /**
     * {@code y[b] += Σ_k x[b][k] w[k]} for the tile's samples, {@code w[k]} rows of {@code width}:
     * two samples per pass over the rows (after {@code start2} sets up their sums {@code s0},
     * {@code s1}), then a last sample alone (after {@code start1}). Each sample's sum adds four
     * terms per statement in the order of {@link RowProducts}.
     */
    private CodeBlock blocked(Stmt.Product product, String y, CodeBlock samples, CodeBlock start2, CodeBlock start1) {
        String x = scratch(product.x());
        String w = product.weight();
        int inner = product.inner();
        int width = product.width();
        CodeBlock.Builder code = CodeBlock.builder()
                .add("{\n$>")
                .addStatement("int b = 0")
                .beginControlFlow("for (; b + 2 <= $L; b += 2)", samples)
                .addStatement("$L[] x0 = $N[b]", type, x)
                .addStatement("$L[] x1 = $N[b + 1]", type, x)
                .addStatement("$L[] s0 = $N[b]", type, y)
                .addStatement("$L[] s1 = $N[b + 1]", type, y)
                .add(start2)
                .addStatement("int k = 0")
                .beginControlFlow("for (; k + 4 <= $L; k += 4)", inner);
        CodeBlock.Builder first = CodeBlock.builder();
        CodeBlock.Builder second = CodeBlock.builder();
        for (int j = 0; j < 4; j++) {
            code.addStatement("$L[] r$L = $N[k + $L]", type, j, w, j)
                    .addStatement("$L a$L = x0[k + $L]", type, j, j)
                    .addStatement("$L c$L = x1[k + $L]", type, j, j);
            first.add(j == 0 ? "a$L * r$L[i]" : " + a$L * r$L[i]", j, j);
            second.add(j == 0 ? "c$L * r$L[i]" : " + c$L * r$L[i]", j, j);
        }
        code.beginControlFlow("for (int i = 0; i < $L; i++)", width)
                .addStatement("s0[i] += $L", first.build())
                .addStatement("s1[i] += $L", second.build())
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (; k < $L; k++)", inner)
                .addStatement("$L[] r0 = $N[k]", type, w)
                .addStatement("$L a0 = x0[k]", type)
                .addStatement("$L c0 = x1[k]", type)
                .beginControlFlow("for (int i = 0; i < $L; i++)", width)
                .addStatement("s0[i] += a0 * r0[i]")
                .addStatement("s1[i] += c0 * r0[i]")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (; b < $L; b++)", samples)
                .addStatement("$L[] x0 = $N[b]", type, x)
                .addStatement("$L[] s0 = $N[b]", type, y)
                .add(start1)
                .addStatement("$L[] s = s0", type)
                .add(RowProducts.emit(
                        type,
                        "k",
                        inner,
                        j -> CodeBlock.of("x0[k + $L]", j),
                        j -> CodeBlock.of("$N[k + $L]", w, j),
                        width))
                .endControlFlow()
                .add("$<}\n");
        return code.build();
    }
    /**
     * The bytes of weights that a slice of a prediction's plain product keeps in the level-1
     * cache (32 KB on the machines measured) while every sample of the tile runs over them.
     */
    static final int SLICE_BYTES = 16 * 1024;

    /**
     * The weight rows per slice of a prediction's plain product of {@code rows} rows of {@code
     * width} elements: a multiple of {@link #ROW_BLOCK} whose rows fill {@link #SLICE_BYTES}, or
     * {@code rows} (no slices) where all of them fit or the kernel also trains. Training
     * kernels keep the unsliced form, whose speed they were measured with.
     */
    private int predictionSlice(int width, int rows, String type) {
        if (!kernel.predictsOnly()) {
            return rows;
        }
        int bytes = "double".equals(type) ? 8 : 4;
        int slice = Math.max(ROW_BLOCK, SLICE_BYTES / (width * bytes) / ROW_BLOCK * ROW_BLOCK);
        return slice >= rows ? rows : slice;
    }

    /**
     * The plain loops of a prediction's product in slices of {@code slice} weight rows: every
     * sample of the tile adds one slice, read from the level-1 cache, before the next slice
     * (unsliced, a batch of 64 read all the weights from level 2 once per sample). Each element
     * is the same sequence of additions as in {@link #tileLoops}: the slices start at multiples
     * of {@link #ROW_BLOCK}, so the groups of four weight rows are the same groups.
     */
    private CodeBlock slicedTileLoops(
            int vector,
            String weights,
            String y,
            String type,
            int width,
            int terms,
            java.util.Optional<CodeBlock> bias,
            int slice) {
        CodeBlock.Builder code = CodeBlock.builder().beginControlFlow("for (int b = 0; b < m; b++)");
        if (bias.isPresent()) {
            code.addStatement("$L[] y = $N[b]", type, y)
                    .beginControlFlow("for (int j = 0; j < $L; j++)", width)
                    .addStatement("y[j] = $L", bias.get())
                    .endControlFlow();
        } else {
            code.addStatement("$T.fill($N[b], $L)", java.util.Arrays.class, y, numeric.literal(0));
        }
        code.endControlFlow()
                .beginControlFlow("for (int from = 0; from < $L; from += $L)", terms, slice)
                .addStatement("int to = $T.min(from + $L, $L)", JavaLang.MATH, slice, terms);
        CodeBlock head = CodeBlock.builder()
                .beginControlFlow("for (int b = 0; b < m; b++)")
                .addStatement("$L[] y = $N[b]", type, y)
                .build();
        return code.add(rowBlockLoops(
                        "k",
                        "from",
                        "to",
                        head,
                        r -> CodeBlock.of("$L x$L = $L", type, r, kernel.ref(vector, Index.flat(indexPlus("k", r)))),
                        r -> CodeBlock.of("$L[] w$L = $N[$L]", type, r, weights, indexPlus("k", r)),
                        r -> CodeBlock.of("x$L * w$L[j]", r, r),
                        "y[j]",
                        "j",
                        width))
                .endControlFlow()
                .build();
    }

    /**
     * The plain loops of {@link #emitTile}: each output row starts from zero, or from the bias
     * ({@code bias} at element {@code j}) that the product's only reader adds.
     */
    private CodeBlock tileLoops(
            int vector,
            String weights,
            String y,
            String type,
            int width,
            int terms,
            java.util.Optional<CodeBlock> bias) {
        CodeBlock.Builder code = CodeBlock.builder()
                .beginControlFlow("for (int b = 0; b < m; b++)")
                .addStatement("$L[] y = $N[b]", type, y);
        if (bias.isPresent()) {
            code.beginControlFlow("for (int j = 0; j < $L; j++)", width)
                    .addStatement("y[j] = $L", bias.get())
                    .endControlFlow();
        } else {
            code.addStatement("$T.fill(y, $L)", java.util.Arrays.class, numeric.literal(0));
        }
        return rowBlockLoops(
                "k",
                String.valueOf(terms),
                code.build(),
                r -> CodeBlock.of("$L x$L = $L", type, r, kernel.ref(vector, Index.flat(indexPlus("k", r)))),
                r -> CodeBlock.of("$L[] w$L = $N[$L]", type, r, weights, indexPlus("k", r)),
                r -> CodeBlock.of("x$L * w$L[j]", r, r),
                "y[j]",
                "j",
                width);
    }

    /**
     * The shape of the plain loops of a tiled product: {@code head} (which opens one loop),
     * then, inside it, {@code target += term(0) + ... + term(ROW_BLOCK - 1)} over {@code lane <
     * width} for {@code ROW_BLOCK} values of {@code index} at a time, each {@code r} first
     * declaring {@code scalar(r)} and {@code row(r)} (for {@code index + r}), then the remaining
     * values of {@code index < count} one at a time.
     */
    static CodeBlock rowBlockLoops(
            String index,
            String count,
            CodeBlock head,
            IntFunction<CodeBlock> scalar,
            IntFunction<CodeBlock> row,
            IntFunction<CodeBlock> term,
            String target,
            String lane,
            int width) {
        return rowBlockLoops(index, "0", count, head, scalar, row, term, target, lane, width);
    }

    /** {@link #rowBlockLoops} over {@code start <= index < count}. */
    static CodeBlock rowBlockLoops(
            String index,
            String start,
            String count,
            CodeBlock head,
            IntFunction<CodeBlock> scalar,
            IntFunction<CodeBlock> row,
            IntFunction<CodeBlock> term,
            String target,
            String lane,
            int width) {
        CodeBlock.Builder code = CodeBlock.builder()
                .add(head)
                .addStatement("int $L = $L", index, start)
                .beginControlFlow("for (; $L + $L <= $L; $L += $L)", index, ROW_BLOCK, count, index, ROW_BLOCK);
        CodeBlock.Builder sum = CodeBlock.builder();
        for (int r = 0; r < ROW_BLOCK; r++) {
            code.addStatement(scalar.apply(r)).addStatement(row.apply(r));
            sum.add(r == 0 ? "$L" : " + $L", term.apply(r));
        }
        return code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", lane, lane, width, lane)
                .addStatement("$L += $L", target, sum.build())
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (; $L < $L; $L++)", index, count, index)
                .addStatement(scalar.apply(0))
                .addStatement(row.apply(0))
                .beginControlFlow("for (int $L = 0; $L < $L; $L++)", lane, lane, width, lane)
                .addStatement("$L += $L", target, term.apply(0))
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /** {@code index}, or {@code index + r}. */
    static CodeBlock indexPlus(String index, int r) {
        return r == 0 ? CodeBlock.of("$L", index) : CodeBlock.of("$L + $L", index, r);
    }

    private static String scratch(Stmt.Product.Rows rows) {
        return ((Stmt.Product.Rows.Scratch) rows).array();
    }
}
