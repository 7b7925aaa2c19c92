package dev.nnc.benchmarks;

import ai.onnxruntime.OrtException;
import dev.nnc.benchmarks.generated.C2;
import dev.nnc.benchmarks.handwritten.FloatCnn;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * I3: one-sample predictions of C2 (LeNet-5) in float; ops/s = predictions/s. The samples are
 * C2's inputs, the parameters {@link C2Benchmark#initialParameters}.
 */
@State(Scope.Thread)
public class I3Benchmark extends SuiteBenchmark {
    private static final int SAMPLES = 16;
    private final float[][] floatSamples = new float[SAMPLES][];
    private final float[] floatOut = new float[10];
    private C2 nnc;
    private FloatCnn handwritten;
    private int cursor;

    @Setup
    public void setUp() {
        SuiteData data = SuiteData.of(Problem.C2);
        for (int i = 0; i < SAMPLES; i++) {
            floatSamples[i] = SuiteData.toFloats(data.sample(i));
        }
        nnc = new C2();
        nnc.setParameters(C2Benchmark.initialParameters());
        handwritten = Baselines.handwrittenC2(1);
        handwritten.setParameters(SuiteData.toFloats(C2Benchmark.initialParameters()));
    }

    @Benchmark
    public float nnc() {
        nnc.predict(floatSamples[cursor++ & (SAMPLES - 1)], floatOut);
        return floatOut[0];
    }

    @Benchmark
    public double ort(Ort ort) throws OrtException {
        return ort.model.run(ort.cursor++ & (SAMPLES - 1));
    }

    @Benchmark
    public float handwritten() {
        handwritten.predict(floatSamples[cursor++ & (SAMPLES - 1)], floatOut);
        return floatOut[0];
    }

    /** ONNX Runtime, one thread, on the exported I3 model (C2's forward pass and softmax). */
    @State(Scope.Thread)
    public static class Ort {
        private OrtPredictor model;
        private int cursor;

        @Setup
        public void setUp() throws OrtException {
            C2 reference = new C2();
            reference.setParameters(OnnxModels.i3Parameters());
            model = OrtPredictor.oneSampleChecked("i3_float", Problem.C2, SAMPLES, new long[] {784}, reference);
        }

        @TearDown
        public void tearDown() throws OrtException {
            model.close();
        }
    }
}
