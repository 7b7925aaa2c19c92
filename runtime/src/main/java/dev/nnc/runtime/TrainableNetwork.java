package dev.nnc.runtime;

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

    /** {@inheritDoc} */
    @Override
    TrainableNetwork copy();
}
