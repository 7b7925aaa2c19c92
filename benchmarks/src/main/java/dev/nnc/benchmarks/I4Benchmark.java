package dev.nnc.benchmarks;

import ai.onnxruntime.OrtException;
import dev.nnc.benchmarks.generated.R1;
import dev.nnc.benchmarks.handwritten.FloatGru;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * I4: one-sample predictions of R1 (the GRU regressor) in float; ops/s = predictions/s. The
 * samples are R1's inputs, the parameters {@link R1Benchmark#initialParameters}.
 */
@State(Scope.Thread)
public class I4Benchmark extends SuiteBenchmark {
    private static final int SAMPLES = 16;
    private final float[][] floatSamples = new float[SAMPLES][];
    private final float[] floatOut = new float[1];
    private R1 nnc;
    private FloatGru handwritten;
    private int cursor;

    @Setup
    public void setUp() {
        SuiteData data = SuiteData.of(Problem.R1);
        for (int i = 0; i < SAMPLES; i++) {
            floatSamples[i] = SuiteData.toFloats(data.sample(i));
        }
        nnc = new R1();
        nnc.setParameters(R1Benchmark.initialParameters());
        handwritten = Baselines.handwrittenR1(1);
        handwritten.setParameters(SuiteData.toFloats(R1Benchmark.initialParameters()));
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

    /** ONNX Runtime, one thread, on I4's model: R1's spec exported by {@code nnc export-onnx}, an ONNX {@code GRU}. */
    @State(Scope.Thread)
    public static class Ort {
        private OrtPredictor model;
        private int cursor;

        @Setup
        public void setUp() throws OrtException {
            R1 reference = new R1();
            reference.setParameters(OnnxModels.i4Parameters());
            model = OrtPredictor.oneSampleChecked("i4_float", Problem.R1, SAMPLES, new long[] {32, 8}, reference);
        }

        @TearDown
        public void tearDown() throws OrtException {
            model.close();
        }
    }
}
