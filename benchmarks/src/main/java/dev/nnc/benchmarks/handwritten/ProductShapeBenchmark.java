package dev.nnc.benchmarks.handwritten;

import dev.nnc.benchmarks.SuiteBenchmark;
import java.util.Arrays;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Not part of the suite (run.sh excludes it): the evidence for the shape of nnc's tiled product
 * loop, N5's first layer over a batch ({@code [64][784] x [784][256]}, 25.7 MFLOP per op), in
 * variants a reader might expect to be faster. {@code k4} is what nnc generates: per sample, four
 * weight rows per pass over the output row. On JDK 17, C2 vectorises a loop body of one
 * statement, so blocking over samples ({@code b2k4}, {@code b4k4}: several output rows per pass,
 * sharing each weight load) runs scalar and loses 3-4x; blocking the columns so that the weights
 * stay in L2 ({@code k4Blocked}) loses to the loop bounds that are no longer constants; eight rows
 * per pass ({@code k8}) and {@code Math.fma} ({@code k4fma}, {@code k8fma}) gain nothing
 * measurable. Run: {@code java -jar benchmarks/target/benchmarks.jar ProductShape}.
 */
@State(Scope.Thread)
public class ProductShapeBenchmark extends SuiteBenchmark {
    private static final int M = 64;
    private static final int K = 784;
    private static final int N = 256;
    private final float[][] x = new float[M][K];
    private final float[][] w = new float[K][N];
    private final float[][] y = new float[M][N];

    @Setup
    public void setUp() {
        for (int i = 0; i < M * K; i++) {
            x[i / K][i % K] = (i % 7) * 0.125f;
        }
        for (int i = 0; i < K * N; i++) {
            w[i / N][i % N] = (i % 5) * 0.25f;
        }
    }

    @Benchmark
    public float k4() {
        for (int b = 0; b < M; b++) {
            float[] yb = y[b];
            float[] xb = x[b];
            Arrays.fill(yb, 0f);
            for (int k = 0; k < K; k += 4) {
                float x0 = xb[k], x1 = xb[k + 1], x2 = xb[k + 2], x3 = xb[k + 3];
                float[] w0 = w[k], w1 = w[k + 1], w2 = w[k + 2], w3 = w[k + 3];
                for (int j = 0; j < N; j++) {
                    yb[j] += x0 * w0[j] + x1 * w1[j] + x2 * w2[j] + x3 * w3[j];
                }
            }
        }
        return y[0][0];
    }

    @Benchmark
    public float b4k4() {
        for (int b = 0; b < M; b += 4) {
            float[] y0 = y[b], y1 = y[b + 1], y2 = y[b + 2], y3 = y[b + 3];
            float[] xa = x[b], xb = x[b + 1], xc = x[b + 2], xd = x[b + 3];
            Arrays.fill(y0, 0f);
            Arrays.fill(y1, 0f);
            Arrays.fill(y2, 0f);
            Arrays.fill(y3, 0f);
            for (int k = 0; k < K; k += 4) {
                float[] w0 = w[k], w1 = w[k + 1], w2 = w[k + 2], w3 = w[k + 3];
                float a0 = xa[k], a1 = xa[k + 1], a2 = xa[k + 2], a3 = xa[k + 3];
                float b0 = xb[k], b1 = xb[k + 1], b2 = xb[k + 2], b3 = xb[k + 3];
                float c0 = xc[k], c1 = xc[k + 1], c2 = xc[k + 2], c3 = xc[k + 3];
                float d0 = xd[k], d1 = xd[k + 1], d2 = xd[k + 2], d3 = xd[k + 3];
                for (int j = 0; j < N; j++) {
                    float v0 = w0[j], v1 = w1[j], v2 = w2[j], v3 = w3[j];
                    y0[j] += a0 * v0 + a1 * v1 + a2 * v2 + a3 * v3;
                    y1[j] += b0 * v0 + b1 * v1 + b2 * v2 + b3 * v3;
                    y2[j] += c0 * v0 + c1 * v1 + c2 * v2 + c3 * v3;
                    y3[j] += d0 * v0 + d1 * v1 + d2 * v2 + d3 * v3;
                }
            }
        }
        return y[0][0];
    }

    @Benchmark
    public float b2k4() {
        for (int b = 0; b < M; b += 2) {
            float[] y0 = y[b], y1 = y[b + 1];
            float[] xa = x[b], xb = x[b + 1];
            Arrays.fill(y0, 0f);
            Arrays.fill(y1, 0f);
            for (int k = 0; k < K; k += 4) {
                float[] w0 = w[k], w1 = w[k + 1], w2 = w[k + 2], w3 = w[k + 3];
                float a0 = xa[k], a1 = xa[k + 1], a2 = xa[k + 2], a3 = xa[k + 3];
                float b0 = xb[k], b1 = xb[k + 1], b2 = xb[k + 2], b3 = xb[k + 3];
                for (int j = 0; j < N; j++) {
                    float v0 = w0[j], v1 = w1[j], v2 = w2[j], v3 = w3[j];
                    y0[j] += a0 * v0 + a1 * v1 + a2 * v2 + a3 * v3;
                    y1[j] += b0 * v0 + b1 * v1 + b2 * v2 + b3 * v3;
                }
            }
        }
        return y[0][0];
    }

