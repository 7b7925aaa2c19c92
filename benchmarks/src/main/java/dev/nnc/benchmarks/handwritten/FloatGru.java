package dev.nnc.benchmarks.handwritten;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A hand-written GRU regressor in single precision (the loss is summed in double): a sequence of
 * {@code steps} rows of {@code features} through one GRU layer of {@code units}, its last state
 * through a dense layer to one output, trained on the mean squared error with Adam (PyTorch's
 * update). R1 and I4 of the suite, written the way a careful engineer would.
 *
 * <p>The equations are PyTorch's ({@code torch.nn.GRU}, zero initial state), gates in its order
 * r, z, n: {@code r = σ(W_ir x + b_ir + W_hr h + b_hr)}, {@code z = σ(W_iz x + b_iz + W_hz h +
 * b_hz)}, {@code n = tanh(W_in x + b_in + r * (W_hn h + b_hn))}, {@code h' = (1 - z) * n + z * h}.
 *
 * <p>How the work is laid out:
 *
 * <ul>
 *   <li>The input projection of every step of every sample is one product before the
 *       recurrence: the inputs as {@code T*n} rows of {@code F} times {@code W_ih^T [F][3H]}, into
 *       rows of {@code 3H} that start from the bias {@code b_ih} (plus {@code b_hh} for r and z,
 *       which enter the same sum; {@code b_hn} stays inside the product with r).
 *   <li>Each step is one product for the three gates of the hidden side, {@code h [n][H] x W_hh^T
 *       [H][3H]}, as PyTorch and cuDNN do, followed by one elementwise pass that applies the
 *       gates. Step 0 skips the product: its state is zero.
 *   <li>The forward pass keeps what the backward pass needs: the gate values r, z, n (written
 *       over the input projection, which is dead once its step ran), {@code W_hn h + b_hn}, and
 *       every state. Backpropagation through time then needs no recomputation; the gradients of
 *       the gates' pre-activations are written over the gate values in turn.
 *   <li>Per step backwards: the hidden-state gradient is one product with {@code W_hh [3H][H]}
 *       (a copy of the weight in PyTorch's layout, refreshed after each update, so that product
 *       too runs along rows), and the gradient of {@code W_hh} accumulates the step's outer
 *       products while its rows are in cache. The gradient of {@code W_ih} is one product over
 *       all steps at the end.
 *   <li>Products are i-k-j over arrays of rows, the reduction index unrolled by four (see {@link
 *       FloatGemm} for why rows); the row offsets select a step's rows, the inner loops have
 *       none. Sigmoid and tanh are computed from one {@code Math.exp} each ({@code tanh a = 1 -
 *       2 / (e^{2a} + 1)} in double, exact at both ends): with {@code Math.tanh}, which JDK 17
 *       does not compile to an intrinsic as it does {@code Math.exp}, R1's step took 1.4 times as
 *       long (measured on this machine). The exponentials remain about 40% of a step.
 *   <li>All buffers are allocated once: a step and a prediction allocate nothing.
 * </ul>
 *
 * <p>Parameters are exchanged in the generated classes' flat layout, PyTorch's: {@code
 * weight_ih [3H, F]}, {@code weight_hh [3H, H]}, {@code bias_ih [3H]}, {@code bias_hh [3H]},
 * then the dense layer's {@code weight [1, H]} and {@code bias [1]}.
 */
public final class FloatGru {
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final int steps;
    private final int features;
    private final int units;
    private final int gates;
    private final int maxBatch;
    private final float lr;

    /** {@code [F][3H]}: transposed, so the input projection runs along gate rows. */
    private final float[][] weightIhT;
    /** {@code [H][3H]}: transposed, so the hidden product runs along gate rows. */
    private final float[][] weightHhT;
    /** {@code [3H][H]}: PyTorch's layout, a copy for the backward product into the state gradient. */
    private final float[][] weightHh;

    private final float[] biasIh;
    private final float[] biasHh;
    private final float[] weightOut;
    private final float[] biasOut;

    private final float[][] gradWeightIhT;
    private final float[][] gradWeightHhT;
    private final float[] gradBiasIh;
    private final float[] gradBiasHh;
    private final float[] gradWeightOut;
    private final float[] gradBiasOut;

    /** Every parameter row, its gradient row and Adam's two moments, for the update. */
    private final float[][] parameterRows;

    private final float[][] gradientRows;
    private final float[][] moment1Rows;
    private final float[][] moment2Rows;

    /** {@code b_ih + b_hh} for r and z, {@code b_in} for n: where each step's input projection starts. */
    private final float[] projectionBias;
    /** {@code [0, 0, b_hn]}: where each step's hidden product starts. */
    private final float[] hiddenBias;

    /** {@code [T*n][F]}, row {@code t*n + s}: step t of sample s. */
    private final float[][] inputs;
    /**
     * {@code [T*n][3H]}: the input projection, then (from its step on) the gate values r, z, n,
     * then (from the backward pass of its step on) the gradients of the gates' pre-activations.
     */
    private final float[][] gateRows;
    /** {@code [T*n][H]}: {@code W_hn h + b_hn} of each step, which the gradient of r needs. */
    private final float[][] hiddenN;
    /** {@code [T*n][H]}: the state after each step. */
    private final float[][] states;
    /** The state before step 0. */
    private final float[] zeroState;
    /** {@code [n][3H]}: the current step's hidden product, then its pre-activation gradients on the hidden side. */
    private final float[][] hiddenRows;

    private final float[] outputs;
    private final float[] outputGradients;
    /** {@code [n][H]}: the gradient with respect to the state after the current step, and before it. */
    private float[][] stateGradient;

    private float[][] previousStateGradient;

    private long step;

    /**
     * @param steps, features the shape {@code [T, F]} of one sample, flat row-major
     * @param units the GRU's state size
     * @param maxBatch the largest batch {@link #trainStep} and {@link #gradient} will be given
     * @param lr Adam's learning rate (betas 0.9 and 0.999, eps 1e-8)
     */
    public FloatGru(int steps, int features, int units, int maxBatch, float lr) {
        this.steps = steps;
        this.features = features;
        this.units = units;
        this.gates = 3 * units;
        this.maxBatch = maxBatch;
        this.lr = lr;
        weightIhT = new float[features][gates];
        weightHhT = new float[units][gates];
        weightHh = new float[gates][units];
        biasIh = new float[gates];
        biasHh = new float[gates];
        weightOut = new float[units];
        biasOut = new float[1];
        gradWeightIhT = new float[features][gates];
        gradWeightHhT = new float[units][gates];
        gradBiasIh = new float[gates];
        gradBiasHh = new float[gates];
        gradWeightOut = new float[units];
        gradBiasOut = new float[1];
        int rows = features + units + 4;
        parameterRows = new float[rows][];
        gradientRows = new float[rows][];
        int r = 0;
        for (int f = 0; f < features; f++, r++) {
            parameterRows[r] = weightIhT[f];
            gradientRows[r] = gradWeightIhT[f];
        }
        for (int k = 0; k < units; k++, r++) {
            parameterRows[r] = weightHhT[k];
            gradientRows[r] = gradWeightHhT[k];
        }
        parameterRows[r] = biasIh;
        gradientRows[r++] = gradBiasIh;
        parameterRows[r] = biasHh;
        gradientRows[r++] = gradBiasHh;
        parameterRows[r] = weightOut;
        gradientRows[r++] = gradWeightOut;
        parameterRows[r] = biasOut;
        gradientRows[r] = gradBiasOut;
        moment1Rows = new float[rows][];
        moment2Rows = new float[rows][];
        for (r = 0; r < rows; r++) {
            moment1Rows[r] = new float[parameterRows[r].length];
            moment2Rows[r] = new float[parameterRows[r].length];
        }
        projectionBias = new float[gates];
        hiddenBias = new float[gates];
        inputs = new float[steps * maxBatch][features];
        gateRows = new float[steps * maxBatch][gates];
        hiddenN = new float[steps * maxBatch][units];
        states = new float[steps * maxBatch][units];
        zeroState = new float[units];
        hiddenRows = new float[maxBatch][gates];
        outputs = new float[maxBatch];
        outputGradients = new float[maxBatch];
        stateGradient = new float[maxBatch][units];
        previousStateGradient = new float[maxBatch][units];
    }

    /** Parameters in the flat layout. */
    public int parameterCount() {
        return gates * (features + units + 2) + units + 1;
    }

    /**
     * PyTorch's default initialisation, every parameter uniform in {@code [-1/sqrt(H),
     * 1/sqrt(H)]} (the GRU's and, with fan-in H, the dense layer's), drawn from {@code seed}.
     */
    public void initialise(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double limit = 1.0 / Math.sqrt(units);
        float[] flat = new float[parameterCount()];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) random.nextDouble(-limit, limit);
        }
        setParameters(flat);
    }

    /** Sets the parameters from the flat layout; Adam's state is kept. */
    public void setParameters(float[] src) {
        exchange(src, true);
        FloatGemm.transpose(weightHhT, weightHh);
    }

    /** Copies the parameters out in the flat layout. */
    public void getParameters(float[] dst) {
        exchange(dst, false);
    }

    /** Forward, backward and Adam update on {@code n} samples; returns the mean squared error before the update. */
    public double trainStep(float[] xs, float[] ys, int n) {
        double loss = lossAndGradient(xs, ys, n);
        update();
        return loss;
    }

    /** The mean squared error of {@code n} samples; {@code grad} receives its gradient in the flat layout. */
    public double gradient(float[] xs, float[] ys, int n, float[] grad) {
        double loss = lossAndGradient(xs, ys, n);
        int offset = 0;
        for (int g = 0; g < gates; g++) {
            for (int f = 0; f < features; f++) {
                grad[offset++] = gradWeightIhT[f][g];
            }
        }
        for (int g = 0; g < gates; g++) {
            for (int k = 0; k < units; k++) {
                grad[offset++] = gradWeightHhT[k][g];
            }
        }
        for (float[] row : new float[][] {gradBiasIh, gradBiasHh, gradWeightOut, gradBiasOut}) {
            System.arraycopy(row, 0, grad, offset, row.length);
            offset += row.length;
        }
        return loss;
    }

    /** Predicts one sample ({@code [T, F]}, flat); the output goes to {@code out[0]}. */
    public void predict(float[] x, float[] out) {
        forward(x, 1);
        out[0] = outputs[0];
    }

    private double lossAndGradient(float[] xs, float[] ys, int n) {
        if (n < 1 || n > maxBatch) {
            throw new IllegalArgumentException("batch " + n + " outside 1.." + maxBatch);
        }
        forward(xs, n);
        double sum = 0.0;
        float scale = 2.0f / n;
        for (int s = 0; s < n; s++) {
            float error = outputs[s] - ys[s];
            sum += (double) error * error;
            outputGradients[s] = scale * error;
        }
        backward(n);
        return sum / n;
    }

    /** Leaves every step's gates and states, and each sample's output in {@link #outputs}. */
    private void forward(float[] xs, int n) {
        int stride = steps * features;
        for (int s = 0; s < n; s++) {
            for (int t = 0; t < steps; t++) {
                System.arraycopy(xs, s * stride + t * features, inputs[t * n + s], 0, features);
            }
        }
        for (int g = 0; g < 2 * units; g++) {
            projectionBias[g] = biasIh[g] + biasHh[g];
        }
        System.arraycopy(biasIh, 2 * units, projectionBias, 2 * units, units);
        System.arraycopy(biasHh, 2 * units, hiddenBias, 2 * units, units);
        int rows = steps * n;
        for (int i = 0; i < rows; i++) {
            System.arraycopy(projectionBias, 0, gateRows[i], 0, gates);
        }
        multiplyAdd(inputs, 0, rows, features, weightIhT, gates, gateRows, 0);
        for (int t = 0; t < steps; t++) {
            for (int s = 0; s < n; s++) {
                System.arraycopy(hiddenBias, 0, hiddenRows[s], 0, gates);
            }
            if (t > 0) {
                multiplyAdd(states, (t - 1) * n, n, units, weightHhT, gates, hiddenRows, 0);
            }
            for (int s = 0; s < n; s++) {
                float[] previous = t > 0 ? states[(t - 1) * n + s] : zeroState;
                int row = t * n + s;
                cell(gateRows[row], hiddenRows[s], previous, hiddenN[row], states[row]);
            }
        }
        float bias = biasOut[0];
        for (int s = 0; s < n; s++) {
            float[] last = states[(steps - 1) * n + s];
            float sum = bias;
            for (int k = 0; k < units; k++) {
                sum += weightOut[k] * last[k];
            }
            outputs[s] = sum;
        }
    }

    /**
     * One sample's step: from the input projection {@code gate} and the hidden product {@code
     * hidden} (both with their biases), the new state; {@code gate} is overwritten with r, z, n
     * and {@code hn} receives {@code W_hn h + b_hn}.
     */
    private void cell(float[] gate, float[] hidden, float[] previous, float[] hn, float[] state) {
        int h = units;
        for (int k = 0; k < h; k++) {
            float r = sigmoid(gate[k] + hidden[k]);
            float z = sigmoid(gate[h + k] + hidden[h + k]);
            float candidateHidden = hidden[2 * h + k];
            float candidate = tanh(gate[2 * h + k] + r * candidateHidden);
            gate[k] = r;
            gate[h + k] = z;
            gate[2 * h + k] = candidate;
            hn[k] = candidateHidden;
            state[k] = (1.0f - z) * candidate + z * previous[k];
        }
    }

    private void backward(int n) {
        int last = (steps - 1) * n;
        float biasGradient = 0.0f;
        Arrays.fill(gradWeightOut, 0.0f);
        for (int s = 0; s < n; s++) {
            float dy = outputGradients[s];
            float[] state = states[last + s];
            float[] dh = stateGradient[s];
            for (int k = 0; k < units; k++) {
                gradWeightOut[k] += dy * state[k];
                dh[k] = dy * weightOut[k];
            }
            biasGradient += dy;
        }
        gradBiasOut[0] = biasGradient;
        for (float[] row : gradWeightHhT) {
            Arrays.fill(row, 0.0f);
        }
        Arrays.fill(gradBiasHh, 0.0f);
        for (int t = steps - 1; t >= 0; t--) {
            for (int s = 0; s < n; s++) {
                float[] previous = t > 0 ? states[(t - 1) * n + s] : zeroState;
                int row = t * n + s;
                cellBackward(
                        gateRows[row],
                        hiddenN[row],
                        previous,
                        stateGradient[s],
                        hiddenRows[s],
                        previousStateGradient[s]);
            }
            for (int s = 0; s < n; s++) {
                float[] hidden = hiddenRows[s];
                for (int g = 0; g < gates; g++) {
                    gradBiasHh[g] += hidden[g];
                }
            }
            if (t > 0) {
                multiplyAdd(hiddenRows, 0, n, gates, weightHh, units, previousStateGradient, 0);
                multiplyTransposedAdd(states, (t - 1) * n, n, units, hiddenRows, 0, gates, gradWeightHhT);
            }
            float[][] swap = stateGradient;
            stateGradient = previousStateGradient;
            previousStateGradient = swap;
        }
        int rows = steps * n;
        for (float[] row : gradWeightIhT) {
            Arrays.fill(row, 0.0f);
        }
        multiplyTransposedAdd(inputs, 0, rows, features, gateRows, 0, gates, gradWeightIhT);
        Arrays.fill(gradBiasIh, 0.0f);
        for (int i = 0; i < rows; i++) {
            float[] gate = gateRows[i];
            for (int g = 0; g < gates; g++) {
                gradBiasIh[g] += gate[g];
            }
        }
    }

    /**
     * One sample's step backwards. From the gate values in {@code gate}, the state gradient
     * {@code dh}: the pre-activation gradients of the input side go over the gate values, those of
     * the hidden side (r's and z's the same, n's times r) to {@code dHidden}, and the part of the
     * previous state's gradient that bypasses the product, {@code dh * z}, to {@code dPrevious}.
     */
    private void cellBackward(
            float[] gate, float[] hn, float[] previous, float[] dh, float[] dHidden, float[] dPrevious) {
        int h = units;
        for (int k = 0; k < h; k++) {
            float r = gate[k];
            float z = gate[h + k];
            float candidate = gate[2 * h + k];
            float d = dh[k];
            float dCandidate = d * (1.0f - z) * (1.0f - candidate * candidate);
            float dz = d * (previous[k] - candidate) * z * (1.0f - z);
            float dr = dCandidate * hn[k] * r * (1.0f - r);
            gate[k] = dr;
            gate[h + k] = dz;
            gate[2 * h + k] = dCandidate;
            dHidden[k] = dr;
            dHidden[h + k] = dz;
            dHidden[2 * h + k] = dCandidate * r;
            dPrevious[k] = d * z;
        }
    }

    private static float sigmoid(float a) {
        return (float) (1.0 / (1.0 + Math.exp(-a)));
    }

    private static float tanh(float a) {
        return (float) (1.0 - 2.0 / (Math.exp(2.0 * a) + 1.0));
    }

    /**
     * {@code c[cFrom + i] += sum over p of a[aFrom + i][p] * b[p]} for {@code i < m}: {@code C +=
     * A B} on a block of rows.
     */
    private static void multiplyAdd(float[][] a, int aFrom, int m, int k, float[][] b, int n, float[][] c, int cFrom) {
        for (int i = 0; i < m; i++) {
            float[] ai = a[aFrom + i];
            float[] ci = c[cFrom + i];
            int p = 0;
            for (; p + 3 < k; p += 4) {
                float a0 = ai[p];
                float a1 = ai[p + 1];
                float a2 = ai[p + 2];
                float a3 = ai[p + 3];
                float[] b0 = b[p];
                float[] b1 = b[p + 1];
                float[] b2 = b[p + 2];
                float[] b3 = b[p + 3];
                for (int j = 0; j < n; j++) {
                    ci[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
                }
            }
            for (; p < k; p++) {
                float ap = ai[p];
                float[] bp = b[p];
                for (int j = 0; j < n; j++) {
                    ci[j] += ap * bp[j];
                }
            }
        }
    }

    /**
     * {@code c[i] += sum over p < k of a[aFrom + p][i] * b[bFrom + p]} for {@code i < m}: {@code
     * C += A^T B} on blocks of rows, a weight gradient summed over samples (and steps).
     */
    private static void multiplyTransposedAdd(
            float[][] a, int aFrom, int k, int m, float[][] b, int bFrom, int n, float[][] c) {
        for (int i = 0; i < m; i++) {
            float[] ci = c[i];
            int p = 0;
            for (; p + 3 < k; p += 4) {
                float a0 = a[aFrom + p][i];
                float a1 = a[aFrom + p + 1][i];
                float a2 = a[aFrom + p + 2][i];
                float a3 = a[aFrom + p + 3][i];
                float[] b0 = b[bFrom + p];
                float[] b1 = b[bFrom + p + 1];
                float[] b2 = b[bFrom + p + 2];
                float[] b3 = b[bFrom + p + 3];
                for (int j = 0; j < n; j++) {
                    ci[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
                }
            }
            for (; p < k; p++) {
                float ap = a[aFrom + p][i];
                float[] bp = b[bFrom + p];
                for (int j = 0; j < n; j++) {
                    ci[j] += ap * bp[j];
                }
            }
        }
    }

    private void update() {
        step++;
        float stepSize = (float) (lr / (1.0 - Math.pow(BETA1, step)));
        float correction2Sqrt = (float) Math.sqrt(1.0 - Math.pow(BETA2, step));
        for (int r = 0; r < parameterRows.length; r++) {
            adam(parameterRows[r], gradientRows[r], moment1Rows[r], moment2Rows[r], stepSize, correction2Sqrt);
        }
        FloatGemm.transpose(weightHhT, weightHh);
    }

    /** PyTorch's Adam with its defaults (0.9, 0.999, 1e-8): eps is added after the bias correction. */
    private static void adam(float[] p, float[] g, float[] m, float[] v, float stepSize, float correction2Sqrt) {
        for (int i = 0; i < p.length; i++) {
            m[i] = BETA1 * m[i] + (1.0f - BETA1) * g[i];
            v[i] = BETA2 * v[i] + (1.0f - BETA2) * g[i] * g[i];
            p[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) / correction2Sqrt + EPSILON);
        }
    }

    /** Copies between the flat layout and the parameter arrays, in the direction {@code in} says. */
    private void exchange(float[] flat, boolean in) {
        if (flat.length != parameterCount()) {
            throw new IllegalArgumentException("expected " + parameterCount() + " parameters, got " + flat.length);
        }
        int offset = 0;
        offset = exchangeTransposed(flat, offset, weightIhT, features, in);
        offset = exchangeTransposed(flat, offset, weightHhT, units, in);
        for (float[] row : new float[][] {biasIh, biasHh, weightOut, biasOut}) {
            if (in) {
                System.arraycopy(flat, offset, row, 0, row.length);
            } else {
                System.arraycopy(row, 0, flat, offset, row.length);
            }
            offset += row.length;
        }
    }

    /** A {@code [3H][columns]} weight, row-major at {@code offset}, against its transposed copy. */
    private int exchangeTransposed(float[] flat, int offset, float[][] transposed, int columns, boolean in) {
        for (int g = 0; g < gates; g++) {
            for (int c = 0; c < columns; c++) {
                if (in) {
                    transposed[c][g] = flat[offset + g * columns + c];
                } else {
                    flat[offset + g * columns + c] = transposed[c][g];
                }
            }
        }
        return offset + gates * columns;
    }
}
