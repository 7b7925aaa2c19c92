package dev.nnc.samples.xor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class XorSampleTest {

    @Test
    void learnsAllFourRowsOfTheTruthTable() {
        double[] outputs = XorSample.outputs(XorSample.train());
        for (int row = 0; row < XorSample.ROWS; row++) {
            double target = XorSample.TARGETS[row];
            // A margin, not just the right side of 0.5: a network that has learned XOR is confident.
            assertEquals(target, outputs[row], 0.1, "row " + row);
        }
    }

    @Test
    void anUntrainedNetworkDoesNotKnowXor() {
        double[] outputs = XorSample.outputs(new Xor());
        int correct = 0;
        for (int row = 0; row < XorSample.ROWS; row++) {
            if ((outputs[row] > 0.5 ? 1 : 0) == XorSample.TARGETS[row]) {
                correct++;
            }
        }
        assertTrue(correct < XorSample.ROWS, "the untrained network already gets every row right");
    }

    @Test
    void trainingLowersTheLoss() {
        double before = new Xor().loss(XorSample.INPUTS, XorSample.TARGETS, XorSample.ROWS);
        double after = XorSample.train().loss(XorSample.INPUTS, XorSample.TARGETS, XorSample.ROWS);
        assertTrue(after < 0.05 && after < before / 10, "loss " + before + " -> " + after);
    }
}
