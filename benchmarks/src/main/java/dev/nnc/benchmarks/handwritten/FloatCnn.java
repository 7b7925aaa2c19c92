package dev.nnc.benchmarks.handwritten;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A hand-written convolutional network in single precision (the loss is summed in double): convolution stages (a 2-D
 * convolution with stride 1, ReLU, 2x2 max pooling), then the flattened features through dense
 * layers (ReLU between them) to a softmax trained with cross-entropy; Adam or SGD with momentum
 * (PyTorch's update rules). C2 and I3 of the suite (with {@link DoubleCnn}, C1), written the way
 * a careful engineer would.
 *
 * <p>Each convolution is im2col followed by one matrix product over the whole batch: the columns
 * matrix has one row per weight position {@code (c, ki, kj)} and one column per output pixel of
 * every sample, so the product {@code out[F][N*Ho*Wo] = W[F][C*k*k] x cols} runs its inner loop
 * over {@code N*Ho*Wo} contiguous elements (hundreds to tens of thousands), which C2 vectorises;
 * feature maps are kept channel-major across the batch ({@code [C][N*H*W]}) for that reason. The
 * columns of padded positions are zero once and never written, so im2col copies only valid row
 * segments. The backward pass uses the same matrices: the weight gradient is {@code dOut x
 * cols^T} (dot products of long rows, register-blocked 2x4, or for filters of many weights a
 * product with the input patches, see {@link #PATCH_POSITIONS}), the input gradient {@code W^T x
 * dOut} followed by col2im. Max pooling records the position of the first maximum of each window
 * (PyTorch's choice at ties); since the windows do not overlap, the backward pass is a scatter
 * that also applies ReLU's derivative. All buffers are allocated once: a step allocates nothing.
 *
 * <p>Parameters are exchanged in the generated classes' flat layout, PyTorch's: per stage {@code
 * weight [F, C, k, k]} then {@code bias [F]}, then per dense layer {@code weight [out, in]} then
 * {@code bias [out]}.
 */
public final class FloatCnn {
    /** The update rule. */
    public enum Optimizer {
        ADAM,
        SGD_MOMENTUM
    }

    /** One stage: a {@code kernel x kernel} convolution to {@code filters} channels, ReLU, 2x2 max pooling. */
    public record Stage(int filters, int kernel, int padding) {}

    private final int stages;
    private final int maxBatch;
    private final Optimizer optimizer;
    private final float lr;
    /** Per stage, the input's channels, height and width, then the convolution's and the pooling's output sizes. */
    private final int[] channels;

    private final int[] height;
    private final int[] width;
    private final int[] filters;
    private final int[] kernel;
    private final int[] padding;
    private final int[] convHeight;
    private final int[] convWidth;
    private final int[] poolHeight;
    private final int[] poolWidth;
    /** Flattened features, hidden sizes, classes. */
    private final int[] sizes;

    private final int layers;

    /** {@code [stage][F][C*k*k]}: PyTorch's layout, each filter one row. */
    private final float[][][] convWeight;

    private final float[][] convBias;
    private final float[][][] gradConvWeight;
    private final float[][] gradConvBias;
    /** {@code [stage][C*k*k][F]}, the transposed weights of the input-gradient product. */
    private final float[][][] convWeightT;
    /** {@code [layer][in][out]}: transposed, so the forward product has the output index innermost. */
    private final float[][][] weightT;

    private final float[][] bias;
    private final float[][][] gradWeightT;
    private final float[][] gradBias;
    /** {@code [layer][out][in]} copy of each dense weight, for the backward data product. */
    private final float[][][] weight;

    /** Every parameter row, its gradient row and its optimizer state, for the update. */
    private final float[][] parameterRows;

    private final float[][] gradientRows;
    private final float[][] moment1Rows;
    private final float[][] moment2Rows;

    /** {@code [stage][C*k*k][N*Ho*Wo]}. */
    private final float[][][] cols;
    /** {@code [stage][F][N*Ho*Wo]}, after ReLU. */
    private final float[][][] conv;
    /** {@code [stage][F][N*Hp*Wp]}. */
    private final float[][][] pooled;
    /** {@code [stage][F][N*Hp*Wp]}: the position in the {@link #conv} row of each window's maximum. */
    private final int[][][] argmax;

    /**
     * {@code [stage][N*Ho*Wo][C*k*k]}: the input patch of every output pixel, for the weight
     * gradient of stages with at least {@link #PATCH_POSITIONS} weight positions per filter (empty
     * for the others).
     */
    private final float[][][] patches;

    private final float[][][] dConv;
    private final float[][][] dPooled;
    private final float[][][] dCols;
    /** Per dense layer boundary, {@code [batch][size]}: the flattened features, then each layer's output. */
    private final float[][][] activations;
    /** Gradients of the loss with respect to each boundary (pre-activation for dense outputs). */
    private final float[][][] deltas;

    private long step;

    /**
     * From how many weight positions per filter ({@code C*k*k}) the weight gradient is computed
     * from {@link #patches} (an i-k-j product whose inner loop runs over the positions) rather
     * than as dot products of the long rows of the output gradient and the columns matrix.
     * Measured with {@code ConvShapeBenchmark} on C2's convolutions: 25 positions favour the dot
     * products, 150 the patches (about twice as fast there).
     */
    static final int PATCH_POSITIONS = 64;

    /**
     * @param channels, height, width the shape of one input sample ({@code [C, H, W]}, flat row-major)
     * @param convStages the convolution stages, in order
     * @param dense the sizes of the dense layers after the flattened features, the last one the classes
     * @param maxBatch the largest batch {@link #trainStep} and {@link #gradient} will be given
     */
    public FloatCnn(
            int channels,
            int height,
            int width,
            Stage[] convStages,
            int[] dense,
            int maxBatch,
            Optimizer optimizer,
            float lr) {
        this.stages = convStages.length;
        this.maxBatch = maxBatch;
        this.optimizer = optimizer;
        this.lr = lr;
        this.channels = new int[stages];
        this.height = new int[stages];
        this.width = new int[stages];
        this.filters = new int[stages];
        this.kernel = new int[stages];
        this.padding = new int[stages];
        this.convHeight = new int[stages];
        this.convWidth = new int[stages];
        this.poolHeight = new int[stages];
        this.poolWidth = new int[stages];
        convWeight = new float[stages][][];
        convBias = new float[stages][];
        gradConvWeight = new float[stages][][];
        gradConvBias = new float[stages][];
        convWeightT = new float[stages][][];
        cols = new float[stages][][];
        conv = new float[stages][][];
        pooled = new float[stages][][];
        argmax = new int[stages][][];
        patches = new float[stages][][];
        dConv = new float[stages][][];
        dPooled = new float[stages][][];
        dCols = new float[stages][][];
        int c = channels;
        int h = height;
        int w = width;
        for (int s = 0; s < stages; s++) {
            Stage stage = convStages[s];
            int k = stage.kernel();
            int ho = h + 2 * stage.padding() - k + 1;
            int wo = w + 2 * stage.padding() - k + 1;
            if (ho < 2 || wo < 2) {
                throw new IllegalArgumentException("stage " + s + ": output " + ho + "x" + wo + " cannot be pooled");
            }
            this.channels[s] = c;
            this.height[s] = h;
            this.width[s] = w;
            this.filters[s] = stage.filters();
            this.kernel[s] = k;
            this.padding[s] = stage.padding();
            this.convHeight[s] = ho;
            this.convWidth[s] = wo;
            this.poolHeight[s] = ho / 2;
            this.poolWidth[s] = wo / 2;
            int positions = c * k * k;
            int f = stage.filters();
            convWeight[s] = new float[f][positions];
            gradConvWeight[s] = new float[f][positions];
            convWeightT[s] = new float[positions][f];
            convBias[s] = new float[f];
            gradConvBias[s] = new float[f];
            cols[s] = new float[positions][maxBatch * ho * wo];
            patches[s] = new float[positions >= PATCH_POSITIONS ? maxBatch * ho * wo : 0][positions];
            conv[s] = new float[f][maxBatch * ho * wo];
            dConv[s] = new float[f][maxBatch * ho * wo];
            pooled[s] = new float[f][maxBatch * (ho / 2) * (wo / 2)];
            dPooled[s] = new float[f][maxBatch * (ho / 2) * (wo / 2)];
            argmax[s] = new int[f][maxBatch * (ho / 2) * (wo / 2)];
            // The first stage's input gradient is not needed.
            dCols[s] = new float[s == 0 ? 0 : positions][maxBatch * ho * wo];
            c = f;
            h = ho / 2;
            w = wo / 2;
        }
        this.sizes = new int[dense.length + 1];
        this.sizes[0] = c * h * w;
        System.arraycopy(dense, 0, this.sizes, 1, dense.length);
        this.layers = dense.length;
        weightT = new float[layers][][];
        bias = new float[layers][];
        gradWeightT = new float[layers][][];
        gradBias = new float[layers][];
        weight = new float[layers][][];
        activations = new float[layers + 1][][];
        deltas = new float[layers + 1][][];
        activations[0] = new float[maxBatch][sizes[0]];
        deltas[0] = new float[maxBatch][sizes[0]];
        for (int l = 0; l < layers; l++) {
            weightT[l] = new float[sizes[l]][sizes[l + 1]];
            gradWeightT[l] = new float[sizes[l]][sizes[l + 1]];
            weight[l] = new float[sizes[l + 1]][sizes[l]];
            bias[l] = new float[sizes[l + 1]];
            gradBias[l] = new float[sizes[l + 1]];
            activations[l + 1] = new float[maxBatch][sizes[l + 1]];
            deltas[l + 1] = new float[maxBatch][sizes[l + 1]];
        }
        int rows = 0;
        for (int s = 0; s < stages; s++) {
            rows += filters[s] + 1;
        }
        for (int l = 0; l < layers; l++) {
            rows += sizes[l] + 1;
        }
        parameterRows = new float[rows][];
        gradientRows = new float[rows][];
        int r = 0;
        for (int s = 0; s < stages; s++) {
            for (int f = 0; f < filters[s]; f++, r++) {
                parameterRows[r] = convWeight[s][f];
                gradientRows[r] = gradConvWeight[s][f];
            }
            parameterRows[r] = convBias[s];
            gradientRows[r++] = gradConvBias[s];
        }
        for (int l = 0; l < layers; l++) {
            for (int i = 0; i < sizes[l]; i++, r++) {
                parameterRows[r] = weightT[l][i];
                gradientRows[r] = gradWeightT[l][i];
            }
            parameterRows[r] = bias[l];
            gradientRows[r++] = gradBias[l];
        }
        moment1Rows = new float[rows][];
        moment2Rows = new float[rows][];
        for (r = 0; r < rows; r++) {
            moment1Rows[r] = new float[parameterRows[r].length];
            moment2Rows[r] = new float[optimizer == Optimizer.ADAM ? parameterRows[r].length : 0];
        }
    }

    /** Parameters in the flat layout. */
    public int parameterCount() {
        int count = 0;
        for (float[] row : parameterRows) {
            count += row.length;
        }
        return count;
    }

    /**
     * Glorot-uniform weights (fan-in {@code C*k*k} and fan-out {@code F*k*k} for a
     * convolution, as PyTorch counts them) and zero biases, the specs' defaults, from {@code
     * seed}: the starting point of a benchmark until it can copy a generated network's.
     */
    public void initialise(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int s = 0; s < stages; s++) {
            int area = kernel[s] * kernel[s];
            double limit = Math.sqrt(6.0 / (channels[s] * area + filters[s] * area));
            for (float[] row : convWeight[s]) {
                for (int p = 0; p < row.length; p++) {
                    row[p] = (float) random.nextDouble(-limit, limit);
                }
            }
            Arrays.fill(convBias[s], 0);
        }
        for (int l = 0; l < layers; l++) {
            double limit = Math.sqrt(6.0 / (sizes[l] + sizes[l + 1]));
            for (float[] row : weightT[l]) {
                for (int o = 0; o < row.length; o++) {
                    row[o] = (float) random.nextDouble(-limit, limit);
                }
            }
            Arrays.fill(bias[l], 0);
        }
    }

    /** Sets the parameters from the generated class's flat layout. */
    public void setParameters(float[] src) {
        exchange(src, true);
    }

    /** Copies the parameters out in the generated class's flat layout. */
    public void getParameters(float[] dst) {
        exchange(dst, false);
    }

    /** Forward, backward and update on {@code n} samples; returns the mean loss before the update. */
    public double trainStep(float[] xs, float[] ys, int n) {
        double loss = lossAndGradient(xs, ys, n);
        update();
        return loss;
    }

    /** The mean loss of {@code n} samples; {@code grad} receives its gradient in the flat layout. */
    public double gradient(float[] xs, float[] ys, int n, float[] grad) {
        double loss = lossAndGradient(xs, ys, n);
        int offset = 0;
        for (int s = 0; s < stages; s++) {
            for (float[] row : gradConvWeight[s]) {
                System.arraycopy(row, 0, grad, offset, row.length);
                offset += row.length;
            }
            System.arraycopy(gradConvBias[s], 0, grad, offset, filters[s]);
            offset += filters[s];
        }
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    grad[offset + o * in + i] = gradWeightT[l][i][o];
                }
            }
            offset += in * out;
            System.arraycopy(gradBias[l], 0, grad, offset, out);
            offset += out;
        }
        return loss;
    }

    /** Predicts one sample; the softmax probabilities go to {@code out}. */
    public void predict(float[] x, float[] out) {
        forward(x, 1);
        float[] logits = activations[layers][0];
        int classes = sizes[layers];
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            max = Math.max(max, logits[j]);
        }
        float sum = 0.0f;
        for (int j = 0; j < classes; j++) {
            out[j] = (float) Math.exp(logits[j] - max);
            sum += out[j];
        }
        for (int j = 0; j < classes; j++) {
            out[j] /= sum;
        }
    }

    private double lossAndGradient(float[] xs, float[] ys, int n) {
        if (n < 1 || n > maxBatch) {
            throw new IllegalArgumentException("batch " + n + " outside 1.." + maxBatch);
        }
        forward(xs, n);
        double loss = softmaxCrossEntropy(ys, n);
        backward(xs, n);
        return loss;
    }

    /** Leaves the logits in the last activation rows. */
    private void forward(float[] xs, int n) {
        for (int s = 0; s < stages; s++) {
            im2col(s, xs, n);
            int pixels = n * convHeight[s] * convWidth[s];
            float[][] z = conv[s];
            for (int f = 0; f < filters[s]; f++) {
                Arrays.fill(z[f], 0, pixels, convBias[s][f]);
            }
            FloatGemm.multiplyAdd(convWeight[s], filters[s], cols[s].length, cols[s], pixels, z);
            for (int f = 0; f < filters[s]; f++) {
                float[] row = z[f];
                for (int j = 0; j < pixels; j++) {
                    row[j] = Math.max(row[j], 0.0f);
                }
            }
            maxPool(s, n);
        }
        flatten(n);
        for (int l = 0; l < layers; l++) {
            float[][] z = activations[l + 1];
            FloatGemm.fillRows(z, n, bias[l]);
            FloatGemm.multiplyAdd(activations[l], n, sizes[l], weightT[l], sizes[l + 1], z);
            if (l < layers - 1) {
                for (int s = 0; s < n; s++) {
                    float[] row = z[s];
                    for (int j = 0; j < row.length; j++) {
                        row[j] = Math.max(row[j], 0.0f);
                    }
                }
            }
        }
    }

    /**
     * Copies the valid part of every kernel position's shifted input rows into {@code cols[s]}:
     * row {@code (c, ki, kj)}, column {@code (sample, oy, ox)} holds input pixel {@code (oy + ki -
     * pad, ox + kj - pad)} of channel {@code c}. Stage 0 reads the samples, the others the previous
     * stage's pooled maps.
     */
    private void im2col(int s, float[] xs, int n) {
        int k = kernel[s];
        int pad = padding[s];
        int h = height[s];
        int w = width[s];
        int ho = convHeight[s];
        int wo = convWidth[s];
        int plane = h * w;
        for (int c = 0; c < channels[s]; c++) {
            float[] source = s == 0 ? xs : pooled[s - 1][c];
            for (int ki = 0; ki < k; ki++) {
                int oyLow = Math.max(0, pad - ki);
                int oyHigh = Math.min(ho, h + pad - ki);
                for (int kj = 0; kj < k; kj++) {
                    float[] row = cols[s][(c * k + ki) * k + kj];
                    int oxLow = Math.max(0, pad - kj);
                    int length = Math.min(wo, w + pad - kj) - oxLow;
                    for (int sample = 0; sample < n; sample++) {
                        int base = s == 0 ? (sample * channels[s] + c) * plane : sample * plane;
                        for (int oy = oyLow; oy < oyHigh; oy++) {
                            System.arraycopy(
                                    source,
                                    base + (oy + ki - pad) * w + oxLow + kj - pad,
                                    row,
                                    (sample * ho + oy) * wo + oxLow,
                                    length);
                        }
                    }
                }
            }
        }
    }

    /** 2x2 max pooling of {@code conv[s]}, recording where each maximum came from (the first one at ties). */
    private void maxPool(int s, int n) {
        int wo = convWidth[s];
        int hp = poolHeight[s];
        int wp = poolWidth[s];
        int convPlane = convHeight[s] * wo;
        for (int f = 0; f < filters[s]; f++) {
            float[] in = conv[s][f];
            float[] out = pooled[s][f];
            int[] where = argmax[s][f];
            int o = 0;
            for (int sample = 0; sample < n; sample++) {
                for (int py = 0; py < hp; py++) {
                    int top = sample * convPlane + 2 * py * wo;
                    for (int px = 0; px < wp; px++, o++) {
                        int i = top + 2 * px;
                        int best = i;
                        if (in[i + 1] > in[best]) {
                            best = i + 1;
                        }
                        if (in[i + wo] > in[best]) {
                            best = i + wo;
                        }
                        if (in[i + wo + 1] > in[best]) {
                            best = i + wo + 1;
                        }
                        out[o] = in[best];
                        where[o] = best;
                    }
                }
            }
        }
    }

    /** The last stage's channel-major maps into one row per sample, PyTorch's flatten order (c, y, x). */
    private void flatten(int n) {
        int last = stages - 1;
        int plane = poolHeight[last] * poolWidth[last];
        for (int sample = 0; sample < n; sample++) {
            float[] row = activations[0][sample];
            for (int f = 0; f < filters[last]; f++) {
                System.arraycopy(pooled[last][f], sample * plane, row, f * plane, plane);
            }
        }
    }

    /** Mean cross-entropy of the logits; leaves {@code (softmax - y) / n} as the last delta. */
    private double softmaxCrossEntropy(float[] ys, int n) {
        int classes = sizes[layers];
        double total = 0.0;
        float scale = 1.0f / n;
        for (int s = 0; s < n; s++) {
            float[] logits = activations[layers][s];
            float[] delta = deltas[layers][s];
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                max = Math.max(max, logits[j]);
            }
            float sum = 0.0f;
            for (int j = 0; j < classes; j++) {
                delta[j] = (float) Math.exp(logits[j] - max);
                sum += delta[j];
            }
            float logSum = max + (float) Math.log(sum);
            for (int j = 0; j < classes; j++) {
                float y = ys[s * classes + j];
                total += y * (logSum - logits[j]);
                delta[j] = (delta[j] / sum - y) * scale;
            }
        }
        return total / n;
    }

    private void backward(float[] xs, int n) {
        for (int l = layers - 1; l >= 0; l--) {
            int in = sizes[l];
            int out = sizes[l + 1];
            FloatGemm.clear(gradWeightT[l], in);
            FloatGemm.multiplyTransposedAdd(activations[l], n, in, deltas[l + 1], out, gradWeightT[l]);
            FloatGemm.columnSums(deltas[l + 1], n, gradBias[l]);
            float[][] below = deltas[l];
            FloatGemm.transpose(weightT[l], weight[l]);
            FloatGemm.clear(below, n);
            FloatGemm.multiplyAdd(deltas[l + 1], n, out, weight[l], in, below);
            if (l > 0) {
                // ReLU's derivative, read from its output: the input was positive iff the output is.
                for (int s = 0; s < n; s++) {
                    float[] d = below[s];
                    float[] a = activations[l][s];
                    for (int j = 0; j < in; j++) {
                        d[j] = a[j] > 0.0f ? d[j] : 0.0f;
                    }
                }
            }
        }
        unflatten(n);
        for (int s = stages - 1; s >= 0; s--) {
            unpool(s, n);
            int pixels = n * convHeight[s] * convWidth[s];
            int positions = cols[s].length;
            if (positions >= PATCH_POSITIONS) {
                fillPatches(s, xs, n);
                FloatGemm.clear(gradConvWeight[s], filters[s]);
                FloatGemm.multiplyAdd(dConv[s], filters[s], pixels, patches[s], positions, gradConvWeight[s]);
            } else {
                FloatGemm.multiplyByTransposed(dConv[s], filters[s], cols[s], positions, pixels, gradConvWeight[s]);
            }
            if (s > 0) {
                FloatGemm.transpose(convWeight[s], convWeightT[s]);
                for (int p = 0; p < positions; p++) {
                    Arrays.fill(dCols[s][p], 0, pixels, 0.0f);
                }
                FloatGemm.multiplyAdd(convWeightT[s], positions, filters[s], dConv[s], pixels, dCols[s]);
                col2im(s, n);
            }
        }
    }

    /**
     * Copies the valid part of every output pixel's input patch into {@code patches[s]}: row
     * {@code (sample, oy, ox)}, column {@code (c, ki, kj)}, the transpose of {@link #im2col}'s
     * matrix, built from the stage's input rather than by transposing (measured faster).
     */
    private void fillPatches(int s, float[] xs, int n) {
        int k = kernel[s];
        int pad = padding[s];
        int h = height[s];
        int w = width[s];
        int ho = convHeight[s];
        int wo = convWidth[s];
        int plane = h * w;
        for (int sample = 0; sample < n; sample++) {
            for (int oy = 0; oy < ho; oy++) {
                int kiLow = Math.max(0, pad - oy);
                int kiHigh = Math.min(k, h + pad - oy);
                for (int ox = 0; ox < wo; ox++) {
                    float[] patch = patches[s][(sample * ho + oy) * wo + ox];
                    int kjLow = Math.max(0, pad - ox);
                    int length = Math.min(k, w + pad - ox) - kjLow;
                    for (int c = 0; c < channels[s]; c++) {
                        float[] source = s == 0 ? xs : pooled[s - 1][c];
                        int base = s == 0 ? (sample * channels[s] + c) * plane : sample * plane;
                        for (int ki = kiLow; ki < kiHigh; ki++) {
                            System.arraycopy(
                                    source,
                                    base + (oy + ki - pad) * w + ox + kjLow - pad,
                                    patch,
                                    (c * k + ki) * k + kjLow,
                                    length);
                        }
                    }
                }
            }
        }
    }

    /** The gradient of the flattened features back into the last stage's channel-major maps. */
    private void unflatten(int n) {
        int last = stages - 1;
        int plane = poolHeight[last] * poolWidth[last];
        for (int sample = 0; sample < n; sample++) {
            float[] row = deltas[0][sample];
            for (int f = 0; f < filters[last]; f++) {
                System.arraycopy(row, f * plane, dPooled[last][f], sample * plane, plane);
            }
        }
    }

    /**
     * The pooled gradient scattered to each window's maximum, times ReLU's derivative there (the
     * pooled value is the ReLU output at that position); the bias gradient is its sum.
     */
    private void unpool(int s, int n) {
        int pixels = n * convHeight[s] * convWidth[s];
        int outputs = n * poolHeight[s] * poolWidth[s];
        for (int f = 0; f < filters[s]; f++) {
            float[] d = dConv[s][f];
            float[] up = dPooled[s][f];
            float[] value = pooled[s][f];
            int[] where = argmax[s][f];
            Arrays.fill(d, 0, pixels, 0.0f);
            float sum = 0.0f;
            for (int o = 0; o < outputs; o++) {
                float g = value[o] > 0.0f ? up[o] : 0.0f;
                d[where[o]] = g;
                sum += g;
            }
            gradConvBias[s][f] = sum;
        }
    }

    /** Adds the columns' gradient back onto the input pixels they were copied from: the previous stage's {@link #dPooled}. */
    private void col2im(int s, int n) {
        int k = kernel[s];
        int pad = padding[s];
        int h = height[s];
        int w = width[s];
        int ho = convHeight[s];
        int wo = convWidth[s];
        int plane = h * w;
        for (int c = 0; c < channels[s]; c++) {
            float[] target = dPooled[s - 1][c];
            Arrays.fill(target, 0, n * plane, 0.0f);
            for (int ki = 0; ki < k; ki++) {
                int oyLow = Math.max(0, pad - ki);
                int oyHigh = Math.min(ho, h + pad - ki);
                for (int kj = 0; kj < k; kj++) {
                    float[] row = dCols[s][(c * k + ki) * k + kj];
                    int oxLow = Math.max(0, pad - kj);
                    int length = Math.min(wo, w + pad - kj) - oxLow;
                    for (int sample = 0; sample < n; sample++) {
                        for (int oy = oyLow; oy < oyHigh; oy++) {
                            int from = (sample * ho + oy) * wo + oxLow;
                            int to = sample * plane + (oy + ki - pad) * w + oxLow + kj - pad;
                            for (int x = 0; x < length; x++) {
                                target[to + x] += row[from + x];
                            }
                        }
                    }
                }
            }
        }
    }

    private void update() {
        step++;
        float stepSize = (float) (lr / (1.0 - Math.pow(0.9, step)));
        float correction2Sqrt = (float) Math.sqrt(1.0 - Math.pow(0.999, step));
        for (int r = 0; r < parameterRows.length; r++) {
            if (optimizer == Optimizer.ADAM) {
                adam(parameterRows[r], gradientRows[r], moment1Rows[r], moment2Rows[r], stepSize, correction2Sqrt);
            } else {
                momentum(parameterRows[r], gradientRows[r], moment1Rows[r]);
            }
        }
    }

    /** PyTorch's Adam with its defaults (0.9, 0.999, 1e-8): eps is added after the bias correction. */
    private static void adam(float[] p, float[] g, float[] m, float[] v, float stepSize, float correction2Sqrt) {
        for (int i = 0; i < p.length; i++) {
            m[i] = 0.9f * m[i] + 0.1f * g[i];
            v[i] = 0.999f * v[i] + 0.001f * g[i] * g[i];
            p[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) / correction2Sqrt + 1e-8f);
        }
    }

    /** PyTorch's SGD with momentum 0.9 and no dampening: the first buffer is the gradient itself. */
    private void momentum(float[] p, float[] g, float[] buffer) {
        for (int i = 0; i < p.length; i++) {
            buffer[i] = 0.9f * buffer[i] + g[i];
            p[i] -= lr * buffer[i];
        }
    }

    /** Copies between the flat layout and the parameter arrays, in the direction {@code in} says. */
    private void exchange(float[] flat, boolean in) {
        if (flat.length != parameterCount()) {
            throw new IllegalArgumentException("expected " + parameterCount() + " parameters, got " + flat.length);
        }
        int offset = 0;
        for (int s = 0; s < stages; s++) {
            for (float[] row : convWeight[s]) {
                copy(flat, offset, row, in);
                offset += row.length;
            }
            copy(flat, offset, convBias[s], in);
            offset += filters[s];
        }
        for (int l = 0; l < layers; l++) {
            int inputs = sizes[l];
            int outputs = sizes[l + 1];
            for (int o = 0; o < outputs; o++) {
                for (int i = 0; i < inputs; i++) {
                    if (in) {
                        weightT[l][i][o] = flat[offset + o * inputs + i];
                    } else {
                        flat[offset + o * inputs + i] = weightT[l][i][o];
                    }
                }
            }
            offset += inputs * outputs;
            copy(flat, offset, bias[l], in);
            offset += outputs;
        }
    }

    private static void copy(float[] flat, int offset, float[] row, boolean in) {
        if (in) {
            System.arraycopy(flat, offset, row, 0, row.length);
        } else {
            System.arraycopy(row, 0, flat, offset, row.length);
        }
    }
}
