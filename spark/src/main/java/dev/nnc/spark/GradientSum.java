package dev.nnc.spark;

import java.io.Serializable;

/**
 * What partitions send to the driver for one step, and what tree aggregation adds up: sums over
 * samples, never means, so that partitions with different row counts weigh by their rows. Every
 * sum is in double, also for float networks. Empty (no rows) until {@link #add} meets a
 * partition that held rows of the batch; the arrays are allocated then, so the zero value Spark
 * ships to every task stays small.
 */
final class GradientSum implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The sum over rows of d(loss)/d(parameters), or null while empty. */
    double[] gradient;

    /** The sum over rows of the running statistics after the partition's update, or null. */
    double[] buffers;

    /** The sum of the rows' losses. */
    double loss;

    /** The number of rows summed. */
    long count;

    /** Adds {@code other} into this one and returns this one. */
    GradientSum add(GradientSum other) {
        if (other.count == 0) {
            return this;
        }
        if (count == 0) {
            gradient = other.gradient;
            buffers = other.buffers;
            loss = other.loss;
            count = other.count;
            return this;
        }
        addInto(gradient, other.gradient);
        if (buffers != null) {
            addInto(buffers, other.buffers);
        }
        loss += other.loss;
        count += other.count;
        return this;
    }

    private static void addInto(double[] sum, double[] values) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += values[i];
        }
    }
}
