package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.TrainableNetwork;
import org.junit.jupiter.api.Test;

class GeneratedNetworkTest {

    @Test
    void xorLearnsTheTruthTableWithTrainStepAlone() {
        GeneratedClasses generated = GeneratedClasses.compileExample("xor.nn");
        TrainableNetwork xor = generated.newInstance("Xor");
        double[] xs = {0, 0, 0, 1, 1, 0, 1, 1};
        double[] ys = {0, 1, 1, 0};
        double loss = Double.NaN;
        for (int step = 0; step < 3000; step++) {
            loss = xor.trainStep(xs, ys, 4);
        }
        assertTrue(xor.loss(xs, ys, 4) < 0.05, "loss " + loss);
        double[] out = new double[1];
        for (int row = 0; row < 4; row++) {
            xor.predict(new double[] {xs[2 * row], xs[2 * row + 1]}, out);
            assertEquals(ys[row], Math.round(out[0]), "row " + row + ": " + out[0]);
        }
    }
}
