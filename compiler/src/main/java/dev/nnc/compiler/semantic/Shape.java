package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.InternalCompilerError;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The static shape of a value: a scalar, or a tensor of up to {@link #MAX_RANK} dimensions
 * ({@code [n]}, {@code [rows, cols]}, an image {@code [channels, height, width]}, ...). Shapes
 * are per sample; the batch dimension is implicit and never part of a shape. Elements are stored
 * row-major, so every shape is also a flat array of {@link #size()} elements.
 *
 * <p>{@link #rows()} and {@link #cols()} view a tensor as a matrix: its first dimension by the
 * product of the others, the view that slices and {@code concat} work along.
 */
public record Shape(List<Integer> dimensions) {
    /** Tensors have at most this many dimensions per sample (LANGUAGE.md, "Shapes"). */
    public static final int MAX_RANK = 4;

    private static final Shape SCALAR = new Shape(List.of());

    public Shape {
        dimensions = List.copyOf(dimensions);
        if (dimensions.size() > MAX_RANK || dimensions.stream().anyMatch(d -> d < 1)) {
            throw new InternalCompilerError("malformed shape " + dimensions);
        }
    }

    public static Shape scalar() {
        return SCALAR;
    }

    public static Shape vector(int n) {
        return new Shape(List.of(n));
    }

    public static Shape matrix(int rows, int cols) {
        return new Shape(List.of(rows, cols));
    }

    /** A shape of the given dimensions; none of them a scalar. */
    public static Shape of(int... dims) {
        return new Shape(Arrays.stream(dims).boxed().toList());
    }

    public int rank() {
        return dimensions.size();
    }

    /** Dimension {@code axis}, counted from 0. */
    public int dim(int axis) {
        return dimensions.get(axis);
    }

    public boolean isScalar() {
        return rank() == 0;
    }

    public boolean isVector() {
        return rank() == 1;
    }

    public boolean isMatrix() {
        return rank() == 2;
    }

    /** The first dimension (1 for a scalar). */
    public int rows() {
        return isScalar() ? 1 : dimensions.get(0);
    }

    /** The elements per row: the product of all dimensions after the first (1 for a vector). */
    public int cols() {
        return size() / rows();
    }

    /** Number of elements. */
    public int size() {
        int size = 1;
        for (int d : dimensions) {
            size *= d;
        }
        return size;
    }

    /** The dimensions as the runtime lists them: {@code {}}, {@code {n}}, {@code {r, c}}, ... */
    public int[] dims() {
        return dimensions.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The same elements with the first dimension replaced: a slice or a concatenation. */
    public Shape withRows(int rows) {
        int[] dims = dims();
        dims[0] = rows;
        return of(dims);
    }

    /** The shape without its first dimension: one row, {@code x[i]}. */
    public Shape row() {
        return new Shape(dimensions.subList(1, rank()));
    }

    /** As the language writes it: {@code scalar}, {@code [4]}, {@code [4, 2]}. */
    @Override
    public String toString() {
        if (isScalar()) {
            return "scalar";
        }
        return dimensions.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
    }
}
