package dev.nnc.benchmarks.handwritten;

import dev.nnc.benchmarks.SuiteBenchmark;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Not part of the suite: the evidence for why the hand-written kernels take arrays of rows. The
 * same float product, N5's first layer over a batch ({@code [64][784] x [784][256]}, i-k-j order),
 * once over flat arrays indexed {@code row * width + j} (the shape nnc generates) and once over
 * arrays of rows through {@link FloatGemm}. One op is one product: 25.7 MFLOP.
 */
@State(Scope.Thread)
public class LoopShapeBenchmark extends SuiteBenchmark {
    private static final int M = 64;
    private static final int K = 784;
    private static final int N = 256;
    private final float[] a = new float[M * K];
    private final float[] b = new float[K * N];
    private final float[] c = new float[M * N];
    private final float[][] aRows = new float[M][K];
    private final float[][] bRows = new float[K][N];
    private final float[][] cRows = new float[M][N];

    @Setup
    public void setUp() {
        for (int i = 0; i < a.length; i++) {
            a[i] = aRows[i / K][i % K] = (i % 7) * 0.125f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = bRows[i / N][i % N] = (i % 5) * 0.25f;
        }
    }

    /** The inner loop is {@code c[ci + j] += ap * b[bp + j]}: loop-invariant offsets. */
    @Benchmark
    public float flatArrays() {
        for (int i = 0; i < M; i++) {
            int ci = i * N;
            for (int p = 0; p < K; p++) {
                float ap = a[i * K + p];
                int bp = p * N;
                for (int j = 0; j < N; j++) {
                    c[ci + j] += ap * b[bp + j];
                }
            }
        }
        return c[0];
    }

    /** The inner loop is {@code ci[j] += ... * bp[j]}: no offsets (and the reduction unrolled by four). */
    @Benchmark
    public float rowArrays() {
        FloatGemm.multiplyAdd(aRows, M, K, bRows, N, cRows);
        return cRows[0][0];
    }
}
