package dev.nnc.runtime;

import java.util.Locale;
import java.util.Optional;

/**
 * Thrown when training produces a NaN or infinite loss or gradient. Continuing would turn every
 * parameter into NaN, so training stops with a message that says where it happened.
 *
 * <p>Generated networks throw it from {@link TrainableNetwork#trainStep} before applying the
 * update; the {@link Trainer} adds the epoch and batch with {@link #withLocation(String)}.
 */
public final class NonFiniteTrainingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The quantity that was found to be non-finite. */
    public enum Quantity {
        /** The mean loss of a batch. */
        LOSS("loss"),
        /** The gradient of the loss (one or more of its entries, or its norm). */
        GRADIENT("gradient");

        private final String label;

        Quantity(String label) {
            this.label = label;
        }

        /** The lowercase name used in messages: {@code "loss"} or {@code "gradient"}. */
        public String label() {
            return label;
        }
    }

    private final long step;
    private final Quantity quantity;
    private final double value;
    private final String parameterName;
    private final int parameterIndex;
    private final String location;

    /**
     * Reports a non-finite quantity without naming a parameter.
     *
     * @param step the 1-based number of the training step that failed
     * @param quantity what was non-finite
     * @param value the offending value (NaN or an infinity), shown in the message
     */
    public NonFiniteTrainingException(long step, Quantity quantity, double value) {
        this(step, quantity, value, null, -1, null, null);
    }

    /**
     * Reports a non-finite quantity and the first parameter entry where it shows.
     *
     * @param step the 1-based number of the training step that failed
     * @param quantity what was non-finite
     * @param value the offending value (NaN or an infinity), shown in the message
     * @param parameterName the name of the first parameter tensor with a non-finite entry
     * @param parameterIndex the row-major index of that entry within its tensor
     */
    public NonFiniteTrainingException(
            long step, Quantity quantity, double value, String parameterName, int parameterIndex) {
        this(step, quantity, value, requireName(parameterName), requireIndex(parameterIndex), null, null);
    }

    /** A failure detected by the {@link Trainer} itself, located from the start. */
    static NonFiniteTrainingException at(long step, Quantity quantity, double value, String location) {
        return new NonFiniteTrainingException(step, quantity, value, null, -1, location, null);
    }

    private NonFiniteTrainingException(
            long step,
            Quantity quantity,
            double value,
            String parameterName,
            int parameterIndex,
            String location,
            Throwable cause) {
        super(message(step, quantity, value, parameterName, parameterIndex, location), cause);
        if (quantity == null) {
            throw new NullPointerException("quantity");
        }
        this.step = step;
        this.quantity = quantity;
        this.value = value;
        this.parameterName = parameterName;
        this.parameterIndex = parameterIndex;
        this.location = location;
    }

    private static String requireName(String parameterName) {
        if (parameterName == null || parameterName.isEmpty()) {
            throw new IllegalArgumentException("parameterName must be a non-empty tensor name");
        }
        return parameterName;
    }

    private static int requireIndex(int parameterIndex) {
        if (parameterIndex < 0) {
            throw new IllegalArgumentException("parameterIndex must be >= 0, found " + parameterIndex);
        }
        return parameterIndex;
    }

    private static String message(
            long step, Quantity quantity, double value, String parameterName, int parameterIndex, String location) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(quantity.label()).append(" is ").append(describe(value));
        sb.append(" at training step ").append(step);
        if (location != null) {
            sb.append(" (").append(location).append(')');
        }
        if (parameterName != null) {
            sb.append("; first non-finite ")
                    .append(quantity.label())
                    .append(" entry: ")
                    .append(parameterName)
                    .append('[')
                    .append(parameterIndex)
                    .append(']');
        }
        sb.append(". Training diverged: try a lower learning rate or gradient clipping,"
                + " and check the inputs and targets for NaN or infinite values.");
        return sb.toString();
    }

    private static String describe(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Infinity" : "-Infinity";
        }
        // Callers should only report non-finite values; say so rather than hide the mistake.
        return String.format(Locale.ROOT, "%s (finite)", value);
    }

    /**
     * Returns an equal exception whose message also names where in training the failure happened,
     * e.g. {@code "epoch 3/50, batch 7/12"}. This exception becomes the cause.
     */
    public NonFiniteTrainingException withLocation(String location) {
        if (location == null || location.isEmpty()) {
            throw new IllegalArgumentException("location must be non-empty");
        }
        return new NonFiniteTrainingException(step, quantity, value, parameterName, parameterIndex, location, this);
    }

    /** The 1-based number of the training step that failed. */
    public long step() {
        return step;
    }

    /** Which quantity was non-finite. */
    public Quantity quantity() {
        return quantity;
    }

    /** The offending value: NaN or an infinity. */
    public double value() {
        return value;
    }

    /** The name of the first parameter tensor with a non-finite entry, if known. */
    public Optional<String> parameterName() {
        return Optional.ofNullable(parameterName);
    }

    /** The row-major index of that entry within its tensor, or -1 if no parameter is named. */
    public int parameterIndex() {
        return parameterIndex;
    }

    /** Where in training the failure happened, if a {@link Trainer} added it. */
    public Optional<String> location() {
        return Optional.ofNullable(location);
    }
}
