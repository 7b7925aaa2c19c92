package dev.nnc.benchmarks;

import ai.onnxruntime.OrtException;
import dev.nnc.benchmarks.generated.N5;
import dev.nnc.benchmarks.generated.N5Double;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * I2 in batches: {@code predict(xs, n, outs)} of N5 in float against ONNX Runtime on the same
 * batch; ops/s = batches/s (the report multiplies by the batch).
 */
@State(Scope.Thread)
public class I2BatchBenchmark extends SuiteBenchmark {
    @Param({"8", "64"})
    public int batch;

    private double[][] batches;
    private float[][] floatBatches;
    private float[] outs;
    private N5 nnc;
    private int cursor;

    @Setup
    public void setUp() {
        batches = PredictionBatches.of(Problem.N5, batch);
        outs = new float[batch * 10];
        floatBatches = new float[batches.length][];
        for (int g = 0; g < batches.length; g++) {
            floatBatches[g] = SuiteData.toFloats(batches[g]);
        }
        nnc = new N5();
        nnc.setParameters(OnnxModels.i2Parameters());
    }

    @Benchmark
    public float nnc() {
        nnc.predict(floatBatches[cursor++ & (PredictionBatches.GROUPS - 1)], batch, outs);
        return outs[0];
    }

    @Benchmark
    public double ort(Ort ort) throws OrtException {
        return ort.model.run(ort.cursor++ & (PredictionBatches.GROUPS - 1));
    }

    /** ONNX Runtime, one thread, on the exported I2 model in float, at the benchmark's batch. */
    @State(Scope.Thread)
    public static class Ort {
        private OrtPredictor model;
        private int cursor;

        @Setup
        public void setUp(I2BatchBenchmark benchmark) throws OrtException {
            int batch = benchmark.batch;
            double[][] inputs = PredictionBatches.of(Problem.N5, batch);
            double[][] expected = new double[inputs.length][batch * 10];
            N5Double reference = new N5Double();
            reference.setParameters(OnnxModels.i2Parameters());
            for (int g = 0; g < inputs.length; g++) {
                reference.predict(inputs[g], batch, expected[g]);
            }
            model = new OrtPredictor(OnnxModels.model("i2_float"), inputs, batch, 784, 10, false);
            model.requireOutputs(expected, 1e-4);
        }

        @TearDown
        public void tearDown() throws OrtException {
            model.close();
        }
    }
}
