package dev.nnc.benchmarks.handwritten;

import java.util.Arrays;

/**
 * A hand-written multilayer perceptron in single precision (PyTorch's default; the loss is summed in double): ReLU hidden layers, a softmax output
 * trained with cross-entropy, Adam or SGD with momentum (PyTorch's update rules). N4 and N5 of
 * the suite, written the way a careful engineer would: the batch is a matrix and every layer
 * is two or three matrix products ({@link FloatGemm}); all buffers are allocated once, so a
 * training step allocates nothing.
 *
 * <p>Weights are stored transposed, {@code [in][out]}, because then the forward product, the
 * one that runs in prediction too, has the output index innermost. Parameters are exchanged in
 * the generated classes' layout ({@code [out][in]} per layer, then the bias) so a baseline can
 * start from exactly the parameters of the nnc network.
 */
public final class FloatMlp {
    private final int[] sizes;
    private final int maxBatch;
    private final Optimizer optimizer;
    private final float lr;
    private final float[][] weightT;
    private final float[][] bias;
    private final float[][] gradWeightT;
    private final float[][] gradBias;
    /** Adam's first moments, or SGD's momentum buffers, per layer (weights then biases). */
    private final float[][] state1;
    /** Adam's second moments (unused by SGD). */
    private final float[][] state2;
    /** {@code [out][in]} copy of each weight for the backward data product. */
    private final float[][] weightScratch;
    /** Activations per layer, {@code [batch][size]}; index 0 is unused (the input is the caller's). */
    private final float[][] activations;
    /** Gradients of the loss with respect to each layer's pre-activation. */
    private final float[][] deltas;

    private long step;

    /** The update rule. */
    public enum Optimizer {
        ADAM,
        SGD_MOMENTUM
    }

    /**
     * @param sizes input size, hidden sizes, classes (e.g. {@code 64, 32, 10})
     * @param maxBatch the largest batch {@link #trainStep} will be given
     */
    public FloatMlp(int[] sizes, int maxBatch, Optimizer optimizer, float lr) {
        this.sizes = sizes.clone();
        this.maxBatch = maxBatch;
        this.optimizer = optimizer;
        this.lr = lr;
        int layers = sizes.length - 1;
        weightT = new float[layers][];
        bias = new float[layers][];
        gradWeightT = new float[layers][];
        gradBias = new float[layers][];
        state1 = new float[2 * layers][];
        state2 = new float[2 * layers][];
        weightScratch = new float[layers][];
        activations = new float[layers + 1][];
        deltas = new float[layers + 1][];
        for (int l = 0; l < layers; l++) {
            int count = sizes[l] * sizes[l + 1];
            weightT[l] = new float[count];
            gradWeightT[l] = new float[count];
            weightScratch[l] = new float[count];
            bias[l] = new float[sizes[l + 1]];
            gradBias[l] = new float[sizes[l + 1]];
            state1[2 * l] = new float[count];
            state1[2 * l + 1] = new float[sizes[l + 1]];
            state2[2 * l] = new float[optimizer == Optimizer.ADAM ? count : 0];
            state2[2 * l + 1] = new float[optimizer == Optimizer.ADAM ? sizes[l + 1] : 0];
            activations[l + 1] = new float[maxBatch * sizes[l + 1]];
            deltas[l + 1] = new float[maxBatch * sizes[l + 1]];
        }
    }

    /** Sets the parameters from the generated class's flat layout. */
    public void setParameters(float[] src) {
        int offset = 0;
        for (int l = 0; l < sizes.length - 1; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            FloatGemm.transpose(Arrays.copyOfRange(src, offset, offset + in * out), out, in, weightT[l]);
            offset += in * out;
            System.arraycopy(src, offset, bias[l], 0, out);
            offset += out;
        }
    }

    /** Predicts one sample; the softmax probabilities go to {@code out}. */
    public void predict(float[] x, float[] out) {
        forward(x, 1);
        System.arraycopy(activations[sizes.length - 1], 0, out, 0, sizes[sizes.length - 1]);
        softmaxRows(out, 1, sizes[sizes.length - 1]);
    }

