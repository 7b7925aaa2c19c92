package dev.nnc.benchmarks;

import ai.onnxruntime.OrtException;
import dev.nnc.benchmarks.generated.N4;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * I1 in batches: {@code predict(xs, n, outs)} of N4 in double against ONNX Runtime on the same
 * batch; ops/s = batches/s (the report multiplies by the batch).
 */
@State(Scope.Thread)
public class I1BatchBenchmark extends SuiteBenchmark {
    @Param({"8", "64"})
    public int batch;

    private double[][] batches;
    private double[] outs;
    private N4 nnc;
    private int cursor;

    @Setup
    public void setUp() {
        batches = PredictionBatches.of(Problem.N4, batch);
        outs = new double[batch * 10];
        nnc = new N4();
        nnc.setParameters(OnnxModels.i1Parameters());
    }

    @Benchmark
    public double nnc() {
        nnc.predict(batches[cursor++ & (PredictionBatches.GROUPS - 1)], batch, outs);
        return outs[0];
    }

    @Benchmark
    public double ort(Ort ort) throws OrtException {
        return ort.model.run(ort.cursor++ & (PredictionBatches.GROUPS - 1));
    }

    /** ONNX Runtime, one thread, on the exported I1 model in double, at the benchmark's batch. */
    @State(Scope.Thread)
    public static class Ort {
        private OrtPredictor model;
        private int cursor;

        @Setup
        public void setUp(I1BatchBenchmark benchmark) throws OrtException {
            int batch = benchmark.batch;
            double[][] inputs = PredictionBatches.of(Problem.N4, batch);
            double[][] expected = new double[inputs.length][batch * 10];
            N4 reference = new N4();
            reference.setParameters(OnnxModels.i1Parameters());
            for (int g = 0; g < inputs.length; g++) {
                reference.predict(inputs[g], batch, expected[g]);
            }
            model = new OrtPredictor(OnnxModels.model("i1_double"), inputs, batch, 64, 10, true);
            model.requireOutputs(expected, 1e-12);
        }

        @TearDown
        public void tearDown() throws OrtException {
            model.close();
        }
    }
}
