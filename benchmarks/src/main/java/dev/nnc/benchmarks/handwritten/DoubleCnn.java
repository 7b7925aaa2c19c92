package dev.nnc.benchmarks.handwritten;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A hand-written convolutional network in double precision: convolution stages (a 2-D
 * convolution with stride 1, ReLU, 2x2 max pooling), then the flattened features through dense
 * layers (ReLU between them) to a softmax trained with cross-entropy; Adam or SGD with momentum
 * (PyTorch's update rules). C1 of the suite, and with {@link FloatCnn} C2 and I3, written the way
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
public final class DoubleCnn {
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
    private final double lr;
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
    private final double[][][] convWeight;

    private final double[][] convBias;
    private final double[][][] gradConvWeight;
    private final double[][] gradConvBias;
    /** {@code [stage][C*k*k][F]}, the transposed weights of the input-gradient product. */
    private final double[][][] convWeightT;
    /** {@code [layer][in][out]}: transposed, so the forward product has the output index innermost. */
    private final double[][][] weightT;

    private final double[][] bias;
    private final double[][][] gradWeightT;
    private final double[][] gradBias;
    /** {@code [layer][out][in]} copy of each dense weight, for the backward data product. */
    private final double[][][] weight;

    /** Every parameter row, its gradient row and its optimizer state, for the update. */
    private final double[][] parameterRows;

    private final double[][] gradientRows;
    private final double[][] moment1Rows;
    private final double[][] moment2Rows;

    /** {@code [stage][C*k*k][N*Ho*Wo]}. */
    private final double[][][] cols;
    /** {@code [stage][F][N*Ho*Wo]}, after ReLU. */
    private final double[][][] conv;
    /** {@code [stage][F][N*Hp*Wp]}. */
    private final double[][][] pooled;
    /** {@code [stage][F][N*Hp*Wp]}: the position in the {@link #conv} row of each window's maximum. */
    private final int[][][] argmax;

    /**
     * {@code [stage][N*Ho*Wo][C*k*k]}: the input patch of every output pixel, for the weight
     * gradient of stages with at least {@link #PATCH_POSITIONS} weight positions per filter (empty
     * for the others).
     */
    private final double[][][] patches;

    private final double[][][] dConv;
    private final double[][][] dPooled;
    private final double[][][] dCols;
    /** Per dense layer boundary, {@code [batch][size]}: the flattened features, then each layer's output. */
    private final double[][][] activations;
    /** Gradients of the loss with respect to each boundary (pre-activation for dense outputs). */
    private final double[][][] deltas;

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
    public DoubleCnn(
            int channels,
            int height,
            int width,
            Stage[] convStages,
            int[] dense,
            int maxBatch,
            Optimizer optimizer,
            double lr) {
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
        convWeight = new double[stages][][];
        convBias = new double[stages][];
        gradConvWeight = new double[stages][][];
        gradConvBias = new double[stages][];
        convWeightT = new double[stages][][];
        cols = new double[stages][][];
        conv = new double[stages][][];
        pooled = new double[stages][][];
        argmax = new int[stages][][];
        patches = new double[stages][][];
        dConv = new double[stages][][];
        dPooled = new double[stages][][];
        dCols = new double[stages][][];
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
            convWeight[s] = new double[f][positions];
            gradConvWeight[s] = new double[f][positions];
            convWeightT[s] = new double[positions][f];
            convBias[s] = new double[f];
            gradConvBias[s] = new double[f];
            cols[s] = new double[positions][maxBatch * ho * wo];
            patches[s] = new double[positions >= PATCH_POSITIONS ? maxBatch * ho * wo : 0][positions];
            conv[s] = new double[f][maxBatch * ho * wo];
            dConv[s] = new double[f][maxBatch * ho * wo];
            pooled[s] = new double[f][maxBatch * (ho / 2) * (wo / 2)];
            dPooled[s] = new double[f][maxBatch * (ho / 2) * (wo / 2)];
            argmax[s] = new int[f][maxBatch * (ho / 2) * (wo / 2)];
            // The first stage's input gradient is not needed.
            dCols[s] = new double[s == 0 ? 0 : positions][maxBatch * ho * wo];
            c = f;
            h = ho / 2;
            w = wo / 2;
        }
        this.sizes = new int[dense.length + 1];
        this.sizes[0] = c * h * w;
        System.arraycopy(dense, 0, this.sizes, 1, dense.length);
        this.layers = dense.length;
        weightT = new double[layers][][];
        bias = new double[layers][];
        gradWeightT = new double[layers][][];
        gradBias = new double[layers][];
        weight = new double[layers][][];
        activations = new double[layers + 1][][];
        deltas = new double[layers + 1][][];
        activations[0] = new double[maxBatch][sizes[0]];
        deltas[0] = new double[maxBatch][sizes[0]];
        for (int l = 0; l < layers; l++) {
            weightT[l] = new double[sizes[l]][sizes[l + 1]];
            gradWeightT[l] = new double[sizes[l]][sizes[l + 1]];
            weight[l] = new double[sizes[l + 1]][sizes[l]];
            bias[l] = new double[sizes[l + 1]];
            gradBias[l] = new double[sizes[l + 1]];
            activations[l + 1] = new double[maxBatch][sizes[l + 1]];
            deltas[l + 1] = new double[maxBatch][sizes[l + 1]];
        }
        int rows = 0;
        for (int s = 0; s < stages; s++) {
            rows += filters[s] + 1;
        }
        for (int l = 0; l < layers; l++) {
            rows += sizes[l] + 1;
        }
        parameterRows = new double[rows][];
        gradientRows = new double[rows][];
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
        moment1Rows = new double[rows][];
        moment2Rows = new double[rows][];
        for (r = 0; r < rows; r++) {
            moment1Rows[r] = new double[parameterRows[r].length];
            moment2Rows[r] = new double[optimizer == Optimizer.ADAM ? parameterRows[r].length : 0];
        }
    }

    /** Parameters in the flat layout. */
    public int parameterCount() {
        int count = 0;
        for (double[] row : parameterRows) {
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
            for (double[] row : convWeight[s]) {
                for (int p = 0; p < row.length; p++) {
                    row[p] = random.nextDouble(-limit, limit);
                }
            }
            Arrays.fill(convBias[s], 0);
        }
        for (int l = 0; l < layers; l++) {
            double limit = Math.sqrt(6.0 / (sizes[l] + sizes[l + 1]));
            for (double[] row : weightT[l]) {
                for (int o = 0; o < row.length; o++) {
                    row[o] = random.nextDouble(-limit, limit);
                }
            }
            Arrays.fill(bias[l], 0);
        }
    }

    /** Sets the parameters from the generated class's flat layout. */
    public void setParameters(double[] src) {
        exchange(src, true);
    }

    /** Copies the parameters out in the generated class's flat layout. */
    public void getParameters(double[] dst) {
        exchange(dst, false);
    }

    /** Forward, backward and update on {@code n} samples; returns the mean loss before the update. */
    public double trainStep(double[] xs, double[] ys, int n) {
        double loss = lossAndGradient(xs, ys, n);
        update();
        return loss;
    }

    /** The mean loss of {@code n} samples; {@code grad} receives its gradient in the flat layout. */
    public double gradient(double[] xs, double[] ys, int n, double[] grad) {
        double loss = lossAndGradient(xs, ys, n);
        int offset = 0;
        for (int s = 0; s < stages; s++) {
            for (double[] row : gradConvWeight[s]) {
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
    public void predict(double[] x, double[] out) {
        forward(x, 1);
        double[] logits = activations[layers][0];
        int classes = sizes[layers];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            max = Math.max(max, logits[j]);
        }
        double sum = 0.0;
        for (int j = 0; j < classes; j++) {
            out[j] = Math.exp(logits[j] - max);
            sum += out[j];
        }
        for (int j = 0; j < classes; j++) {
            out[j] /= sum;
        }
    }

    private double lossAndGradient(double[] xs, double[] ys, int n) {
        if (n < 1 || n > maxBatch) {
            throw new IllegalArgumentException("batch " + n + " outside 1.." + maxBatch);
        }
        forward(xs, n);
        double loss = softmaxCrossEntropy(ys, n);
        backward(xs, n);
        return loss;
    }

    /** Leaves the logits in the last activation rows. */
    private void forward(double[] xs, int n) {
        for (int s = 0; s < stages; s++) {
            im2col(s, xs, n);
            int pixels = n * convHeight[s] * convWidth[s];
            double[][] z = conv[s];
            for (int f = 0; f < filters[s]; f++) {
                Arrays.fill(z[f], 0, pixels, convBias[s][f]);
            }
            DoubleGemm.multiplyAdd(convWeight[s], filters[s], cols[s].length, cols[s], pixels, z);
            for (int f = 0; f < filters[s]; f++) {
                double[] row = z[f];
                for (int j = 0; j < pixels; j++) {
                    row[j] = Math.max(row[j], 0.0);
                }
            }
            maxPool(s, n);
        }
        flatten(n);
        for (int l = 0; l < layers; l++) {
            double[][] z = activations[l + 1];
            DoubleGemm.fillRows(z, n, bias[l]);
            DoubleGemm.multiplyAdd(activations[l], n, sizes[l], weightT[l], sizes[l + 1], z);
            if (l < layers - 1) {
                for (int s = 0; s < n; s++) {
                    double[] row = z[s];
                    for (int j = 0; j < row.length; j++) {
                        row[j] = Math.max(row[j], 0.0);
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
    private void im2col(int s, double[] xs, int n) {
        int k = kernel[s];
        int pad = padding[s];
        int h = height[s];
        int w = width[s];
        int ho = convHeight[s];
        int wo = convWidth[s];
        int plane = h * w;
        for (int c = 0; c < channels[s]; c++) {
            double[] source = s == 0 ? xs : pooled[s - 1][c];
            for (int ki = 0; ki < k; ki++) {
                int oyLow = Math.max(0, pad - ki);
                int oyHigh = Math.min(ho, h + pad - ki);
                for (int kj = 0; kj < k; kj++) {
                    double[] row = cols[s][(c * k + ki) * k + kj];
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
            double[] in = conv[s][f];
            double[] out = pooled[s][f];
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
            double[] row = activations[0][sample];
            for (int f = 0; f < filters[last]; f++) {
                System.arraycopy(pooled[last][f], sample * plane, row, f * plane, plane);
            }
        }
    }

    /** Mean cross-entropy of the logits; leaves {@code (softmax - y) / n} as the last delta. */
    private double softmaxCrossEntropy(double[] ys, int n) {
        int classes = sizes[layers];
        double total = 0.0;
        double scale = 1.0 / n;
        for (int s = 0; s < n; s++) {
            double[] logits = activations[layers][s];
            double[] delta = deltas[layers][s];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                max = Math.max(max, logits[j]);
            }
            double sum = 0.0;
            for (int j = 0; j < classes; j++) {
                delta[j] = Math.exp(logits[j] - max);
                sum += delta[j];
            }
            double logSum = max + Math.log(sum);
            for (int j = 0; j < classes; j++) {
                double y = ys[s * classes + j];
                total += y * (logSum - logits[j]);
                delta[j] = (delta[j] / sum - y) * scale;
            }
        }
        return total / n;
    }

    private void backward(double[] xs, int n) {
        for (int l = layers - 1; l >= 0; l--) {
            int in = sizes[l];
            int out = sizes[l + 1];
            DoubleGemm.clear(gradWeightT[l], in);
            DoubleGemm.multiplyTransposedAdd(activations[l], n, in, deltas[l + 1], out, gradWeightT[l]);
            DoubleGemm.columnSums(deltas[l + 1], n, gradBias[l]);
            double[][] below = deltas[l];
            DoubleGemm.transpose(weightT[l], weight[l]);
            DoubleGemm.clear(below, n);
            DoubleGemm.multiplyAdd(deltas[l + 1], n, out, weight[l], in, below);
            if (l > 0) {
                // ReLU's derivative, read from its output: the input was positive iff the output is.
                for (int s = 0; s < n; s++) {
                    double[] d = below[s];
                    double[] a = activations[l][s];
                    for (int j = 0; j < in; j++) {
                        d[j] = a[j] > 0.0 ? d[j] : 0.0;
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
                DoubleGemm.clear(gradConvWeight[s], filters[s]);
                DoubleGemm.multiplyAdd(dConv[s], filters[s], pixels, patches[s], positions, gradConvWeight[s]);
            } else {
                DoubleGemm.multiplyByTransposed(dConv[s], filters[s], cols[s], positions, pixels, gradConvWeight[s]);
            }
            if (s > 0) {
                DoubleGemm.transpose(convWeight[s], convWeightT[s]);
                for (int p = 0; p < positions; p++) {
                    Arrays.fill(dCols[s][p], 0, pixels, 0.0);
                }
                DoubleGemm.multiplyAdd(convWeightT[s], positions, filters[s], dConv[s], pixels, dCols[s]);
                col2im(s, n);
            }
        }
    }

    /**
     * Copies the valid part of every output pixel's input patch into {@code patches[s]}: row
     * {@code (sample, oy, ox)}, column {@code (c, ki, kj)}, the transpose of {@link #im2col}'s
     * matrix, built from the stage's input rather than by transposing (measured faster).
     */
    private void fillPatches(int s, double[] xs, int n) {
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
                    double[] patch = patches[s][(sample * ho + oy) * wo + ox];
                    int kjLow = Math.max(0, pad - ox);
                    int length = Math.min(k, w + pad - ox) - kjLow;
                    for (int c = 0; c < channels[s]; c++) {
                        double[] source = s == 0 ? xs : pooled[s - 1][c];
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
            double[] row = deltas[0][sample];
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
            double[] d = dConv[s][f];
            double[] up = dPooled[s][f];
            double[] value = pooled[s][f];
            int[] where = argmax[s][f];
            Arrays.fill(d, 0, pixels, 0.0);
            double sum = 0.0;
            for (int o = 0; o < outputs; o++) {
                double g = value[o] > 0.0 ? up[o] : 0.0;
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
            double[] target = dPooled[s - 1][c];
            Arrays.fill(target, 0, n * plane, 0.0);
            for (int ki = 0; ki < k; ki++) {
                int oyLow = Math.max(0, pad - ki);
                int oyHigh = Math.min(ho, h + pad - ki);
                for (int kj = 0; kj < k; kj++) {
                    double[] row = dCols[s][(c * k + ki) * k + kj];
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
        double stepSize = lr / (1.0 - Math.pow(0.9, step));
        double correction2Sqrt = Math.sqrt(1.0 - Math.pow(0.999, step));
        for (int r = 0; r < parameterRows.length; r++) {
            if (optimizer == Optimizer.ADAM) {
                adam(parameterRows[r], gradientRows[r], moment1Rows[r], moment2Rows[r], stepSize, correction2Sqrt);
            } else {
                momentum(parameterRows[r], gradientRows[r], moment1Rows[r]);
            }
        }
    }

    /** PyTorch's Adam with its defaults (0.9, 0.999, 1e-8): eps is added after the bias correction. */
    private static void adam(double[] p, double[] g, double[] m, double[] v, double stepSize, double correction2Sqrt) {
        for (int i = 0; i < p.length; i++) {
            m[i] = 0.9 * m[i] + 0.1 * g[i];
            v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
            p[i] -= stepSize * m[i] / (Math.sqrt(v[i]) / correction2Sqrt + 1e-8);
        }
    }

    /** PyTorch's SGD with momentum 0.9 and no dampening: the first buffer is the gradient itself. */
    private void momentum(double[] p, double[] g, double[] buffer) {
        for (int i = 0; i < p.length; i++) {
            buffer[i] = 0.9 * buffer[i] + g[i];
            p[i] -= lr * buffer[i];
        }
    }

    /** Copies between the flat layout and the parameter arrays, in the direction {@code in} says. */
    private void exchange(double[] flat, boolean in) {
        if (flat.length != parameterCount()) {
            throw new IllegalArgumentException("expected " + parameterCount() + " parameters, got " + flat.length);
        }
        int offset = 0;
        for (int s = 0; s < stages; s++) {
            for (double[] row : convWeight[s]) {
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

    private static void copy(double[] flat, int offset, double[] row, boolean in) {
        if (in) {
            System.arraycopy(flat, offset, row, 0, row.length);
        } else {
            System.arraycopy(row, 0, flat, offset, row.length);
        }
    }
}
