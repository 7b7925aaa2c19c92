package dev.nnc.compiler.graph;

/**
 * A named result of a graph. Prediction, loss and value outputs form the forward pass; gradient
 * outputs (added by reverse mode) the backward pass. {@code name} is the output definition, or for
 * gradients the parameter or argument they belong to.
 */
public record Output(Kind kind, String name, int node) {
    public enum Kind {
        /** What {@code predict} returns. */
        PREDICTION,
        /** The per-sample loss of a trainable network. */
        LOSS,
        /** The value of a function. */
        VALUE,
        /**
         * The next value of the buffer {@code name} after a training batch (a running
         * statistic); computed by the forward pass, written once training has used the batch.
         */
        BUFFER,
        /** d(the differentiated output)/d(a parameter or argument). */
        GRADIENT;

        public boolean isForward() {
            return this != GRADIENT;
        }
    }
}