    /** k4, with the weight columns in blocks of 64 so that a block (784 x 64 floats) stays in L2. */
    @Benchmark
    public float k4Blocked() {
        for (int b = 0; b < M; b++) {
            Arrays.fill(y[b], 0f);
        }
        for (int j0 = 0; j0 < N; j0 += 64) {
            int j1 = j0 + 64;
            for (int b = 0; b < M; b++) {
                float[] yb = y[b];
                float[] xb = x[b];
                for (int k = 0; k < K; k += 4) {
                    float x0 = xb[k], x1 = xb[k + 1], x2 = xb[k + 2], x3 = xb[k + 3];
                    float[] w0 = w[k], w1 = w[k + 1], w2 = w[k + 2], w3 = w[k + 3];
                    for (int j = j0; j < j1; j++) {
                        yb[j] += x0 * w0[j] + x1 * w1[j] + x2 * w2[j] + x3 * w3[j];
                    }
                }
            }
        }
        return y[0][0];
    }

    @Benchmark
    public float k8() {
        for (int b = 0; b < M; b++) {
            float[] yb = y[b];
            float[] xb = x[b];
            Arrays.fill(yb, 0f);
            for (int k = 0; k < K; k += 8) {
                float x0 = xb[k], x1 = xb[k + 1], x2 = xb[k + 2], x3 = xb[k + 3];
                float x4 = xb[k + 4], x5 = xb[k + 5], x6 = xb[k + 6], x7 = xb[k + 7];
                float[] w0 = w[k], w1 = w[k + 1], w2 = w[k + 2], w3 = w[k + 3];
                float[] w4 = w[k + 4], w5 = w[k + 5], w6 = w[k + 6], w7 = w[k + 7];
                for (int j = 0; j < N; j++) {
                    yb[j] += x0 * w0[j]
                            + x1 * w1[j]
                            + x2 * w2[j]
                            + x3 * w3[j]
                            + x4 * w4[j]
                            + x5 * w5[j]
                            + x6 * w6[j]
                            + x7 * w7[j];
                }
            }
        }
        return y[0][0];
    }

    @Benchmark
    public float k4fma() {
        for (int b = 0; b < M; b++) {
            float[] yb = y[b];
            float[] xb = x[b];
            Arrays.fill(yb, 0f);
            for (int k = 0; k < K; k += 4) {
                float x0 = xb[k], x1 = xb[k + 1], x2 = xb[k + 2], x3 = xb[k + 3];
                float[] w0 = w[k], w1 = w[k + 1], w2 = w[k + 2], w3 = w[k + 3];
                for (int j = 0; j < N; j++) {
                    yb[j] = Math.fma(x3, w3[j], Math.fma(x2, w2[j], Math.fma(x1, w1[j], Math.fma(x0, w0[j], yb[j]))));
                }
            }
        }
        return y[0][0];
    }

    @Benchmark
    public float k8fma() {
        for (int b = 0; b < M; b++) {
            float[] yb = y[b];
            float[] xb = x[b];
            Arrays.fill(yb, 0f);
            for (int k = 0; k < K; k += 8) {
                float x0 = xb[k], x1 = xb[k + 1], x2 = xb[k + 2], x3 = xb[k + 3];
                float x4 = xb[k + 4], x5 = xb[k + 5], x6 = xb[k + 6], x7 = xb[k + 7];
                float[] w0 = w[k], w1 = w[k + 1], w2 = w[k + 2], w3 = w[k + 3];
                float[] w4 = w[k + 4], w5 = w[k + 5], w6 = w[k + 6], w7 = w[k + 7];
                for (int j = 0; j < N; j++) {
                    yb[j] = Math.fma(
                            x7,
                            w7[j],
                            Math.fma(
                                    x6,
                                    w6[j],
                                    Math.fma(
                                            x5,
                                            w5[j],
                                            Math.fma(
                                                    x4,
                                                    w4[j],
                                                    Math.fma(
                                                            x3,
                                                            w3[j],
                                                            Math.fma(
                                                                    x2,
                                                                    w2[j],
                                                                    Math.fma(
                                                                            x1,
                                                                            w1[j],
                                                                            Math.fma(x0, w0[j], yb[j]))))))));
                }
            }
        }
        return y[0][0];
    }
}
