package dev.nnc.benchmarks.handwritten;

import dev.nnc.benchmarks.SuiteBenchmark;
import java.util.Arrays;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Not part of the suite: the evidence for the way {@link FloatCnn} computes a convolution, on
 * C2's convolutions over a batch of 64: {@code conv2} (6x14x14 inputs, 16 filters of 6x5x5, outputs
 * 16x10x10; 30.7 MFLOP per op in either direction) and {@code conv1} (1x32x32 inputs, i.e. 28x28
 * padded by 2, 6 filters of 1x5x5, outputs 6x28x28; 15.1 MFLOP).
 *
 * <p>Forward: {@link #im2colProduct} (copy the shifted input rows into the columns matrix, then
 * one product whose inner loop runs over all output pixels of the batch) against {@link
 * #directLoops} (for each weight, a multiply-add of an input row segment into an output row: the
 * order a direct convolution takes, inner loops as long as an output row, at loop-invariant
 * offsets). Weight gradient ({@code dOut x cols^T}): {@link #dotProducts} (register-blocked dot
 * products of the long rows of {@code dOut} and the columns matrix) against {@link #patchColumns}
 * (one row of {@code k*k*C} input values per output pixel, copied from the input, then an i-k-j
 * product whose inner loop runs over those weight positions) and {@link #transposedColumns} (the
 * same rows made by transposing the columns matrix).
 */
@State(Scope.Thread)
public class ConvShapeBenchmark extends SuiteBenchmark {
    private static final int BATCH = 64;
    private static final int KERNEL = 5;

    @Param({"conv1", "conv2"})
    public String layer;

    private int channels;
    private int filters;
    private int size;
    private int outSize;
    private int positions;
    private int pixels;
    /** {@code [C][BATCH*size*size]}, channel-major like FloatCnn's pooled maps. */
    private float[][] input;

    private float[][] weight;
    private float[][] cols;
    private float[][] patches;
    private float[][] out;
    private float[][] dOut;
    private float[][] gradWeight;

    @Setup
    public void setUp() {
        boolean first = layer.equals("conv1");
        channels = first ? 1 : 6;
        filters = first ? 6 : 16;
        size = first ? 32 : 14;
        outSize = size - KERNEL + 1;
        positions = channels * KERNEL * KERNEL;
        pixels = BATCH * outSize * outSize;
        input = new float[channels][BATCH * size * size];
        weight = new float[filters][positions];
        cols = new float[positions][pixels];
        patches = new float[pixels][positions];
        out = new float[filters][pixels];
        dOut = new float[filters][pixels];
        gradWeight = new float[filters][positions];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < input[c].length; i++) {
                input[c][i] = ((i * 7 + c) % 11) * 0.1f;
            }
        }
        for (int f = 0; f < filters; f++) {
            for (int p = 0; p < positions; p++) {
                weight[f][p] = ((f * 3 + p) % 5) * 0.05f - 0.1f;
            }
            for (int j = 0; j < pixels; j++) {
                dOut[f][j] = ((f + j) % 9) * 0.01f;
            }
        }
        im2col();
    }

    @Benchmark
    public float im2colProduct() {
        im2col();
        FloatGemm.clear(out, filters);
        FloatGemm.multiplyAdd(weight, filters, positions, cols, pixels, out);
        return out[0][0];
    }

    @Benchmark
    public float directLoops() {
        FloatGemm.clear(out, filters);
        for (int f = 0; f < filters; f++) {
            float[] o = out[f];
            for (int c = 0; c < channels; c++) {
                float[] in = input[c];
                for (int ki = 0; ki < KERNEL; ki++) {
                    for (int kj = 0; kj < KERNEL; kj++) {
                        float w = weight[f][(c * KERNEL + ki) * KERNEL + kj];
                        for (int sample = 0; sample < BATCH; sample++) {
                            for (int oy = 0; oy < outSize; oy++) {
                                int to = (sample * outSize + oy) * outSize;
                                int from = sample * size * size + (oy + ki) * size + kj;
                                for (int ox = 0; ox < outSize; ox++) {
                                    o[to + ox] += w * in[from + ox];
                                }
                            }
                        }
                    }
                }
            }
        }
        return out[0][0];
    }

    @Benchmark
    public float dotProducts() {
        FloatGemm.multiplyByTransposed(dOut, filters, cols, positions, pixels, gradWeight);
        return gradWeight[0][0];
    }

    @Benchmark
    public float patchColumns() {
        for (int sample = 0; sample < BATCH; sample++) {
            for (int oy = 0; oy < outSize; oy++) {
                for (int ox = 0; ox < outSize; ox++) {
                    float[] patch = patches[(sample * outSize + oy) * outSize + ox];
                    for (int c = 0; c < channels; c++) {
                        for (int ki = 0; ki < KERNEL; ki++) {
                            System.arraycopy(
                                    input[c],
                                    sample * size * size + (oy + ki) * size + ox,
                                    patch,
                                    (c * KERNEL + ki) * KERNEL,
                                    KERNEL);
                        }
                    }
                }
            }
        }
        return weightGradientFromPatches();
    }

    @Benchmark
    public float transposedColumns() {
        FloatGemm.transpose(cols, patches);
        return weightGradientFromPatches();
    }

    private float weightGradientFromPatches() {
        for (float[] row : gradWeight) {
            Arrays.fill(row, 0.0f);
        }
        FloatGemm.multiplyAdd(dOut, filters, pixels, patches, positions, gradWeight);
        return gradWeight[0][0];
    }

    private void im2col() {
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < KERNEL; ki++) {
                for (int kj = 0; kj < KERNEL; kj++) {
                    float[] row = cols[(c * KERNEL + ki) * KERNEL + kj];
                    for (int sample = 0; sample < BATCH; sample++) {
                        for (int oy = 0; oy < outSize; oy++) {
                            System.arraycopy(
                                    input[c],
                                    sample * size * size + (oy + ki) * size + kj,
                                    row,
                                    (sample * outSize + oy) * outSize,
                                    outSize);
                        }
                    }
                }
            }
        }
    }
}
