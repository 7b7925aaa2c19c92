package dev.nnc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.benchmarks.generated.N1;
import dev.nnc.benchmarks.generated.N2;
import dev.nnc.benchmarks.generated.N3;
import dev.nnc.benchmarks.generated.N4;
import dev.nnc.benchmarks.generated.N5;
import dev.nnc.benchmarks.generated.N5Double;
import dev.nnc.benchmarks.generated.R1;
import dev.nnc.benchmarks.handwritten.DoubleMlp;
import dev.nnc.benchmarks.handwritten.FloatGru;
import dev.nnc.benchmarks.handwritten.FloatMlp;
import dev.nnc.benchmarks.handwritten.N1Handwritten;
import dev.nnc.benchmarks.handwritten.N2Handwritten;
import dev.nnc.benchmarks.handwritten.N3Handwritten;
import dev.nnc.benchmarks.tape.TapeMlp;
import dev.nnc.runtime.TrainableNetwork;
import org.junit.jupiter.api.Test;

/**
 * Every baseline computes what the nnc network computes: from the same initial parameters and
 * the same batches, the losses of the first {@link #STEPS} training steps agree (each step's
 * loss depends on every earlier update, so this checks forward, backward and optimizer), and
 * so do one-sample predictions. Tolerances: 1e-9 relative in double; 1e-4 in float, where
 * different summation orders of 784-term products round differently.
 */
class BaselineParityTest {
    private static final int STEPS = 5;
    private static final double DOUBLE_TOLERANCE = 1e-9;
    private static final double FLOAT_TOLERANCE = 1e-4;

    /** A training step of one implementation, on batch {@code index} of the pool. */
    private interface Step {
        double run(int index);
    }

    @Test
    void handwrittenAndTapeMatchN1() {
        N1 nnc = new N1();
        N1Handwritten handwritten = new N1Handwritten();
        handwritten.setParameters(parametersOf(nnc));
        TapeMlp tape = tapeFrom(Problem.N1, nnc);
        SuiteData data = SuiteData.of(Problem.N1);
        assertSameLosses(
                DOUBLE_TOLERANCE, doubleSteps(data, nnc::trainStep), doubleSteps(data, handwritten::trainStep));
        assertSameLosses(DOUBLE_TOLERANCE, doubleSteps(data, new N1()::trainStep), doubleSteps(data, tape::trainStep));
    }

    @Test
    void handwrittenAndTapeMatchN2() {
        N2 nnc = new N2();
        N2Handwritten handwritten = new N2Handwritten();
        handwritten.setParameters(parametersOf(nnc));
        TapeMlp tape = tapeFrom(Problem.N2, nnc);
        SuiteData data = SuiteData.of(Problem.N2);
        assertSameLosses(
                DOUBLE_TOLERANCE, doubleSteps(data, nnc::trainStep), doubleSteps(data, handwritten::trainStep));
        assertSameLosses(DOUBLE_TOLERANCE, doubleSteps(data, new N2()::trainStep), doubleSteps(data, tape::trainStep));
    }

    @Test
    void handwrittenAndTapeMatchN3() {
        N3 nnc = new N3();
        N3Handwritten handwritten = new N3Handwritten();
        handwritten.setParameters(parametersOf(nnc));
        TapeMlp tape = tapeFrom(Problem.N3, nnc);
        SuiteData data = SuiteData.of(Problem.N3);
        assertSameLosses(
                DOUBLE_TOLERANCE, doubleSteps(data, nnc::trainStep), doubleSteps(data, handwritten::trainStep));
        assertSameLosses(DOUBLE_TOLERANCE, doubleSteps(data, new N3()::trainStep), doubleSteps(data, tape::trainStep));
    }

    @Test
    void handwrittenAndTapeMatchN4() {
        N4 nnc = new N4();
        DoubleMlp handwritten = Baselines.handwrittenN4();
        handwritten.setParameters(parametersOf(nnc));
        TapeMlp tape = tapeFrom(Problem.N4, nnc);
        SuiteData data = SuiteData.of(Problem.N4);
        assertSameLosses(
                DOUBLE_TOLERANCE, doubleSteps(data, nnc::trainStep), doubleSteps(data, handwritten::trainStep));
        assertSameLosses(DOUBLE_TOLERANCE, doubleSteps(data, new N4()::trainStep), doubleSteps(data, tape::trainStep));
    }

    @Test
    void handwrittenAndTapeMatchN5InDouble() {
        N5Double nnc = new N5Double();
        DoubleMlp handwritten = Baselines.handwrittenN5Double();
        handwritten.setParameters(parametersOf(nnc));
        TapeMlp tape = tapeFrom(Problem.N5, nnc);
        SuiteData data = SuiteData.of(Problem.N5);
        assertSameLosses(
                DOUBLE_TOLERANCE, doubleSteps(data, nnc::trainStep), doubleSteps(data, handwritten::trainStep));
        assertSameLosses(
                DOUBLE_TOLERANCE, doubleSteps(data, new N5Double()::trainStep), doubleSteps(data, tape::trainStep));
    }

