package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.nnc.compiler.semantic.Symbol;

/**
 * A trainable parameter as the generated class stores it: one array field for its values and,
 * in trainable networks, one for its gradient (the mean over the batch), with the optimizer's
 * state arrays in the same layout.
 *
 * <p>Vectors, scalars and the matrices of classes without tiled kernels are flat arrays in the
 * contract's row-major order. In a class whose kernels work on tiles, a weight matrix
 * {@code W [R, C]} is stored {@code byColumns}: an array of its {@code C} columns, each a
 * {@code float[R]} starting at index 0. That is the layout of every hot loop over it: the
 * product {@code W x} adds whole columns times {@code x[c]} into an output row, the weight
 * gradient {@code Σ_b d_b x_b^T} adds whole columns of it at a time, and the optimizer updates
 * column by column; rows that start at 0 are what C2 vectorises (docs/codegen.md). Only the
 * public API, which speaks the flat row-major contract, converts.
 */
record ParameterField(Symbol.Param param, String field, String gradient, boolean byColumns) {
    int size() {
        return param.shape().size();
    }

    /** Rows of the matrix, the length of one stored column. */
    int rows() {
        return param.shape().rows();
    }

    /** Columns of the matrix, the number of stored columns. */
    int cols() {
        return param.shape().cols();
    }

    TypeName arrayType(Numeric numeric) {
        return byColumns ? ArrayTypeName.of(numeric.arrayType()) : numeric.arrayType();
    }

    /** {@code new float[C][R]} or {@code new float[size]}. */
    CodeBlock newArray(Numeric numeric) {
        return byColumns
                ? CodeBlock.of("new $T[$L][$L]", numeric.type(), cols(), rows())
                : CodeBlock.of("new $T[$L]", numeric.type(), size());
    }

    /** Element {@code index} of {@code array} (the values, the gradient or a state array). */
    CodeBlock at(String array, Index index) {
        return byColumns
                ? CodeBlock.of("$N[$L][$L]", array, index.col(), index.row())
                : CodeBlock.of("$N[$L]", array, index.flat());
    }
}
