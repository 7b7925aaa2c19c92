package dev.nnc.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * A hand-written linear model {@code out = W x + b} with plain SGD, standing in for a generated
 * network in tests. The loss is either half the squared error or softmax cross-entropy from
 * logits, averaged over the batch. Allocates nothing after construction.
 */
class LinearTestNetwork implements TrainableNetwork {

    enum Loss {
        HALF_SQUARED_ERROR,
        SOFTMAX_CROSS_ENTROPY
    }

    private final int in;
    private final int out;
    private final Loss lossKind;
    private final double learningRate;
    private final boolean wrongGradient;
    private final double[] parameters;
    private final double[] grad;
    private final double[] scratch;
    private long step;

    LinearTestNetwork(int in, int out, Loss loss, double learningRate, long seed) {
        this(in, out, loss, learningRate, false, seed);
    }

    /** With {@code wrongGradient}, the gradient of the first weight is 1% too large. */
    LinearTestNetwork(int in, int out, Loss loss, double learningRate, boolean wrongGradient, long seed) {
        this.in = in;
        this.out = out;
        this.lossKind = loss;
        this.learningRate = learningRate;
        this.wrongGradient = wrongGradient;
        this.parameters = new double[out * in + out];
        this.grad = new double[parameters.length];
        this.scratch = new double[out];
        Initializers.glorotUniform(parameters, 0, out * in, in, out, new SeededRandom(seed));
    }

    @Override
    public String name() {
        return "Linear";
    }

    @Override
    public int inputSize() {
        return in;
    }

    @Override
    public int outputSize() {
        return out;
    }

    @Override
    public int targetSize() {
        return out;
    }

    @Override
    public int parameterCount() {
        return parameters.length;
    }

    @Override
    public List<String> parameterNames() {
        return List.of("linear.weight", "linear.bias");
    }

    @Override
    public List<int[]> parameterShapes() {
        return List.of(new int[] {out, in}, new int[] {out});
    }

    @Override
    public void predict(double[] x, double[] result) {
        checkLength("x", x.length, in);
        checkLength("out", result.length, out);
        forward(x, 0, result, 0);
    }

    @Override
    public void predict(double[] xs, int n, double[] outs) {
        checkBatch(xs, n, in);
        checkBatch(outs, n, out);
        for (int s = 0; s < n; s++) {
            forward(xs, s * in, outs, s * out);
        }
    }

    @Override
    public double loss(double[] xs, double[] ys, int n) {
        checkBatch(xs, n, in);
        checkBatch(ys, n, out);
        double sum = 0;
        for (int s = 0; s < n; s++) {
            forward(xs, s * in, scratch, 0);
            sum += sampleLoss(ys, s * out, false);
        }
        return sum / n;
    }

    @Override
    public double gradient(double[] xs, double[] ys, int n, double[] g) {
        checkBatch(xs, n, in);
        checkBatch(ys, n, out);
        checkLength("grad", g.length, parameters.length);
        java.util.Arrays.fill(g, 0.0);
        double sum = 0;
        for (int s = 0; s < n; s++) {
            forward(xs, s * in, scratch, 0);
            // sampleLoss turns scratch into d(loss)/d(out) for this sample.
            sum += sampleLoss(ys, s * out, true);
            for (int o = 0; o < out; o++) {
                double d = scratch[o] / n;
                for (int i = 0; i < in; i++) {
                    g[o * in + i] += d * xs[s * in + i];
                }
                g[out * in + o] += d;
            }
        }
        if (wrongGradient) {
            g[0] *= 1.01;
        }
        return sum / n;
    }

    @Override
    public double trainStep(double[] xs, double[] ys, int n) {
        double loss = gradient(xs, ys, n, grad);
        applyGradient(grad);
        return loss;
    }

    @Override
    public double trainingGradient(double[] xs, double[] ys, int n, double[] g) {
        return gradient(xs, ys, n, g);
    }

    @Override
    public void applyGradient(double[] g) {
        checkLength("grad", g.length, parameters.length);
        for (int p = 0; p < parameters.length; p++) {
            parameters[p] -= learningRate * g[p];
        }
        step++;
    }

    /** The number of updates applied. */
    long step() {
        return step;
    }

    private CheckpointFile.Layout layout() {
        return CheckpointFile.Layout.of(
                name(), "sgd", parameterNames(), parameterShapes(), List.of(), List.of(), List.of(), false);
    }

    @Override
    public void saveCheckpoint(OutputStream stream) throws IOException {
        CheckpointFile.write(stream, layout(), parameters, step, null);
    }

    @Override
    public void restoreCheckpoint(InputStream stream) throws IOException {
        CheckpointFile.Contents contents = CheckpointFile.read(stream, layout());
        setParameters(contents.values());
        step = contents.step();
    }

    @Override
    public List<String> bufferNames() {
        return List.of();
    }

    @Override
    public void getParameters(double[] dst) {
        checkLength("dst", dst.length, parameters.length);
        System.arraycopy(parameters, 0, dst, 0, parameters.length);
    }

    @Override
    public void setParameters(double[] src) {
        checkLength("src", src.length, parameters.length);
        System.arraycopy(src, 0, parameters, 0, parameters.length);
    }

    @Override
    public void save(OutputStream stream) throws IOException {
        ParameterFile.write(stream, name(), parameterNames(), parameterShapes(), parameters);
    }

    @Override
    public LinearTestNetwork copy() {
        LinearTestNetwork copy = new LinearTestNetwork(in, out, lossKind, learningRate, wrongGradient, 0);
        copy.setParameters(parameters);
        return copy;
    }

    private void forward(double[] xs, int xOffset, double[] result, int offset) {
        for (int o = 0; o < out; o++) {
            double sum = parameters[out * in + o];
            for (int i = 0; i < in; i++) {
                sum += parameters[o * in + i] * xs[xOffset + i];
            }
            result[offset + o] = sum;
        }
    }

    /** The loss of the sample whose outputs are in {@code scratch}; optionally leaves its gradient there. */
    private double sampleLoss(double[] ys, int yOffset, boolean leaveGradient) {
        double loss = 0;
        if (lossKind == Loss.HALF_SQUARED_ERROR) {
            for (int o = 0; o < out; o++) {
                double d = scratch[o] - ys[yOffset + o];
                loss += 0.5 * d * d;
                scratch[o] = d;
            }
            return loss;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int o = 0; o < out; o++) {
            max = Math.max(max, scratch[o]);
        }
        double sum = 0;
        for (int o = 0; o < out; o++) {
            sum += Math.exp(scratch[o] - max);
        }
        double logSum = max + Math.log(sum);
        for (int o = 0; o < out; o++) {
            loss -= ys[yOffset + o] * (scratch[o] - logSum);
            if (leaveGradient) {
                scratch[o] = Math.exp(scratch[o] - logSum) - ys[yOffset + o];
            }
        }
        return loss;
    }

    private static void checkLength(String what, int actual, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(what + " must have length " + expected + ", found " + actual);
        }
    }

    private static void checkBatch(double[] array, int n, int width) {
        if (n < 1 || array.length < n * width) {
            throw new IllegalArgumentException(
                    "expected n >= 1 and at least " + n + " * " + width + " values, found " + array.length);
        }
    }
}
