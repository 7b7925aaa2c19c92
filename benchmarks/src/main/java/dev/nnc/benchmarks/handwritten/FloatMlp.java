package dev.nnc.benchmarks.handwritten;

/**
 * A hand-written multilayer perceptron in single precision (PyTorch's default; the loss is summed in double): ReLU hidden layers, a softmax output
 * trained with cross-entropy, Adam or SGD with momentum (PyTorch's update rules). N4 and N5 of
 * the suite, written the way a careful engineer would: the batch is a matrix and every layer is
 * two or three matrix products ({@link FloatGemm}, which says why matrices are arrays of rows);
 * bias and ReLU are fused into the product's output; all buffers are allocated once, so a
 * training step allocates nothing.
 *
 * <p>Weights are stored transposed, {@code [in][out]}, because then the forward product, the one
 * that prediction runs too, has the output index innermost. Parameters are exchanged in the
 * generated classes' flat layout ({@code [out][in]} per layer, then the bias) so a baseline
 * starts from exactly the parameters of the nnc network.
 */
public final class FloatMlp {
    /** The update rule. */
    public enum Optimizer {
        ADAM,
        SGD_MOMENTUM
    }

    private final int[] sizes;
    private final int layers;
    private final int maxBatch;
    private final Optimizer optimizer;
    private final float lr;
    private final float[][][] weightT;
    private final float[][] bias;
    private final float[][][] gradWeightT;
    private final float[][] gradBias;
    /** {@code [out][in]} copy of each weight, for the backward data product. */
    private final float[][][] weight;
    /** Adam's first moments, or SGD's momentum buffers. */
    private final float[][][] moment1;

    private final float[][] biasMoment1;
    /** Adam's second moments (empty for SGD). */
    private final float[][][] moment2;

    private final float[][] biasMoment2;
    /** Per layer boundary, {@code [batch][size]}: the input rows, then each layer's output. */
    private final float[][][] activations;
    /** Gradients of the loss with respect to each layer's pre-activation. */
    private final float[][][] deltas;

    private long step;

    /**
     * @param sizes input size, hidden sizes, classes (e.g. {@code 64, 32, 10})
     * @param maxBatch the largest batch {@link #trainStep} will be given
     */
    public FloatMlp(int[] sizes, int maxBatch, Optimizer optimizer, float lr) {
        this.sizes = sizes.clone();
        this.layers = sizes.length - 1;
        this.maxBatch = maxBatch;
        this.optimizer = optimizer;
        this.lr = lr;
        int adam = optimizer == Optimizer.ADAM ? 1 : 0;
        weightT = new float[layers][][];
        bias = new float[layers][];
        gradWeightT = new float[layers][][];
        gradBias = new float[layers][];
        weight = new float[layers][][];
        moment1 = new float[layers][][];
        biasMoment1 = new float[layers][];
        moment2 = new float[layers][][];
        biasMoment2 = new float[layers][];
        activations = new float[layers + 1][][];
        deltas = new float[layers + 1][][];
        activations[0] = new float[maxBatch][sizes[0]];
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            weightT[l] = new float[in][out];
            gradWeightT[l] = new float[in][out];
            weight[l] = new float[out][in];
            moment1[l] = new float[in][out];
            moment2[l] = new float[in * adam][out];
            bias[l] = new float[out];
            gradBias[l] = new float[out];
            biasMoment1[l] = new float[out];
            biasMoment2[l] = new float[out * adam];
            activations[l + 1] = new float[maxBatch][out];
            deltas[l + 1] = new float[maxBatch][out];
        }
    }

    /** Sets the parameters from the generated class's flat layout. */
    public void setParameters(float[] src) {
        int offset = 0;
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    weightT[l][i][o] = src[offset + o * in + i];
                }
            }
            offset += in * out;
            System.arraycopy(src, offset, bias[l], 0, out);
            offset += out;
        }
    }

    /** Predicts one sample; the softmax probabilities go to {@code out}. */
    public void predict(float[] x, float[] out) {
        forward(x, 1);
        float[] logits = activations[layers][0];
        System.arraycopy(logits, 0, out, 0, logits.length);
        softmax(out, logits.length);
    }

    /** Forward, backward and update on {@code n} samples; returns the mean loss before the update. */
    public double trainStep(float[] xs, float[] ys, int n) {
        if (n > maxBatch) {
            throw new IllegalArgumentException("batch " + n + " exceeds " + maxBatch);
        }
        forward(xs, n);
        double loss = softmaxCrossEntropy(ys, n);
        backward(n);
        update();
        return loss;
    }

    /** Leaves the logits in the last activation rows. */
    private void forward(float[] xs, int n) {
        int width = sizes[0];
        for (int s = 0; s < n; s++) {
            System.arraycopy(xs, s * width, activations[0][s], 0, width);
        }
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

    private void backward(int n) {
        for (int l = layers - 1; l >= 0; l--) {
            int in = sizes[l];
            int out = sizes[l + 1];
            FloatGemm.clear(gradWeightT[l], in);
            FloatGemm.multiplyTransposedAdd(activations[l], n, in, deltas[l + 1], out, gradWeightT[l]);
            FloatGemm.columnSums(deltas[l + 1], n, gradBias[l]);
            if (l > 0) {
                float[][] below = deltas[l];
                FloatGemm.transpose(weightT[l], weight[l]);
                FloatGemm.clear(below, n);
                FloatGemm.multiplyAdd(deltas[l + 1], n, out, weight[l], in, below);
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
    }

    private void update() {
        step++;
        float stepSize = (float) (lr / (1.0 - Math.pow(0.9, step)));
        float correction2Sqrt = (float) Math.sqrt(1.0 - Math.pow(0.999, step));
        for (int l = 0; l < layers; l++) {
            for (int i = 0; i < sizes[l]; i++) {
                if (optimizer == Optimizer.ADAM) {
                    adam(weightT[l][i], gradWeightT[l][i], moment1[l][i], moment2[l][i], stepSize, correction2Sqrt);
                } else {
                    momentum(weightT[l][i], gradWeightT[l][i], moment1[l][i]);
                }
            }
            if (optimizer == Optimizer.ADAM) {
                adam(bias[l], gradBias[l], biasMoment1[l], biasMoment2[l], stepSize, correction2Sqrt);
            } else {
                momentum(bias[l], gradBias[l], biasMoment1[l]);
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

    private static void softmax(float[] z, int classes) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            max = Math.max(max, z[j]);
        }
        float sum = 0.0f;
        for (int j = 0; j < classes; j++) {
            z[j] = (float) Math.exp(z[j] - max);
            sum += z[j];
        }
        for (int j = 0; j < classes; j++) {
            z[j] /= sum;
        }
    }
}
