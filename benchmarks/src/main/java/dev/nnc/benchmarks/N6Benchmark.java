package dev.nnc.benchmarks;

import dev.nnc.benchmarks.generated.N6;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * N6: N5 with batch normalisation, 784 -> 256 batch_norm relu -> 128 batch_norm relu -> 10
 * softmax, SGD with momentum, batch 64, on N5's data (samples/s = 64 ops/s). A training step
 * normalises with the batch's statistics and updates the running ones, so it costs what N5 costs
 * plus the normalisation's passes over the hidden activations. There is no two-thread variant: a
 * network with {@code batch_norm} trains each batch on one thread.
 */
@State(Scope.Thread)
public class N6Benchmark extends SuiteBenchmark {
    private static final int BATCH = 64;
    private final SuiteData data = SuiteData.of(Problem.N5);
    private final N6 nnc = new N6();
    private int cursor;

    @Benchmark
    public double nnc() {
        int i = cursor++;
        return nnc.trainStep(data.floatInputs(i), data.floatTargets(i), BATCH);
    }
}
