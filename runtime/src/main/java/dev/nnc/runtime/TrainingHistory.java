package dev.nnc.runtime;

import java.util.List;

/**
 * The outcome of {@link Trainer#fit}; {@link TrainingChart} draws it.
 *
 * @param epochs one report per epoch that ran, in order
 * @param bestEpoch the 1-based epoch with the lowest validation loss (training loss without
 *     validation data)
 * @param stoppedEarly whether early stopping ended training before the configured epochs
 * @param restoredBestParameters whether the parameters of {@code bestEpoch} were restored at the
 *     end
 */
public record TrainingHistory(
        List<EpochReport> epochs, int bestEpoch, boolean stoppedEarly, boolean restoredBestParameters) {

    /** Copies the reports and checks that {@code bestEpoch} is one of them. */
    public TrainingHistory {
        epochs = List.copyOf(epochs);
        if (bestEpoch < 1 || bestEpoch > epochs.size()) {
            throw new IllegalArgumentException("bestEpoch must be in [1, " + epochs.size() + "], found " + bestEpoch);
        }
    }

    /** The training loss of every epoch. */
    public double[] losses() {
        return epochs.stream().mapToDouble(EpochReport::loss).toArray();
    }

    /** The validation loss of every epoch (NaN without validation data). */
    public double[] validationLosses() {
        return epochs.stream().mapToDouble(EpochReport::validationLoss).toArray();
    }

    /** The report of the last epoch that ran. */
    public EpochReport last() {
        return epochs.get(epochs.size() - 1);
    }

    /** The report of {@link #bestEpoch()}. */
    public EpochReport best() {
        return epochs.get(bestEpoch - 1);
    }
}
