package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;

/**
 * Sums of rows scaled by scalars, the inner loop of the window and sequence loops: a product
 * written as {@code s += a_j row_j} along rows that start at index 0 rather than as dot
 * products, because C2 vectorises the former and leaves a floating-point dot product serial.
 */
final class RowProducts {
    private RowProducts() {}

    /**
     * {@code s[i] += Σ_j a(j) row(j)[i]} over {@code count} terms, four per pass over {@code s}
     * (the form C2 vectorises along {@code i}: rows that start at index 0, one statement), then
     * the remaining terms one by one; the loop variable {@code v} counts the terms.
     */
    static CodeBlock emit(
            String type,
            String v,
            int count,
            java.util.function.IntFunction<CodeBlock> scalar,
            java.util.function.IntFunction<CodeBlock> row,
            int length) {
        CodeBlock.Builder code = CodeBlock.builder().addStatement("int $N = 0", v);
        code.beginControlFlow("for (; $N + 4 <= $L; $N += 4)", v, count, v);
        CodeBlock.Builder sum = CodeBlock.builder();
        for (int j = 0; j < 4; j++) {
            code.addStatement("$L a$L = $L", type, j, scalar.apply(j))
                    .addStatement("$L[] r$L = $L", type, j, row.apply(j));
            sum.add(j == 0 ? "a$L * r$L[i]" : " + a$L * r$L[i]", j, j);
        }
        code.beginControlFlow("for (int i = 0; i < $L; i++)", length)
                .addStatement("s[i] += $L", sum.build())
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (; $N < $L; $N++)", v, count, v)
                .addStatement("$L a0 = $L", type, scalar.apply(0))
                .addStatement("$L[] r0 = $L", type, row.apply(0))
                .beginControlFlow("for (int i = 0; i < $L; i++)", length)
                .addStatement("s[i] += a0 * r0[i]")
                .endControlFlow()
                .endControlFlow();
        return code.build();
    }
}
