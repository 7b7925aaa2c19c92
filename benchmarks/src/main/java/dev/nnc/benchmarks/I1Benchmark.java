package dev.nnc.benchmarks;

import ai.onnxruntime.OrtException;
import dev.nnc.benchmarks.generated.N4;
import dev.nnc.benchmarks.generated.N4Float;
import dev.nnc.benchmarks.handwritten.DoubleMlp;
import dev.nnc.benchmarks.tape.TapeMlp;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * I1: one-sample predictions of N4 (64 -> 32 relu -> 10 softmax); ops/s = predictions/s. The
 * {@code ort} methods run ONNX Runtime on the exported model of the same parameters ({@link
 * OnnxModels}); without the exported models only they fail, with a message naming the command.
 */
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
    public double ort(Ort ort) throws OrtException {
        return ort.doubleModel.run(ort.cursor++ & (SAMPLES - 1));
    }

    @Benchmark
    public double ortFloat(Ort ort) throws OrtException {
        return ort.floatModel.run(ort.cursor++ & (SAMPLES - 1));
    }

    @Benchmark
    public double tape() {
        tape.predict(samples[cursor++ & (SAMPLES - 1)], out);
        return out[0];
    }

    /** ONNX Runtime, one thread, on the exported I1 models in double and float. */
    @State(Scope.Thread)
    public static class Ort {
        private OrtPredictor doubleModel;
        private OrtPredictor floatModel;
        private int cursor;

        @Setup
        public void setUp() throws OrtException {
            SuiteData data = SuiteData.of(Problem.N4);
            double[][] samples = new double[SAMPLES][];
            double[][] expected = new double[SAMPLES][10];
            N4 reference = new N4();
            reference.setParameters(OnnxModels.i1Parameters());
            for (int i = 0; i < SAMPLES; i++) {
                samples[i] = data.sample(i);
                reference.predict(samples[i], expected[i]);
            }
            doubleModel = new OrtPredictor(OnnxModels.model("i1_double"), samples, 1, 64, 10, true);
            doubleModel.requireOutputs(expected, 1e-12);
            floatModel = new OrtPredictor(OnnxModels.model("i1_float"), samples, 1, 64, 10, false);
            floatModel.requireOutputs(expected, 1e-5);
        }

        @TearDown
        public void tearDown() throws OrtException {
            doubleModel.close();
            floatModel.close();
        }
    }
}
