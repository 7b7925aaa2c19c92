package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.diagnostic.InternalCompilerError;

/**
 * A copy of a weight matrix as an array of rows ({@code float[][]}), kept by a class whose tiled
 * kernels multiply with it: rows of {@code W} for the backward product {@code W^T x} (the
 * matrix itself is stored by columns, see {@link ParameterField}), or, {@code transposed}, the
 * columns of a matrix stored flat. Rows start at index 0, which is what lets C2 vectorise the
 * multiply-add loops over them: with the flat array, the loop would read the weights and write
 * the output at different offsets, and C2 cannot rule out that both are the same array.
 */
record WeightRows(ParameterField parameter, String field, boolean transposed) {
    int rows() {
        return transposed
                ? parameter.param().shape().cols()
                : parameter.param().shape().rows();
    }

    int cols() {
        return transposed
                ? parameter.param().shape().rows()
                : parameter.param().shape().cols();
    }

    /**
     * The loops that copy the parameter into this view: all of it, or, {@linkplain
     * ParameterRuns#inParts in parts}, the columns of part {@code part}'s share, which is what
     * that part's {@code updateRange} has just written. Only a matrix stored by columns is
     * refreshed in parts: its shares are whole columns, each a slice of every row here.
     */
    CodeBlock refresh(Numeric numeric, ParameterRuns runs) {
        int rows = parameter.rows();
        int cols = parameter.cols();
        String weights = parameter.field();
        CodeBlock.Builder code = CodeBlock.builder();
        if (parameter.byColumns()) {
            // Rows from columns, in blocks of 16 columns: each row being written gets 16
            // consecutive values at a time, and the 16 columns being read stay in cache.
            CodeBlock end = runs.to(cols);
            return code.beginControlFlow("for (int c0 = $L; c0 < $L; c0 += 16)", runs.from(cols), end)
                    .addStatement("int c1 = $T.min(c0 + 16, $L)", JavaLang.MATH, end)
                    .beginControlFlow("for (int r = 0; r < $L; r++)", rows)
                    .addStatement("$L[] row = $N[r]", numeric.type(), field)
                    .beginControlFlow("for (int c = c0; c < c1; c++)")
                    .addStatement("row[c] = $N[c][r]", weights)
                    .endControlFlow()
                    .endControlFlow()
                    .endControlFlow()
                    .build();
        }
        if (runs.isInParts()) {
            throw new InternalCompilerError("the row copy " + field + " of a flat matrix refreshed in parts");
        }
        if (transposed) {
            // In blocks of 16 rows: each row of the transpose gets a whole cache line at a
            // time, and the 16 weight rows being read stay in cache across the columns.
            return code.beginControlFlow("for (int r0 = 0; r0 < $L; r0 += 16)", rows)
                    .addStatement("int r1 = $T.min(r0 + 16, $L)", JavaLang.MATH, rows)
                    .beginControlFlow("for (int c = 0; c < $L; c++)", cols)
                    .addStatement("$L[] column = $N[c]", numeric.type(), field)
                    .beginControlFlow("for (int r = r0; r < r1; r++)")
                    .addStatement("column[r] = $N[r * $L + c]", weights, cols)
                    .endControlFlow()
                    .endControlFlow()
                    .endControlFlow()
                    .build();
        }
        return code.beginControlFlow("for (int r = 0; r < $L; r++)", rows)
                .addStatement("$T.arraycopy($N, r * $L, $N[r], 0, $L)", System.class, weights, cols, field, cols)
                .endControlFlow()
                .build();
    }

    /** {@code if (transposesStale) refreshTransposes();}: the row copies made current before they are read. */
    static CodeBlock refreshIfStale() {
        return CodeBlock.builder()
                .beginControlFlow("if (transposesStale)")
                .addStatement("refreshTransposes()")
                .endControlFlow()
                .build();
    }
}
