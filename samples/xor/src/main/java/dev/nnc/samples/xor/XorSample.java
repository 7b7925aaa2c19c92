package dev.nnc.samples.xor;

import java.util.Locale;

/**
 * Trains the generated {@link Xor} network on the four rows of the XOR truth table and prints the
 * table it learned.
 *
 * <pre>
 * x0  x1  target  output  learned
 *  0   0       0  0.0012        0
 *  ...
 * </pre>
 */
public final class XorSample {

    /** The four inputs of the truth table, one row after another. */
    static final double[] INPUTS = {0, 0, 0, 1, 1, 0, 1, 1};

    /** x0 XOR x1 for each row of {@link #INPUTS}. */
    static final double[] TARGETS = {0, 1, 1, 0};

    static final int ROWS = TARGETS.length;

    /** Full-batch Adam steps; the loss is well below 0.01 long before the last one. */
    static final int STEPS = 2000;

    private XorSample() {}

    /** Returns a network trained with the spec's seed on the whole truth table. */
    static Xor train() {
        Xor xor = new Xor();
        for (int step = 0; step < STEPS; step++) {
            xor.trainStep(INPUTS, TARGETS, ROWS);
        }
        return xor;
    }

    /** The network's output (a probability of 1) for each row of {@link #INPUTS}. */
    static double[] outputs(Xor xor) {
        double[] outputs = new double[ROWS];
        xor.predict(INPUTS, ROWS, outputs);
        return outputs;
    }

    /** Prints the learned truth table and the final loss. */
    public static void main(String[] args) {
        Xor xor = new Xor();
        System.out.printf(Locale.ROOT, "loss before training: %.4f%n", xor.loss(INPUTS, TARGETS, ROWS));
        xor = train();
        System.out.printf(Locale.ROOT, "loss after %d steps:  %.4f%n%n", STEPS, xor.loss(INPUTS, TARGETS, ROWS));

        double[] outputs = outputs(xor);
        int correct = 0;
        System.out.println("x0  x1  target  output  learned");
        for (int row = 0; row < ROWS; row++) {
            int learned = outputs[row] > 0.5 ? 1 : 0;
            if (learned == TARGETS[row]) {
                correct++;
            }
            System.out.printf(
                    Locale.ROOT,
                    "%2.0f  %2.0f  %6.0f  %6.4f  %7d%n",
                    INPUTS[2 * row],
                    INPUTS[2 * row + 1],
                    TARGETS[row],
                    outputs[row],
                    learned);
        }
        System.out.printf(Locale.ROOT, "%n%d of %d rows correct%n", correct, ROWS);
    }
}
