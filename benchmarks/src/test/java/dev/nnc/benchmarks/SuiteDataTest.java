package dev.nnc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Pins the data to values printed by {@code pytorch_suite.py}'s {@code pool()}, so the JMH run and
 * the PyTorch run provably train on the same numbers.
 */
class SuiteDataTest {
    @Test
    void n4InputsAndLabelsMatchThePythonSuite() {
        SuiteData data = SuiteData.of(Problem.N4);
        double[] x = data.inputs(0);
        assertEquals(0.27917931, x[0], 1e-8);
        assertEquals(0.07825719, x[1], 1e-8);
        assertEquals(0.95294726, x[2], 1e-8);
        int[] labels = {7, 2, 0, 4, 1};
        for (int sample = 0; sample < labels.length; sample++) {
            assertEquals(1.0, data.targets(0)[sample * 10 + labels[sample]], "label of sample " + sample);
        }
    }

    @Test
    void n1SamplesMatchThePythonSuite() {
        SuiteData data = SuiteData.of(Problem.N1);
        assertEquals(0.7200288, data.inputs(2)[0], 1e-7);
        assertEquals(-0.63045342, data.inputs(2)[1], 1e-8);
        assertEquals(0.48529906, data.targets(2)[0], 1e-8);
    }

    @Test
    void xorBatchIsTheTruthTable() {
        SuiteData data = SuiteData.of(Problem.N2);
        assertArrayEquals(new double[] {0, 0, 1, 0, 0, 1, 1, 1}, data.inputs(5));
        assertArrayEquals(new double[] {0, 1, 1, 0}, data.targets(5));
    }

    @Test
    void convolutionalImagesAndLabelsMatchThePythonSuite() {
        SuiteData c1 = SuiteData.of(Problem.C1);
        assertEquals(0.83563791, c1.inputs(1)[0], 1e-8);
        assertEquals(0.49878219, c1.inputs(1)[1], 1e-8);
        assertEquals(0.75249630, c1.inputs(1)[2 * 64 + 40], 1e-8);
        SuiteData c2 = SuiteData.of(Problem.C2);
        assertEquals(0.83020623, c2.inputs(1)[0], 1e-8);
        assertEquals(0.37726058, c2.inputs(1)[2], 1e-8);
        assertEquals(0.29242361, c2.inputs(1)[2 * 784 + 100], 1e-8);
        int[] c1Labels = {0, 9, 1, 5, 8};
        int[] c2Labels = {1, 9, 8, 1, 7};
        for (int sample = 0; sample < c1Labels.length; sample++) {
            assertEquals(1.0, c1.targets(1)[sample * 10 + c1Labels[sample]], "C1 label of sample " + sample);
            assertEquals(1.0, c2.targets(1)[sample * 10 + c2Labels[sample]], "C2 label of sample " + sample);
        }
    }

    /** R1's sequences are flat rows of 32 steps x 8 features; pytorch_suite.py reshapes them to [batch, 32, 8]. */
    @Test
    void sequencesAndTargetsMatchThePythonSuite() {
        SuiteData r1 = SuiteData.of(Problem.R1);
        assertEquals(-0.14115865, r1.inputs(1)[0], 1e-8);
        assertEquals(0.66287571, r1.inputs(1)[9], 1e-8);
        assertEquals(-0.29365017, r1.inputs(1)[2 * 256 + 255], 1e-8);
        assertEquals(-0.35647690, r1.targets(1)[0], 1e-8);
        assertEquals(0.29372673, r1.targets(1)[3], 1e-8);
    }
}
