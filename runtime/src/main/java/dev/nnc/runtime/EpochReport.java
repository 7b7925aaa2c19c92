package dev.nnc.runtime;

import java.util.Locale;

/**
 * What happened in one training epoch, as passed to a {@link TrainingListener} and kept in the
 * {@link TrainingHistory}.
 *
 * @param epoch the 1-based epoch number
 * @param epochs the number of epochs configured
 * @param loss the mean training loss over the epoch: the sample-weighted mean of each batch's loss
 *     before its update
 * @param validationLoss the mean loss on the validation set after the epoch, or NaN without
 *     validation data
 * @param validationAccuracy the argmax accuracy on the validation set in [0, 1], or NaN if there
 *     is no validation set or its targets are not one-hot
 * @param millis the wall-clock duration of the epoch, including validation
 */
public record EpochReport(
        int epoch, int epochs, double loss, double validationLoss, double validationAccuracy, long millis) {

    /** Whether a validation loss was computed. */
    public boolean hasValidation() {
        return !Double.isNaN(validationLoss);
    }

    /**
     * The progress line the trainer prints, e.g. {@code epoch 3/50  loss 0.1234  val_loss 0.1502
     * val_acc 95.6%  12 ms}; the validation figures appear only when computed.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(80);
        sb.append("epoch ").append(epoch).append('/').append(epochs);
        sb.append("  loss ").append(formatLoss(loss));
        if (hasValidation()) {
            sb.append("  val_loss ").append(formatLoss(validationLoss));
        }
        if (!Double.isNaN(validationAccuracy)) {
            sb.append("  val_acc ").append(String.format(Locale.ROOT, "%.1f%%", 100 * validationAccuracy));
        }
        sb.append("  ").append(millis).append(" ms");
        return sb.toString();
    }

    static String formatLoss(double value) {
        // Four decimals read well for typical losses; tiny ones would all print as 0.0000.
        boolean tiny = value != 0 && Math.abs(value) < 1e-3;
        return String.format(Locale.ROOT, tiny ? "%.3e" : "%.4f", value);
    }
}
