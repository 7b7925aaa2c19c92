package dev.nnc.runtime;

/** Receives a {@link EpochReport} at the end of every training epoch. */
@FunctionalInterface
public interface TrainingListener {

    /** Called after each epoch, once its validation figures are computed. */
    void onEpoch(EpochReport report);
}
