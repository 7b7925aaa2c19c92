package dev.nnc.benchmarks;

import dev.nnc.benchmarks.generated.N4;
import dev.nnc.benchmarks.generated.N4Float;
import dev.nnc.benchmarks.handwritten.DoubleMlp;
import dev.nnc.benchmarks.tape.TapeMlp;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** I1: one-sample predictions of N4 (64 -> 32 relu -> 10 softmax); ops/s = predictions/s. */
@State(Scope.Thread)
public class I1Benchmark extends SuiteBenchmark {
    private static final int SAMPLES = 16;
    private final double[][] samples = new double[SAMPLES][];
    private final float[][] floatSamples = new float[SAMPLES][];
    private final double[] out = new double[10];
    private final float[] floatOut = new float[10];
    private N4 nnc;
    private N4Float nncFloat;
    private DoubleMlp handwritten;
    private TapeMlp tape;
    private int cursor;

    @Setup
    public void setUp() {
        SuiteData data = SuiteData.of(Problem.N4);
        for (int i = 0; i < SAMPLES; i++) {
            samples[i] = data.sample(i);
            floatSamples[i] = SuiteData.toFloats(samples[i]);
        }
        nnc = new N4();
        nncFloat = new N4Float();
        double[] parameters = new double[N4.PARAMETER_COUNT];
        nnc.getParameters(parameters);
        nncFloat.setParameters(parameters);
        handwritten = Baselines.handwrittenN4();
        handwritten.setParameters(parameters);
        tape = Baselines.tape(Problem.N4);
        tape.setParameters(parameters);
    }

    @Benchmark
    public double nnc() {
        nnc.predict(samples[cursor++ & (SAMPLES - 1)], out);
        return out[0];
    }

    @Benchmark
    public float nncFloat() {
        nncFloat.predict(floatSamples[cursor++ & (SAMPLES - 1)], floatOut);
        return floatOut[0];
    }

    @Benchmark
    public double handwritten() {
        handwritten.predict(samples[cursor++ & (SAMPLES - 1)], out);
        return out[0];
    }

    @Benchmark
    public double tape() {
        tape.predict(samples[cursor++ & (SAMPLES - 1)], out);
        return out[0];
    }
}
