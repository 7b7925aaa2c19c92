package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.InternalCompilerError;

/**
 * The static shape of a value: a scalar, a vector {@code [n]} or a matrix {@code [rows, cols]}.
 * Shapes are per sample; the batch dimension is implicit and never part of a shape.
 */
public record Shape(int rank, int rows, int cols) {
    private static final Shape SCALAR = new Shape(0, 1, 1);

    public Shape {
        if (rank < 0 || rank > 2 || rows < 1 || cols < 1 || (rank < 2 && cols != 1) || (rank == 0 && rows != 1)) {
            throw new InternalCompilerError("malformed shape rank=" + rank + " rows=" + rows + " cols=" + cols);
        }
    }

    public static Shape scalar() {
        return SCALAR;
    }

    public static Shape vector(int n) {
        return new Shape(1, n, 1);
    }

    public static Shape matrix(int rows, int cols) {
        return new Shape(2, rows, cols);
    }

    public boolean isScalar() {
        return rank == 0;
    }

    public boolean isVector() {
        return rank == 1;
    }

    public boolean isMatrix() {
        return rank == 2;
    }

    /** Number of elements. */
    public int size() {
        return rows * cols;
    }

    /** The dimensions as the runtime lists them: {@code {}}, {@code {n}} or {@code {r, c}}. */
    public int[] dims() {
        return switch (rank) {
            case 0 -> new int[0];
            case 1 -> new int[] {rows};
            default -> new int[] {rows, cols};
        };
    }

    /** As the language writes it: {@code scalar}, {@code [4]}, {@code [4, 2]}. */
    @Override
    public String toString() {
        return switch (rank) {
            case 0 -> "scalar";
            case 1 -> "[" + rows + "]";
            default -> "[" + rows + ", " + cols + "]";
        };
    }
}
