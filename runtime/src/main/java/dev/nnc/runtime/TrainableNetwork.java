package dev.nnc.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A {@link Network} that has a loss and an optimizer, and can therefore be trained. The array
 * layout and argument checks are those described on {@link Network}; {@code ys} holds {@link
 * #targetSize()} values per sample.
 */
public interface TrainableNetwork extends Network {

    /**
     * Returns the mean loss over {@code n} samples without changing any state.
     *
     * @param xs the inputs, row-major, of length at least {@code n * inputSize()}
     * @param ys the targets, row-major, of length at least {@code n * targetSize()}
     * @param n the number of samples, at least 1
     * @throws IllegalArgumentException if {@code n < 1} or an array is too short
     */
    double loss(double[] xs, double[] ys, int n);

    /**
     * Computes the mean loss over {@code n} samples and its gradient with respect to every
     * parameter, without changing any state. {@code grad} is overwritten, not accumulated into.
     *
     * @param xs the inputs, row-major, of length at least {@code n * inputSize()}
     * @param ys the targets, row-major, of length at least {@code n * targetSize()}
     * @param n the number of samples, at least 1
     * @param grad receives d(mean loss)/d(parameters), flattened in {@link #parameterNames()}
     *     order, of length exactly {@link #parameterCount()}
     * @return the mean loss
     * @throws IllegalArgumentException if {@code n < 1} or an array has the wrong size
     */
    double gradient(double[] xs, double[] ys, int n, double[] grad);

    /**
     * Performs one optimizer step on a batch: forward pass, backward pass and parameter update.
     * Allocates nothing.
     *
     * @param xs the inputs, row-major, of length at least {@code n * inputSize()}
     * @param ys the targets, row-major, of length at least {@code n * targetSize()}
     * @param n the number of samples in the batch, at least 1
     * @return the mean loss over the batch before the update
     * @throws IllegalArgumentException if {@code n < 1} or an array is too short
     * @throws NonFiniteTrainingException if the loss or the gradient is NaN or infinite; the
     *     parameters are then left as they were before the call
     */
    double trainStep(double[] xs, double[] ys, int n);

    /**
     * Computes what {@link #trainStep} differentiates: the mean loss over {@code n} samples and
     * its gradient as in training (dropout masks drawn from the network's generator exactly as
     * {@code trainStep} draws them, which advances it). Changes no parameter, optimizer state or
     * step. {@link #gradient} stays the exact gradient of {@link #loss}, without dropout.
     * {@code trainStep} equals this followed by {@link #applyGradient}. Allocates nothing.
     *
     * @param xs the inputs, row-major, of length at least {@code n * inputSize()}
     * @param ys the targets, row-major, of length at least {@code n * targetSize()}
     * @param n the number of samples, at least 1
     * @param grad receives the gradient, flattened in {@link #parameterNames()} order, of length
     *     exactly {@link #parameterCount()}; overwritten, not accumulated into
     * @return the mean loss
     * @throws IllegalArgumentException if {@code n < 1} or an array has the wrong size
     */
    double trainingGradient(double[] xs, double[] ys, int n, double[] grad);

    /**
     * Applies one optimizer update from {@code grad}, a gradient computed elsewhere (by {@link
     * #trainingGradient}, or summed over other machines): the same clipping, finiteness check
     * and step count as {@link #trainStep}. Allocates nothing.
     *
     * @param grad the gradient of the mean loss, flattened in {@link #parameterNames()} order, of
     *     length exactly {@link #parameterCount()}; not modified
     * @throws IllegalArgumentException if {@code grad} has the wrong length
     * @throws NonFiniteTrainingException if {@code grad} holds a NaN or an infinity; the network
     *     is then left as it was before the call
     */
    void applyGradient(double[] grad);

    /**
     * Writes a training checkpoint to {@code out} in the {@link CheckpointFile} format: what
     * {@link #save} writes, the optimizer state, the step count and the dropout generator's
     * state, so that training resumed from it continues bit for bit. The stream is flushed but
     * not closed.
     *
     * @throws IOException if writing fails
     */
    void saveCheckpoint(OutputStream out) throws IOException;

    /**
     * Replaces this network's whole training state with a checkpoint that {@link
     * #saveCheckpoint} wrote. Generated classes also have a static {@code loadCheckpoint} that
     * returns a new instance; this instance form is for code that holds only the interface, such
     * as {@link Trainer}, and keeps the instance's other settings (its thread count). The
     * checkpoint is verified completely before anything changes.
     *
     * @throws ParameterFileException if the stream is not a checkpoint of this network and
     *     optimizer, or is truncated or corrupted; the network is then unchanged
     * @throws IOException if reading fails
     */
    void restoreCheckpoint(InputStream in) throws IOException;

    /** {@inheritDoc} */
    @Override
    TrainableNetwork copy();
}
