package dev.nnc.spark;

/**
 * Spark could not complete a training step: a task failed more often than Spark retries it
 * ({@code spark.task.maxFailures}), an executor was lost for good, or a network threw on an
 * executor. The message names the epoch and the step; the cause is Spark's report. The driver's
 * network holds the state after the last completed step, never a half-applied one.
 */
public final class SparkTrainingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int step;

    SparkTrainingException(String message, int epoch, int step, Throwable cause) {
        super(message, cause);
        this.epoch = epoch;
        this.step = step;
    }

    /** The 1-based epoch that failed, or 0 if training had not started (reading the data). */
    public int epoch() {
        return epoch;
    }

    /** The 1-based step within the epoch that failed, or 0 if training had not started. */
    public int step() {
        return step;
    }
}