    /** Forward, backward and update on {@code n} samples; returns the mean loss before the update. */
    public double trainStep(float[] xs, float[] ys, int n) {
        if (n > maxBatch) {
            throw new IllegalArgumentException("batch " + n + " exceeds " + maxBatch);
        }
        forward(xs, n);
        double loss = softmaxCrossEntropy(ys, n);
        backward(xs, n);
        update();
        return loss;
    }

    /** Leaves the logits in the last activation buffer; hidden layers get bias and ReLU fused. */
    private void forward(float[] xs, int n) {
        int layers = sizes.length - 1;
        for (int l = 0; l < layers; l++) {
            float[] in = l == 0 ? xs : activations[l];
            float[] z = activations[l + 1];
            int out = sizes[l + 1];
            FloatGemm.fillRows(z, n, bias[l], out);
            FloatGemm.multiplyAdd(in, n, sizes[l], weightT[l], out, z);
            if (l < layers - 1) {
                for (int i = 0; i < n * out; i++) {
                    z[i] = Math.max(z[i], 0.0f);
                }
            }
        }
    }

    /** Mean cross-entropy of the logits; leaves {@code (softmax - y) / n} as the last delta. */
    private double softmaxCrossEntropy(float[] ys, int n) {
        int classes = sizes[sizes.length - 1];
        float[] logits = activations[sizes.length - 1];
        float[] delta = deltas[sizes.length - 1];
        double total = 0.0;
        float scale = 1.0f / n;
        for (int s = 0; s < n; s++) {
            int row = s * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                max = Math.max(max, logits[row + j]);
            }
            float sum = 0.0f;
            for (int j = 0; j < classes; j++) {
                float e = (float) Math.exp(logits[row + j] - max);
                delta[row + j] = e;
                sum += e;
            }
            float logSum = max + (float) Math.log(sum);
            for (int j = 0; j < classes; j++) {
                float y = ys[row + j];
                total += y * (logSum - logits[row + j]);
                delta[row + j] = (delta[row + j] / sum - y) * scale;
            }
        }
        return total / n;
    }

    private void backward(float[] xs, int n) {
        for (int l = sizes.length - 2; l >= 0; l--) {
            int in = sizes[l];
            int out = sizes[l + 1];
            float[] input = l == 0 ? xs : activations[l];
            float[] delta = deltas[l + 1];
            Arrays.fill(gradWeightT[l], 0.0f);
            FloatGemm.multiplyTransposedAdd(input, n, in, delta, out, gradWeightT[l]);
            FloatGemm.columnSums(delta, n, out, gradBias[l]);
            if (l > 0) {
                float[] below = deltas[l];
                FloatGemm.transpose(weightT[l], in, out, weightScratch[l]);
                Arrays.fill(below, 0, n * in, 0.0f);
                FloatGemm.multiplyAdd(delta, n, out, weightScratch[l], in, below);
                // ReLU's derivative, read from its output: the input was positive iff the output is.
                float[] a = activations[l];
                for (int i = 0; i < n * in; i++) {
                    below[i] = a[i] > 0.0f ? below[i] : 0.0f;
                }
            }
        }
    }

    private void update() {
        step++;
        for (int l = 0; l < sizes.length - 1; l++) {
            if (optimizer == Optimizer.ADAM) {
                adam(weightT[l], gradWeightT[l], state1[2 * l], state2[2 * l]);
                adam(bias[l], gradBias[l], state1[2 * l + 1], state2[2 * l + 1]);
            } else {
                momentum(weightT[l], gradWeightT[l], state1[2 * l]);
                momentum(bias[l], gradBias[l], state1[2 * l + 1]);
            }
        }
    }

    /** PyTorch's Adam with its defaults (0.9, 0.999, 1e-8): eps is added after the bias correction. */
    private void adam(float[] p, float[] g, float[] m, float[] v) {
        float stepSize = (float) (lr / (1.0 - Math.pow(0.9, step)));
        float correction2Sqrt = (float) Math.sqrt(1.0 - Math.pow(0.999, step));
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

    private static void softmaxRows(float[] z, int n, int classes) {
        for (int s = 0; s < n; s++) {
            int row = s * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                max = Math.max(max, z[row + j]);
            }
            float sum = 0.0f;
            for (int j = 0; j < classes; j++) {
                z[row + j] = (float) Math.exp(z[row + j] - max);
                sum += z[row + j];
            }
            for (int j = 0; j < classes; j++) {
                z[row + j] /= sum;
            }
        }
    }
}
