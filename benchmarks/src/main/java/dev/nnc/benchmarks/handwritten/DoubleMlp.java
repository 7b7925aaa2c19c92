package dev.nnc.benchmarks.handwritten;

/**
 * A hand-written multilayer perceptron in double precision: ReLU hidden layers, a softmax output
 * trained with cross-entropy, Adam or SGD with momentum (PyTorch's update rules). N4 and N5 of
 * the suite, written the way a careful engineer would: the batch is a matrix and every layer is
 * two or three matrix products ({@link DoubleGemm}, which says why matrices are arrays of rows);
 * bias and ReLU are fused into the product's output; all buffers are allocated once, so a
 * training step allocates nothing.
 *
 * <p>Weights are stored transposed, {@code [in][out]}, because then the forward product, the one
 * that prediction runs too, has the output index innermost. Parameters are exchanged in the
 * generated classes' flat layout ({@code [out][in]} per layer, then the bias) so a baseline
 * starts from exactly the parameters of the nnc network.
 */
public final class DoubleMlp {
    /** The update rule. */
    public enum Optimizer {
        ADAM,
        SGD_MOMENTUM
    }

    private final int[] sizes;
    private final int layers;
    private final int maxBatch;
    private final Optimizer optimizer;
    private final double lr;
    private final double[][][] weightT;
    private final double[][] bias;
    private final double[][][] gradWeightT;
    private final double[][] gradBias;
    /** {@code [out][in]} copy of each weight, for the backward data product. */
    private final double[][][] weight;
    /** Adam's first moments, or SGD's momentum buffers. */
    private final double[][][] moment1;

    private final double[][] biasMoment1;
    /** Adam's second moments (empty for SGD). */
    private final double[][][] moment2;

    private final double[][] biasMoment2;
    /** Per layer boundary, {@code [batch][size]}: the input rows, then each layer's output. */
    private final double[][][] activations;
    /** Gradients of the loss with respect to each layer's pre-activation. */
    private final double[][][] deltas;

    private long step;

    /**
     * @param sizes input size, hidden sizes, classes (e.g. {@code 64, 32, 10})
     * @param maxBatch the largest batch {@link #trainStep} will be given
     */
    public DoubleMlp(int[] sizes, int maxBatch, Optimizer optimizer, double lr) {
        this.sizes = sizes.clone();
        this.layers = sizes.length - 1;
        this.maxBatch = maxBatch;
        this.optimizer = optimizer;
        this.lr = lr;
        int adam = optimizer == Optimizer.ADAM ? 1 : 0;
        weightT = new double[layers][][];
        bias = new double[layers][];
        gradWeightT = new double[layers][][];
        gradBias = new double[layers][];
        weight = new double[layers][][];
        moment1 = new double[layers][][];
        biasMoment1 = new double[layers][];
        moment2 = new double[layers][][];
        biasMoment2 = new double[layers][];
        activations = new double[layers + 1][][];
        deltas = new double[layers + 1][][];
        activations[0] = new double[maxBatch][sizes[0]];
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            weightT[l] = new double[in][out];
            gradWeightT[l] = new double[in][out];
            weight[l] = new double[out][in];
            moment1[l] = new double[in][out];
            moment2[l] = new double[in * adam][out];
            bias[l] = new double[out];
            gradBias[l] = new double[out];
            biasMoment1[l] = new double[out];
            biasMoment2[l] = new double[out * adam];
            activations[l + 1] = new double[maxBatch][out];
            deltas[l + 1] = new double[maxBatch][out];
        }
    }

    /** Sets the parameters from the generated class's flat layout. */
    public void setParameters(double[] src) {
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
    public void predict(double[] x, double[] out) {
        forward(x, 1);
        double[] logits = activations[layers][0];
        System.arraycopy(logits, 0, out, 0, logits.length);
        softmax(out, logits.length);
    }

    /** Forward, backward and update on {@code n} samples; returns the mean loss before the update. */
    public double trainStep(double[] xs, double[] ys, int n) {
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
    private void forward(double[] xs, int n) {
        int width = sizes[0];
        for (int s = 0; s < n; s++) {
            System.arraycopy(xs, s * width, activations[0][s], 0, width);
        }
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

    private void backward(int n) {
        for (int l = layers - 1; l >= 0; l--) {
            int in = sizes[l];
            int out = sizes[l + 1];
            DoubleGemm.clear(gradWeightT[l], in);
            DoubleGemm.multiplyTransposedAdd(activations[l], n, in, deltas[l + 1], out, gradWeightT[l]);
            DoubleGemm.columnSums(deltas[l + 1], n, gradBias[l]);
            if (l > 0) {
                double[][] below = deltas[l];
                DoubleGemm.transpose(weightT[l], weight[l]);
                DoubleGemm.clear(below, n);
                DoubleGemm.multiplyAdd(deltas[l + 1], n, out, weight[l], in, below);
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
    }

    private void update() {
        step++;
        double stepSize = lr / (1.0 - Math.pow(0.9, step));
        double correction2Sqrt = Math.sqrt(1.0 - Math.pow(0.999, step));
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

    private static void softmax(double[] z, int classes) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            max = Math.max(max, z[j]);
        }
        double sum = 0.0;
        for (int j = 0; j < classes; j++) {
            z[j] = Math.exp(z[j] - max);
            sum += z[j];
        }
        for (int j = 0; j < classes; j++) {
            z[j] /= sum;
        }
    }
}
