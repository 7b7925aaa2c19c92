package dev.nnc.benchmarks.tape;

import java.util.Arrays;

/**
 * A multilayer perceptron trained through the {@link Tape}: each step records the forward ops
 * on a fresh tape, runs it backward and applies PyTorch's update rule. Double precision. Weights
 * are {@code [in][out]} tensors so the forward product is {@code x @ W}; parameters are exchanged
 * in the generated classes' flat layout ({@code [out][in]} per layer, then the bias).
 */
public final class TapeMlp {
    /** Activation of a layer. */
    public enum Activation {
        IDENTITY,
        SIGMOID,
        TANH,
        RELU
    }

    /** The loss, applied to the last layer's output (or to its logits, for the last two). */
    public enum Loss {
        HALF_SQUARED_ERROR,
        MEAN_SQUARED_ERROR,
        BINARY_CROSS_ENTROPY_WITH_LOGITS,
        SOFTMAX_CROSS_ENTROPY
    }

    /** PyTorch's update rules (Adam with its default betas and eps). */
    public enum Optimizer {
        SGD,
        SGD_MOMENTUM,
        ADAM
    }

    private final int[] sizes;
    private final Activation[] activations;
    private final Loss loss;
    private final Optimizer optimizer;
    private final double lr;
    private final Tensor[] weights;
    private final Tensor[] biases;
    /** Momentum buffers or Adam first moments, then Adam second moments, per parameter tensor. */
    private final double[][] state1;

    private final double[][] state2;
    private long step;

    /**
     * @param sizes input size, then the units of each layer
     * @param activations one per layer
     */
    public TapeMlp(int[] sizes, Activation[] activations, Loss loss, Optimizer optimizer, double lr) {
        if (activations.length != sizes.length - 1) {
            throw new IllegalArgumentException("one activation per layer");
        }
        this.sizes = sizes.clone();
        this.activations = activations.clone();
        this.loss = loss;
        this.optimizer = optimizer;
        this.lr = lr;
        int layers = sizes.length - 1;
        weights = new Tensor[layers];
        biases = new Tensor[layers];
        state1 = new double[2 * layers][];
        state2 = new double[2 * layers][];
        for (int l = 0; l < layers; l++) {
            weights[l] = Tensor.parameter(sizes[l], sizes[l + 1], new double[sizes[l] * sizes[l + 1]]);
            biases[l] = Tensor.parameter(1, sizes[l + 1], new double[sizes[l + 1]]);
            state1[2 * l] = new double[sizes[l] * sizes[l + 1]];
            state1[2 * l + 1] = new double[sizes[l + 1]];
            state2[2 * l] = new double[sizes[l] * sizes[l + 1]];
            state2[2 * l + 1] = new double[sizes[l + 1]];
        }
    }

    /** Sets the parameters from the generated class's flat layout. */
    public void setParameters(double[] src) {
        int offset = 0;
        for (int l = 0; l < weights.length; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    weights[l].value[i * out + o] = src[offset + o * in + i];
                }
            }
            offset += in * out;
            System.arraycopy(src, offset, biases[l].value, 0, out);
            offset += out;
        }
    }

    /** One step on {@code n} samples; returns the mean loss before the update. */
    public double trainStep(double[] xs, double[] ys, int n) {
        Tape tape = new Tape();
        Tensor output = forward(tape, Tensor.constant(n, sizes[0], xs));
        Tensor targets = Tensor.constant(n, sizes[sizes.length - 1], ys);
        Tensor value = switch (loss) {
            case HALF_SQUARED_ERROR -> tape.halfSquaredError(output, targets);
            case MEAN_SQUARED_ERROR -> tape.meanSquaredError(output, targets);
            case BINARY_CROSS_ENTROPY_WITH_LOGITS -> tape.binaryCrossEntropyWithLogits(output, targets);
            case SOFTMAX_CROSS_ENTROPY -> tape.softmaxCrossEntropy(output, targets);
        };
        for (int l = 0; l < weights.length; l++) {
            Arrays.fill(weights[l].grad, 0.0);
            Arrays.fill(biases[l].grad, 0.0);
        }
        tape.backward(value);
        update();
        return value.item();
    }

    /** Predicts one sample, applying the loss's output function (softmax or sigmoid) to logits. */
    public void predict(double[] x, double[] out) {
        Tape tape = new Tape();
        tape.setRecording(false);
        Tensor output = forward(tape, Tensor.constant(1, sizes[0], x));
        if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
            output = tape.softmax(output);
        } else if (loss == Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS) {
            output = tape.sigmoid(output);
        }
        System.arraycopy(output.value, 0, out, 0, output.value.length);
    }

    private Tensor forward(Tape tape, Tensor x) {
        Tensor h = x;
        for (int l = 0; l < weights.length; l++) {
            Tensor z = tape.addRow(tape.matmul(h, weights[l]), biases[l]);
            h = switch (activations[l]) {
                case IDENTITY -> z;
                case SIGMOID -> tape.sigmoid(z);
                case TANH -> tape.tanh(z);
                case RELU -> tape.relu(z);
            };
        }
        return h;
    }

    private void update() {
        step++;
        for (int l = 0; l < weights.length; l++) {
            update(weights[l], state1[2 * l], state2[2 * l]);
            update(biases[l], state1[2 * l + 1], state2[2 * l + 1]);
        }
    }

    private void update(Tensor parameter, double[] first, double[] second) {
        double[] p = parameter.value;
        double[] g = parameter.grad;
        switch (optimizer) {
            case SGD -> {
                for (int i = 0; i < p.length; i++) {
                    p[i] -= lr * g[i];
                }
            }
            case SGD_MOMENTUM -> {
                for (int i = 0; i < p.length; i++) {
                    first[i] = 0.9 * first[i] + g[i];
                    p[i] -= lr * first[i];
                }
            }
            case ADAM -> {
                double stepSize = lr / (1.0 - Math.pow(0.9, step));
                double correction2Sqrt = Math.sqrt(1.0 - Math.pow(0.999, step));
                for (int i = 0; i < p.length; i++) {
                    first[i] = 0.9 * first[i] + 0.1 * g[i];
                    second[i] = 0.999 * second[i] + 0.001 * g[i] * g[i];
                    p[i] -= stepSize * first[i] / (Math.sqrt(second[i]) / correction2Sqrt + 1e-8);
                }
            }
        }
    }
}
