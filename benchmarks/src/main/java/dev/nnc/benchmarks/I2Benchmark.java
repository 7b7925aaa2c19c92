package dev.nnc.benchmarks;

import ai.onnxruntime.OrtException;
import dev.nnc.benchmarks.generated.N5;
import dev.nnc.benchmarks.generated.N5Double;
import dev.nnc.benchmarks.handwritten.DoubleMlp;
import dev.nnc.benchmarks.handwritten.FloatMlp;
import dev.nnc.benchmarks.tape.TapeMlp;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * I2: one-sample predictions of N5 (784 -> 256 relu -> 128 relu -> 10 softmax); ops/s =
 * predictions/s. The suite's figure is in float, like N5. The {@code ort} methods run ONNX
 * Runtime on the exported model of the same parameters ({@link OnnxModels}).
 */
@State(Scope.Thread)
public class I2Benchmark extends SuiteBenchmark {
    private static final int SAMPLES = 16;
    private final double[][] samples = new double[SAMPLES][];
    private final float[][] floatSamples = new float[SAMPLES][];
    private final double[] out = new double[10];
    private final float[] floatOut = new float[10];
    private N5 nnc;
    private N5Double nncDouble;
    private FloatMlp handwritten;
    private DoubleMlp handwrittenDouble;
    private TapeMlp tape;
    private int cursor;

    @Setup
    public void setUp() {
        SuiteData data = SuiteData.of(Problem.N5);
        for (int i = 0; i < SAMPLES; i++) {
            samples[i] = data.sample(i);
            floatSamples[i] = SuiteData.toFloats(samples[i]);
        }
        nncDouble = new N5Double();
        double[] parameters = new double[N5Double.PARAMETER_COUNT];
        nncDouble.getParameters(parameters);
        nnc = new N5();
        nnc.setParameters(parameters);
        handwritten = Baselines.handwrittenN5();
        handwritten.setParameters(SuiteData.toFloats(parameters));
        handwrittenDouble = Baselines.handwrittenN5Double();
        handwrittenDouble.setParameters(parameters);
        tape = Baselines.tape(Problem.N5);
        tape.setParameters(parameters);
    }

    @Benchmark
    public float nnc() {
        nnc.predict(floatSamples[cursor++ & (SAMPLES - 1)], floatOut);
        return floatOut[0];
    }

    @Benchmark
    public double nncDouble() {
        nncDouble.predict(samples[cursor++ & (SAMPLES - 1)], out);
        return out[0];
    }

    @Benchmark
    public float handwritten() {
        handwritten.predict(floatSamples[cursor++ & (SAMPLES - 1)], floatOut);
        return floatOut[0];
    }

    @Benchmark
    public double handwrittenDouble() {
        handwrittenDouble.predict(samples[cursor++ & (SAMPLES - 1)], out);
        return out[0];
    }

    @Benchmark
    public double ort(Ort ort) throws OrtException {
        return ort.floatModel.run(ort.cursor++ & (SAMPLES - 1));
    }

    @Benchmark
    public double ortDouble(Ort ort) throws OrtException {
        return ort.doubleModel.run(ort.cursor++ & (SAMPLES - 1));
    }

    @Benchmark
    public double tape() {
        tape.predict(samples[cursor++ & (SAMPLES - 1)], out);
        return out[0];
    }

    /** ONNX Runtime, one thread, on the exported I2 models in float and double. */
    @State(Scope.Thread)
    public static class Ort {
        private OrtPredictor floatModel;
        private OrtPredictor doubleModel;
        private int cursor;

        @Setup
        public void setUp() throws OrtException {
            SuiteData data = SuiteData.of(Problem.N5);
            double[][] samples = new double[SAMPLES][];
            double[][] expected = new double[SAMPLES][10];
            N5Double reference = new N5Double();
            reference.setParameters(OnnxModels.i2Parameters());
            for (int i = 0; i < SAMPLES; i++) {
                samples[i] = data.sample(i);
                reference.predict(samples[i], expected[i]);
            }
            floatModel = new OrtPredictor(OnnxModels.model("i2_float"), samples, 1, 784, 10, false);
            floatModel.requireOutputs(expected, 1e-4);
            doubleModel = new OrtPredictor(OnnxModels.model("i2_double"), samples, 1, 784, 10, true);
            doubleModel.requireOutputs(expected, 1e-12);
        }

        @TearDown
        public void tearDown() throws OrtException {
            floatModel.close();
            doubleModel.close();
        }
    }
}
