package dev.nnc.benchmarks.handwritten;

import java.util.Arrays;

/**
 * A hand-written multilayer perceptron in double precision: ReLU hidden layers, a softmax output
 * trained with cross-entropy, Adam or SGD with momentum (PyTorch's update rules). N4 and N5 of
 * the suite, written the way a careful engineer would: the batch is a matrix and every layer
 * is two or three matrix products ({@link DoubleGemm}); all buffers are allocated once, so a
 * training step allocates nothing.
 *
 * <p>Weights are stored transposed, {@code [in][out]}, because then the forward product, the
 * one that runs in prediction too, has the output index innermost. Parameters are exchanged in
 * the generated classes' layout ({@code [out][in]} per layer, then the bias) so a baseline can
 * start from exactly the parameters of the nnc network.
 */
public final class DoubleMlp {
    private final int[] sizes;
    private final int maxBatch;
    private final Optimizer optimizer;
    private final double lr;
    private final double[][] weightT;
    private final double[][] bias;
    private final double[][] gradWeightT;
    private final double[][] gradBias;
    /** Adam's first moments, or SGD's momentum buffers, per layer (weights then biases). */
    private final double[][] state1;
    /** Adam's second moments (unused by SGD). */
    private final double[][] state2;
    /** {@code [out][in]} copy of each weight for the backward data product. */
    private final double[][] weightScratch;
    /** Activations per layer, {@code [batch][size]}; index 0 is unused (the input is the caller's). */
    private final double[][] activations;
    /** Gradients of the loss with respect to each layer's pre-activation. */
    private final double[][] deltas;

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
    public DoubleMlp(int[] sizes, int maxBatch, Optimizer optimizer, double lr) {
        this.sizes = sizes.clone();
        this.maxBatch = maxBatch;
        this.optimizer = optimizer;
        this.lr = lr;
        int layers = sizes.length - 1;
        weightT = new double[layers][];
        bias = new double[layers][];
        gradWeightT = new double[layers][];
        gradBias = new double[layers][];
        state1 = new double[2 * layers][];
        state2 = new double[2 * layers][];
        weightScratch = new double[layers][];
        activations = new double[layers + 1][];
        deltas = new double[layers + 1][];
        for (int l = 0; l < layers; l++) {
            int count = sizes[l] * sizes[l + 1];
            weightT[l] = new double[count];
            gradWeightT[l] = new double[count];
            weightScratch[l] = new double[count];
            bias[l] = new double[sizes[l + 1]];
            gradBias[l] = new double[sizes[l + 1]];
            state1[2 * l] = new double[count];
            state1[2 * l + 1] = new double[sizes[l + 1]];
            state2[2 * l] = new double[optimizer == Optimizer.ADAM ? count : 0];
            state2[2 * l + 1] = new double[optimizer == Optimizer.ADAM ? sizes[l + 1] : 0];
            activations[l + 1] = new double[maxBatch * sizes[l + 1]];
            deltas[l + 1] = new double[maxBatch * sizes[l + 1]];
        }
    }

    /** Sets the parameters from the generated class's flat layout. */
    public void setParameters(double[] src) {
        int offset = 0;
        for (int l = 0; l < sizes.length - 1; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            DoubleGemm.transpose(Arrays.copyOfRange(src, offset, offset + in * out), out, in, weightT[l]);
            offset += in * out;
            System.arraycopy(src, offset, bias[l], 0, out);
            offset += out;
        }
    }

    /** Predicts one sample; the softmax probabilities go to {@code out}. */
    public void predict(double[] x, double[] out) {
        forward(x, 1);
        System.arraycopy(activations[sizes.length - 1], 0, out, 0, sizes[sizes.length - 1]);
        softmaxRows(out, 1, sizes[sizes.length - 1]);
    }

    /** Forward, backward and update on {@code n} samples; returns the mean loss before the update. */
    public double trainStep(double[] xs, double[] ys, int n) {
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
    private void forward(double[] xs, int n) {
        int layers = sizes.length - 1;
        for (int l = 0; l < layers; l++) {
            double[] in = l == 0 ? xs : activations[l];
            double[] z = activations[l + 1];
            int out = sizes[l + 1];
            DoubleGemm.fillRows(z, n, bias[l], out);
            DoubleGemm.multiplyAdd(in, n, sizes[l], weightT[l], out, z);
            if (l < layers - 1) {
                for (int i = 0; i < n * out; i++) {
                    z[i] = Math.max(z[i], 0.0);
                }
            }
        }
    }

    /** Mean cross-entropy of the logits; leaves {@code (softmax - y) / n} as the last delta. */
    private double softmaxCrossEntropy(double[] ys, int n) {
        int classes = sizes[sizes.length - 1];
        double[] logits = activations[sizes.length - 1];
        double[] delta = deltas[sizes.length - 1];
        double total = 0.0;
        double scale = 1.0 / n;
        for (int s = 0; s < n; s++) {
            int row = s * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                max = Math.max(max, logits[row + j]);
            }
            double sum = 0.0;
            for (int j = 0; j < classes; j++) {
                double e = Math.exp(logits[row + j] - max);
                delta[row + j] = e;
                sum += e;
            }
            double logSum = max + Math.log(sum);
            for (int j = 0; j < classes; j++) {
                double y = ys[row + j];
                total += y * (logSum - logits[row + j]);
                delta[row + j] = (delta[row + j] / sum - y) * scale;
            }
        }
        return total / n;
    }

    private void backward(double[] xs, int n) {
        for (int l = sizes.length - 2; l >= 0; l--) {
            int in = sizes[l];
            int out = sizes[l + 1];
            double[] input = l == 0 ? xs : activations[l];
            double[] delta = deltas[l + 1];
            Arrays.fill(gradWeightT[l], 0.0);
            DoubleGemm.multiplyTransposedAdd(input, n, in, delta, out, gradWeightT[l]);
            DoubleGemm.columnSums(delta, n, out, gradBias[l]);
            if (l > 0) {
                double[] below = deltas[l];
                DoubleGemm.transpose(weightT[l], in, out, weightScratch[l]);
                Arrays.fill(below, 0, n * in, 0.0);
                DoubleGemm.multiplyAdd(delta, n, out, weightScratch[l], in, below);
                // ReLU's derivative, read from its output: the input was positive iff the output is.
                double[] a = activations[l];
                for (int i = 0; i < n * in; i++) {
                    below[i] = a[i] > 0.0 ? below[i] : 0.0;
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
    private void adam(double[] p, double[] g, double[] m, double[] v) {
        double stepSize = lr / (1.0 - Math.pow(0.9, step));
        double correction2Sqrt = Math.sqrt(1.0 - Math.pow(0.999, step));
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

    private static void softmaxRows(double[] z, int n, int classes) {
        for (int s = 0; s < n; s++) {
            int row = s * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                max = Math.max(max, z[row + j]);
            }
            double sum = 0.0;
            for (int j = 0; j < classes; j++) {
                z[row + j] = Math.exp(z[row + j] - max);
                sum += z[row + j];
            }
            for (int j = 0; j < classes; j++) {
                z[row + j] /= sum;
            }
        }
    }
}
