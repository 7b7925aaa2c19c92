package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.semantic.Shape;

/**
 * Which element of a tensor an expression is about: a literal position in unrolled code
 * ({@code hidden3}), or loop variables in loop code ({@code hidden[i]}, {@code w[r * 2 + c]}).
 * Matrices carry their row and column as well as the flat row-major position, because views
 * such as a transpose or an outer product read their operands by row or by column.
 */
record Index(CodeBlock flat, CodeBlock row, CodeBlock col, int literal, int literalRow, int literalCol) {

    /** Element {@code flat} of a tensor of {@code shape}, known when the code is generated. */
    static Index literal(int flat, Shape shape) {
        int row = shape.isMatrix() ? flat / shape.cols() : flat;
        int col = shape.isMatrix() ? flat % shape.cols() : 0;
        return new Index(CodeBlock.of("$L", flat), CodeBlock.of("$L", row), CodeBlock.of("$L", col), flat, row, col);
    }

    /** The element a loop over a vector is at: {@code i}. */
    static Index vectorLoop(String variable) {
        CodeBlock i = CodeBlock.of("$N", variable);
        return new Index(i, i, CodeBlock.of("0"), -1, -1, -1);
    }

    /** The element nested loops over a matrix are at: {@code r * cols + c}. */
    static Index matrixLoop(String row, String col, int cols) {
        return new Index(
                CodeBlock.of("$N * $L + $N", row, cols, col),
                CodeBlock.of("$N", row),
                CodeBlock.of("$N", col),
                -1,
                -1,
                -1);
    }

    /**
     * The element at the flat (row-major) position {@code flat} of a tensor of {@code shape}: a
     * matrix's row and column are worked out from it, for reads of matrices stored by columns.
     */
    static Index of(CodeBlock flat, Shape shape) {
        if (!shape.isMatrix()) {
            return flat(flat);
        }
        return new Index(
                flat,
                CodeBlock.of("($L) / $L", flat, shape.cols()),
                CodeBlock.of("($L) % $L", flat, shape.cols()),
                -1,
                -1,
                -1);
    }

    /**
     * The element {@code offset} places further along in row-major order, as a position in a
     * tensor of {@code shape}: how a reshape, a slice or a part of a concatenation reads its
     * operand.
     */
    Index shifted(int offset, Shape shape) {
        if (isLiteral()) {
            return literal(literal + offset, shape);
        }
        if (offset == 0) {
            return of(flat, shape);
        }
        return of(CodeBlock.of(offset > 0 ? "$L + $L" : "$L - $L", flat, Math.abs(offset)), shape);
    }

    /** The element at the flat position {@code flat}, for reads that need no row or column. */
    static Index flat(CodeBlock flat) {
        return new Index(flat, flat, CodeBlock.of("0"), -1, -1, -1);
    }

    boolean isLiteral() {
        return literal >= 0;
    }

    /** The same element seen as element {@code position} of a vector (a row or column). */
    Index asVectorElement(CodeBlock position, int literalPosition) {
        return new Index(position, position, CodeBlock.of("0"), literalPosition, literalPosition, 0);
    }

    /** The transposed position in a matrix of {@code originalCols} columns. */
    Index transposed(int originalCols) {
        if (isLiteral()) {
            int flatT = literalCol * originalCols + literalRow;
            return new Index(
                    CodeBlock.of("$L", flatT),
                    CodeBlock.of("$L", literalCol),
                    CodeBlock.of("$L", literalRow),
                    flatT,
                    literalCol,
                    literalRow);
        }
        return new Index(CodeBlock.of("$L * $L + $L", col, originalCols, row), col, row, -1, -1, -1);
    }

    /** Offset {@code base + flat}, for reads from a row of a flat batch array. */
    CodeBlock plus(CodeBlock base, int offset) {
        if (isLiteral()) {
            return CodeBlock.of("$L + $L", base, offset + literal);
        }
        return offset == 0 ? CodeBlock.of("$L + $L", base, flat) : CodeBlock.of("$L + $L + $L", base, offset, flat);
    }
}
