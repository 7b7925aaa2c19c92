package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;

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

    /** {@code if (transposesStale) refreshTransposes();}: the row copies made current before they are read. */
    static CodeBlock refreshIfStale() {
        return CodeBlock.builder()
                .beginControlFlow("if (transposesStale)")
                .addStatement("refreshTransposes()")
                .endControlFlow()
                .build();
    }
}
