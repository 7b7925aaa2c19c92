package dev.nnc.spark;

import java.util.Locale;

/**
 * One epoch of {@link SparkTrainer}, as printed on the driver.
 *
 * @param epoch the 1-based epoch
 * @param epochs the number of epochs configured
 * @param loss the mean training loss over the epoch: every row's loss before its batch's update,
 *     averaged over the rows (a sum over samples, never a mean of partition means)
 * @param samples the number of rows the epoch trained on
 * @param millis the wall-clock duration of the epoch on the driver
 */
public record SparkEpochReport(int epoch, int epochs, double loss, long samples, long millis) {

    /** Training throughput: rows per second of wall-clock time. */
    public double samplesPerSecond() {
        return millis == 0 ? Double.POSITIVE_INFINITY : samples * 1000.0 / millis;
    }

    /** The progress line, e.g. {@code epoch 3/30  loss 0.1234  1348 samples in 512 ms (2633 samples/s)}. */
    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "epoch %d/%d  loss %s  %d samples in %d ms (%.0f samples/s)",
                epoch,
                epochs,
                loss != 0 && Math.abs(loss) < 1e-3
                        ? String.format(Locale.ROOT, "%.3e", loss)
                        : String.format(Locale.ROOT, "%.4f", loss),
                samples,
                millis,
                samplesPerSecond());
    }
}
