package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.loops.Stmt;

/**
 * The Java of a nest's {@link Stmt.Product}, {@code y[b] = addend + x[b] W} over a tile's samples
 * (a recurrence's hidden product at each step): in float classes run with the Vector API the
 * runtime's register-blocked {@code multiply}, then the addend; otherwise plain loops that start
 * each row from its addend and run two samples per pass over the weight's rows (each row, read from
 * level 2 once, serves both), a last sample alone. Each sample's sums are the same term for term
 * whatever the tile, so a tile computes the bits of the one-sample step.
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

    CodeBlock emit(Stmt.Product product, CodeBlock samples) {
        CodeBlock plain = plain(product, samples);
        if (!VectorKernels.covers(numeric)) {
            return plain;
        }
        CodeBlock.Builder vector = CodeBlock.builder()
                .addStatement(
                        "$T.multiply($N, 0, $N, $N, $L, $L, $L)",
                        VectorKernels.PRODUCTS,
                        product.x(),
                        product.weight(),
                        product.y(),
                        samples,
                        product.inner(),
                        product.width())
                .beginControlFlow("for (int b = 0; b < $L; b++)", samples)
                .addStatement("$L[] s = $N[b]", type, product.y());
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
                    .addStatement("$L[] swap = $N[b]", type, product.y())
                    .addStatement("$N[b] = $N[b]", product.y(), row.array())
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
        return blocked(product, product.y(), samples, two, one);
    }

    /** Element {@code g} of an element addend. */
    private CodeBlock element(Stmt.Product product) {
        int node = ((Stmt.Product.Addend.Element) product.addend()).node();
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
        String x = product.x();
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
}
