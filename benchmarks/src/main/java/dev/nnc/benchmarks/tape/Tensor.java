package dev.nnc.benchmarks.tape;

/**
 * A matrix value recorded on a {@link Tape}: {@code rows x cols}, row-major, with a gradient
 * array of the same size when it takes part in differentiation. Every operation allocates a new
 * tensor, as tensor-level AD libraries on the JVM do.
 */
public final class Tensor {
    final int rows;
    final int cols;
    final double[] value;
    /** {@code d loss / d value}; {@code null} for constants such as the input batch. */
    final double[] grad;

    Tensor(int rows, int cols, double[] value, boolean requiresGrad) {
        this.rows = rows;
        this.cols = cols;
        this.value = value;
        this.grad = requiresGrad ? new double[value.length] : null;
    }

    /** A constant (no gradient) that wraps {@code value} without copying. */
    public static Tensor constant(int rows, int cols, double[] value) {
        return new Tensor(rows, cols, value, false);
    }

    /** A trainable parameter, initialised from {@code value} (copied). */
    public static Tensor parameter(int rows, int cols, double[] value) {
        return new Tensor(rows, cols, value.clone(), true);
    }

    boolean requiresGrad() {
        return grad != null;
    }

    /** The value as a scalar; for the loss. */
    public double item() {
        return value[0];
    }
}
