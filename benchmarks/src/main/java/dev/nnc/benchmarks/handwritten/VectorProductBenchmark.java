package dev.nnc.benchmarks.handwritten;

import dev.nnc.benchmarks.SuiteBenchmark;
import dev.nnc.runtime.Vectorization;
import dev.nnc.runtime.vector.VectorProducts;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Not part of the suite: {@link LoopShapeBenchmark}'s product ({@code [64][784] x [784][256]},
 * N5's first layer over a batch) through the runtime's Vector API kernel, in a JVM started with
 * {@code --add-modules jdk.incubator.vector}. One op is one product: 25.7 MFLOP.
 */
@State(Scope.Thread)
@Fork(value = 3, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class VectorProductBenchmark extends SuiteBenchmark {
    private static final int M = 64;
    private static final int K = 784;
    private static final int N = 256;
    private final float[][] aRows = new float[M][K];
    private final float[][] bRows = new float[K][N];
    private final float[][] cRows = new float[M][N];

    @Setup
    public void setUp() {
        if (!Vectorization.ENABLED) {
            throw new IllegalStateException("needs --add-modules " + Vectorization.MODULE);
        }
        for (int i = 0; i < M * K; i++) {
            aRows[i / K][i % K] = (i % 7) * 0.125f;
        }
        for (int i = 0; i < K * N; i++) {
            bRows[i / N][i % N] = (i % 5) * 0.25f;
        }
    }

    /** Four rows by four vectors of the product in registers over the whole inner sum. */
    @Benchmark
    public float vectorApi() {
        VectorProducts.multiply(aRows, 0, bRows, cRows, M, K, N);
        return cRows[0][0];
    }
}
