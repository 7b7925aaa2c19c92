package dev.nnc.benchmarks;

import dev.nnc.benchmarks.handwritten.FloatCnn;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * I3: one-sample predictions of C2 (LeNet-5) in float; ops/s = predictions/s. The samples are
 * C2's inputs, the parameters {@link C2Benchmark#initialParameters}.
 */
@State(Scope.Thread)
public class I3Benchmark extends SuiteBenchmark {
    private static final int SAMPLES = 16;
    private final float[][] floatSamples = new float[SAMPLES][];
    private final float[] floatOut = new float[10];
    private FloatCnn handwritten;
    private int cursor;

    @Setup
    public void setUp() {
        SuiteData data = SuiteData.of(Problem.C2);
        for (int i = 0; i < SAMPLES; i++) {
            floatSamples[i] = SuiteData.toFloats(data.sample(i));
        }
        handwritten = Baselines.handwrittenC2(1);
        handwritten.setParameters(SuiteData.toFloats(C2Benchmark.initialParameters()));
    }

    @Benchmark
    public float handwritten() {
        handwritten.predict(floatSamples[cursor++ & (SAMPLES - 1)], floatOut);
        return floatOut[0];
    }
}
