package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.loops.Stmt.PatchProduct;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * The Java of a nest's {@link PatchProduct}, one sample's product over a convolution's patches:
 * the two kernels and the choice between them.
 *
 * <ul>
 *   <li>The plain loops: each row of the result summed in a scratch row, four rows of {@code b}
 *       per pass along rows that start at index 0 ({@link RowProducts}, the form C2 vectorises),
 *       from its start; a result in a node's value is summed in one scratch row and then stored.
 *   <li>Where the factor {@code a} lies whole in one flat array ({@link KernelEmitter#flatArray}:
 *       the weight, or the sample's row of the output gradient), the runtime's {@code
 *       PatchProducts.multiply} ({@code DoublePatchProducts} in double classes), which blocks four
 *       rows by up to four vectors in registers and reads {@code a} with its two strides, so no
 *       layout needs a copy for it; a result in a node's value is summed in scratch rows whole
 *       vectors long, then stored with its bias added.
 * </ul>
 */
final class WindowProducts {
    private final KernelEmitter kernel;
    private final Numeric numeric;
    private final String type;

    WindowProducts(KernelEmitter kernel, Numeric numeric) {
        this.kernel = kernel;
        this.numeric = numeric;
        this.type = numeric.type().toString();
    }

    /** The Vector API kernel behind a test for it, beside the plain loops; the loops alone without one. */
    CodeBlock either(PatchProduct product) {
        CodeBlock plain = plain(product);
        return vector(product).map(v -> VectorKernels.vectorOrPlain(v, plain)).orElse(plain);
    }

    /** The runtime's kernel, where {@code a} is a flat array. */
    Optional<CodeBlock> vector(PatchProduct p) {
        if (!(p.a() instanceof PatchProduct.Factor.Node a)) {
            return Optional.empty();
        }
        return kernel.flatArray(a.node()).map(flat -> {
            int rowStride = a.byRows() ? a.stride() : 1;
            int termStride = a.byRows() ? 1 : a.stride();
            if (p.c() instanceof PatchProduct.Target.Scratch c) {
                requireZeroStart(p);
                return VectorKernels.patchProduct(
                        numeric, flat, rowStride, termStride, p.b(), c.array(), p.rows(), p.inner(), p.width());
            }
            PatchProduct.Target.Node c = (PatchProduct.Target.Node) p.c();
            String sums = kernel.scratchRows(
                    kernel.graph().node(c.node()),
                    "filterSums",
                    p.rows(),
                    VectorKernels.patchRowLength(numeric, p.width()));
            CodeBlock.Builder code = CodeBlock.builder()
                    .add(VectorKernels.patchProduct(
                            numeric, flat, rowStride, termStride, p.b(), sums, p.rows(), p.inner(), p.width()))
                    .beginControlFlow("for (int $N = 0; $N < $L; $N++)", p.row(), p.row(), p.rows(), p.row())
                    .addStatement("$L[] s = $N[$N]", type, sums, p.row());
            CodeBlock sum = CodeBlock.of("s[$N]", p.column());
            if (p.start() instanceof PatchProduct.Start.ByRow bias) {
                code.addStatement("$L bias = $L", type, read(bias.node(), CodeBlock.of("$N", p.row())));
                sum = CodeBlock.of("$L + bias", sum);
            } else if (p.start() instanceof PatchProduct.Start.ByColumn bias) {
                sum = CodeBlock.of("$L + $L", sum, read(bias.node(), CodeBlock.of("$N", p.column())));
            }
            return code.beginControlFlow(
                            "for (int $N = 0; $N < $L; $N++)", p.column(), p.column(), p.width(), p.column())
                    .addStatement("$L = $L", target(c, p), sum)
                    .endControlFlow()
                    .endControlFlow()
                    .build();
        });
    }

    /** The plain loops. */
    CodeBlock plain(PatchProduct p) {
        IntFunction<CodeBlock> scalar = j -> factor(p, j);
        IntFunction<CodeBlock> row = j -> CodeBlock.of("$N[$N + $L]", p.b(), p.term(), j);
        CodeBlock products = RowProducts.emit(type, p.term(), p.inner(), scalar, row, p.width());
        if (p.c() instanceof PatchProduct.Target.Scratch c) {
            requireZeroStart(p);
            return CodeBlock.builder()
                    .beginControlFlow("for (int $N = 0; $N < $L; $N++)", p.row(), p.row(), p.rows(), p.row())
                    .addStatement("$L[] s = $N[$N]", type, c.array(), p.row())
                    .addStatement("$T.fill(s, $L)", java.util.Arrays.class, numeric.literal(0))
                    .add(products)
                    .endControlFlow()
                    .build();
        }
        PatchProduct.Target.Node c = (PatchProduct.Target.Node) p.c();
        String sums = kernel.scratchRows(kernel.graph().node(c.node()), "sums", 1, p.width());
        CodeBlock.Builder code = CodeBlock.builder()
                .beginControlFlow("for (int $N = 0; $N < $L; $N++)", p.row(), p.row(), p.rows(), p.row())
                .addStatement("$L[] s = $N[0]", type, sums);
        if (p.start() instanceof PatchProduct.Start.ByColumn bias) {
            code.beginControlFlow("for (int $N = 0; $N < $L; $N++)", p.column(), p.column(), p.width(), p.column())
                    .addStatement("s[$N] = $L", p.column(), read(bias.node(), CodeBlock.of("$N", p.column())))
                    .endControlFlow();
        } else {
            CodeBlock start = p.start() instanceof PatchProduct.Start.ByRow bias
                    ? read(bias.node(), CodeBlock.of("$N", p.row()))
                    : CodeBlock.of("$L", numeric.literal(0));
            code.addStatement("$T.fill(s, $L)", java.util.Arrays.class, start);
        }
        return code.add(products)
                .beginControlFlow("for (int $N = 0; $N < $L; $N++)", p.column(), p.column(), p.width(), p.column())
                .addStatement("$L = s[$N]", target(c, p), p.column())
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /** {@code a(i, k + j)}, the scalar of the {@code j}th row of a pass. */
    private CodeBlock factor(PatchProduct p, int j) {
        if (p.a() instanceof PatchProduct.Factor.Scratch a) {
            return CodeBlock.of("$N[$N][$N + $L]", a.array(), p.row(), p.term(), j);
        }
        PatchProduct.Factor.Node a = (PatchProduct.Factor.Node) p.a();
        CodeBlock flat = a.byRows()
                ? CodeBlock.of("$N * $L + $N + $L", p.row(), a.stride(), p.term(), j)
                : CodeBlock.of("($N + $L) * $L + $N", p.term(), j, a.stride(), p.row());
        return read(a.node(), flat);
    }

    /** Where {@code c[i][j]} of a node's value is, as a slot of the kernel. */
    private CodeBlock target(PatchProduct.Target.Node c, PatchProduct p) {
        CodeBlock flat = c.byRows()
                ? CodeBlock.of("$N * $L + $N", p.row(), c.stride(), p.column())
                : CodeBlock.of("$N * $L + $N", p.column(), c.stride(), p.row());
        return kernel.slot(c.node(), flat);
    }

    private CodeBlock read(int id, CodeBlock flat) {
        return kernel.ref(id, Index.of(flat, kernel.graph().node(id).shape()));
    }

    private static void requireZeroStart(PatchProduct p) {
        if (!(p.start() instanceof PatchProduct.Start.Zero)) {
            throw new InternalCompilerError("a product into scratch rows starts from zero: " + p);
        }
    }
}