    @Test
    void handwrittenMatchesN5InFloat() {
        N5Double reference = new N5Double();
        N5 nnc = new N5();
        nnc.setParameters(parametersOf(reference));
        FloatMlp handwritten = Baselines.handwrittenN5();
        handwritten.setParameters(SuiteData.toFloats(parametersOf(reference)));
        SuiteData data = SuiteData.of(Problem.N5);
        int batch = Problem.N5.batch();
        assertSameLosses(
                FLOAT_TOLERANCE,
                i -> nnc.trainStep(data.floatInputs(i), data.floatTargets(i), batch),
                i -> handwritten.trainStep(data.floatInputs(i), data.floatTargets(i), batch));
    }

    @Test
    void predictionsMatchForI1AndI2() {
        N4 n4 = new N4();
        DoubleMlp handwritten4 = Baselines.handwrittenN4();
        handwritten4.setParameters(parametersOf(n4));
        TapeMlp tape4 = tapeFrom(Problem.N4, n4);
        double[] x4 = SuiteData.of(Problem.N4).sample(3);
        double[] expected = new double[10];
        double[] actual = new double[10];
        n4.predict(x4, expected);
        handwritten4.predict(x4, actual);
        assertArrayEquals(expected, actual, DOUBLE_TOLERANCE);
        tape4.predict(x4, actual);
        assertArrayEquals(expected, actual, DOUBLE_TOLERANCE);

        N5Double n5 = new N5Double();
        DoubleMlp handwritten5 = Baselines.handwrittenN5Double();
        handwritten5.setParameters(parametersOf(n5));
        TapeMlp tape5 = tapeFrom(Problem.N5, n5);
        double[] x5 = SuiteData.of(Problem.N5).sample(7);
        n5.predict(x5, expected);
        handwritten5.predict(x5, actual);
        assertArrayEquals(expected, actual, DOUBLE_TOLERANCE);
        tape5.predict(x5, actual);
        assertArrayEquals(expected, actual, DOUBLE_TOLERANCE);

        FloatMlp handwrittenFloat = Baselines.handwrittenN5();
        handwrittenFloat.setParameters(SuiteData.toFloats(parametersOf(n5)));
        float[] floatOut = new float[10];
        handwrittenFloat.predict(SuiteData.toFloats(x5), floatOut);
        for (int j = 0; j < 10; j++) {
            assertEquals(expected[j], floatOut[j], FLOAT_TOLERANCE);
        }
    }

    /**
     * The hand-written GRU from the nnc network's own initial parameters (PyTorch's layout and
     * gate order, so they copy as they are): the same losses for five steps and the same
     * predictions, in float; and the benchmark's starting point, which nnc takes through {@code
     * setParameters}, reads back unchanged.
     */
    @Test
    void handwrittenMatchesR1AndI4() {
        R1 nnc = new R1();
        FloatGru handwritten = Baselines.handwrittenR1(Problem.R1.batch());
        handwritten.setParameters(SuiteData.toFloats(parametersOf(nnc)));
        SuiteData data = SuiteData.of(Problem.R1);
        int batch = Problem.R1.batch();
        assertSameLosses(
                FLOAT_TOLERANCE,
                i -> nnc.trainStep(data.floatInputs(i), data.floatTargets(i), batch),
                i -> handwritten.trainStep(data.floatInputs(i), data.floatTargets(i), batch));
        float[] x = SuiteData.toFloats(data.sample(5));
        float[] expected = new float[1];
        float[] actual = new float[1];
        nnc.predict(x, expected);
        handwritten.predict(x, actual);
        assertEquals(expected[0], actual[0], FLOAT_TOLERANCE);

        R1 fromBaseline = new R1();
        double[] start = R1Benchmark.initialParameters();
        fromBaseline.setParameters(start);
        assertArrayEquals(start, parametersOf(fromBaseline));
    }

    /** A double-precision train step signature: the generated classes' and the baselines'. */
    private interface DoubleTrainStep {
        double trainStep(double[] xs, double[] ys, int n);
    }

    private static Step doubleSteps(SuiteData data, DoubleTrainStep step) {
        int batch = data.problem().batch();
        return i -> step.trainStep(data.inputs(i), data.targets(i), batch);
    }

    private static void assertSameLosses(double tolerance, Step expected, Step actual) {
        for (int i = 0; i < STEPS; i++) {
            double want = expected.run(i);
            double got = actual.run(i);
            assertEquals(want, got, tolerance * Math.max(1.0, Math.abs(want)), "loss of step " + i);
        }
    }

    private static double[] parametersOf(TrainableNetwork network) {
        double[] parameters = new double[network.parameterCount()];
        network.getParameters(parameters);
        return parameters;
    }

    private static TapeMlp tapeFrom(Problem problem, TrainableNetwork network) {
        TapeMlp tape = Baselines.tape(problem);
        tape.setParameters(parametersOf(network));
        return tape;
    }
}
