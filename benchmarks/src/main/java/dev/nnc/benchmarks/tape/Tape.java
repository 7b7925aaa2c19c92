package dev.nnc.benchmarks.tape;

import java.util.ArrayList;
import java.util.List;

/**
 * A small tensor-level reverse-mode AD: each operation computes its value into a newly allocated
 * {@link Tensor} and records a pullback closure on the tape; {@link #backward} runs the closures
 * in reverse order, each adding its contribution to its inputs' gradients.
 *
 * <p>This is the design of the typical JVM AD library (and of PyTorch's autograd, minus native
 * kernels): the cost over hand-written backprop is the allocation of every intermediate and its
 * gradient, one closure per operation, and the extra passes over memory that separate ops (no
 * fusion) make. The loops inside each op are plain and sensible (i-k-j products), so the
 * comparison measures the AD design and not a strawman.
 */
public final class Tape {
    private final List<Runnable> pullbacks = new ArrayList<>();
    private boolean recording = true;

    /** Turns recording off (prediction) or on (training); operations still allocate. */
    public void setRecording(boolean recording) {
        this.recording = recording;
    }

    private Tensor result(int rows, int cols, boolean requiresGrad) {
        return new Tensor(rows, cols, new double[rows * cols], recording && requiresGrad);
    }

    private void record(Tensor out, Runnable pullback) {
        if (out.requiresGrad()) {
            pullbacks.add(pullback);
        }
    }

    /** Seeds {@code d loss / d loss = 1}, runs every pullback in reverse, and clears the tape. */
    public void backward(Tensor loss) {
        loss.grad[0] = 1.0;
        for (int i = pullbacks.size() - 1; i >= 0; i--) {
            pullbacks.get(i).run();
        }
        pullbacks.clear();
    }

    /** {@code a[m][k] @ b[k][n]}. */
    public Tensor matmul(Tensor a, Tensor b) {
        int m = a.rows;
        int k = a.cols;
        int n = b.cols;
        Tensor c = result(m, n, a.requiresGrad() || b.requiresGrad());
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double ap = a.value[i * k + p];
                for (int j = 0; j < n; j++) {
                    c.value[i * n + j] += ap * b.value[p * n + j];
                }
            }
        }
        record(c, () -> {
            if (a.requiresGrad()) {
                // dA = dC @ B^T
                for (int i = 0; i < m; i++) {
                    for (int p = 0; p < k; p++) {
                        double sum = 0.0;
                        for (int j = 0; j < n; j++) {
                            sum += c.grad[i * n + j] * b.value[p * n + j];
                        }
                        a.grad[i * k + p] += sum;
                    }
                }
            }
            if (b.requiresGrad()) {
                // dB = A^T @ dC
                for (int i = 0; i < m; i++) {
                    for (int p = 0; p < k; p++) {
                        double ap = a.value[i * k + p];
                        for (int j = 0; j < n; j++) {
                            b.grad[p * n + j] += ap * c.grad[i * n + j];
                        }
                    }
                }
            }
        });
        return c;
    }

    /** {@code a[m][n] + bias[1][n]}, the bias broadcast over the rows. */
    public Tensor addRow(Tensor a, Tensor bias) {
        int m = a.rows;
        int n = a.cols;
        Tensor c = result(m, n, a.requiresGrad() || bias.requiresGrad());
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c.value[i * n + j] = a.value[i * n + j] + bias.value[j];
            }
        }
        record(c, () -> {
            for (int i = 0; i < m * n; i++) {
                if (a.requiresGrad()) {
                    a.grad[i] += c.grad[i];
                }
                if (bias.requiresGrad()) {
                    bias.grad[i % n] += c.grad[i];
                }
            }
        });
        return c;
    }

    public Tensor sigmoid(Tensor a) {
        Tensor c = result(a.rows, a.cols, a.requiresGrad());
        for (int i = 0; i < c.value.length; i++) {
            c.value[i] = 1.0 / (1.0 + Math.exp(-a.value[i]));
        }
        record(c, () -> {
            for (int i = 0; i < c.value.length; i++) {
                a.grad[i] += c.grad[i] * c.value[i] * (1.0 - c.value[i]);
            }
        });
        return c;
    }

    public Tensor tanh(Tensor a) {
        Tensor c = result(a.rows, a.cols, a.requiresGrad());
        for (int i = 0; i < c.value.length; i++) {
            c.value[i] = Math.tanh(a.value[i]);
        }
        record(c, () -> {
            for (int i = 0; i < c.value.length; i++) {
                a.grad[i] += c.grad[i] * (1.0 - c.value[i] * c.value[i]);
            }
        });
        return c;
    }

    public Tensor relu(Tensor a) {
        Tensor c = result(a.rows, a.cols, a.requiresGrad());
        for (int i = 0; i < c.value.length; i++) {
            c.value[i] = Math.max(a.value[i], 0.0);
        }
        record(c, () -> {
            for (int i = 0; i < c.value.length; i++) {
                a.grad[i] += a.value[i] > 0.0 ? c.grad[i] : 0.0;
            }
        });
        return c;
    }

    /** Row-wise softmax (prediction only; training uses {@link #softmaxCrossEntropy}). */
    public Tensor softmax(Tensor a) {
        Tensor c = result(a.rows, a.cols, false);
        for (int i = 0; i < a.rows; i++) {
            int row = i * a.cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < a.cols; j++) {
                max = Math.max(max, a.value[row + j]);
            }
            double sum = 0.0;
            for (int j = 0; j < a.cols; j++) {
                c.value[row + j] = Math.exp(a.value[row + j] - max);
                sum += c.value[row + j];
            }
            for (int j = 0; j < a.cols; j++) {
                c.value[row + j] /= sum;
            }
        }
        return c;
    }

    /** Mean over rows of {@code ½ Σ (p - y)²}. */
    public Tensor halfSquaredError(Tensor p, Tensor y) {
        return squaredError(p, y, 0.5);
    }

    /** Mean over rows of the mean over columns of {@code (p - y)²}. */
    public Tensor meanSquaredError(Tensor p, Tensor y) {
        return squaredError(p, y, 1.0 / p.cols);
    }

    private Tensor squaredError(Tensor p, Tensor y, double factor) {
        Tensor loss = result(1, 1, p.requiresGrad());
        double sum = 0.0;
        for (int i = 0; i < p.value.length; i++) {
            double e = p.value[i] - y.value[i];
            sum += e * e;
        }
        loss.value[0] = factor * sum / p.rows;
        record(loss, () -> {
            double scale = loss.grad[0] * 2.0 * factor / p.rows;
            for (int i = 0; i < p.value.length; i++) {
                p.grad[i] += scale * (p.value[i] - y.value[i]);
            }
        });
        return loss;
    }

    /** Mean binary cross-entropy of {@code sigmoid(z)} against {@code y}, from the logits. */
    public Tensor binaryCrossEntropyWithLogits(Tensor z, Tensor y) {
        Tensor loss = result(1, 1, z.requiresGrad());
        double sum = 0.0;
        for (int i = 0; i < z.value.length; i++) {
            double v = z.value[i];
            sum += Math.max(v, 0.0) - v * y.value[i] + Math.log1p(Math.exp(-Math.abs(v)));
        }
        loss.value[0] = sum / z.rows;
        record(loss, () -> {
            double scale = loss.grad[0] / z.rows;
            for (int i = 0; i < z.value.length; i++) {
                z.grad[i] += scale * (1.0 / (1.0 + Math.exp(-z.value[i])) - y.value[i]);
            }
        });
        return loss;
    }

    /** Mean cross-entropy of {@code softmax(z)} (row-wise) against {@code y}, from the logits. */
    public Tensor softmaxCrossEntropy(Tensor z, Tensor y) {
        Tensor loss = result(1, 1, z.requiresGrad());
        Tensor probabilities = softmax(z);
        double sum = 0.0;
        for (int i = 0; i < z.rows; i++) {
            int row = i * z.cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < z.cols; j++) {
                max = Math.max(max, z.value[row + j]);
            }
            double total = 0.0;
            for (int j = 0; j < z.cols; j++) {
                total += Math.exp(z.value[row + j] - max);
            }
            double logSum = max + Math.log(total);
            for (int j = 0; j < z.cols; j++) {
                sum += y.value[row + j] * (logSum - z.value[row + j]);
            }
        }
        loss.value[0] = sum / z.rows;
        record(loss, () -> {
            double scale = loss.grad[0] / z.rows;
            for (int i = 0; i < z.value.length; i++) {
                z.grad[i] += scale * (probabilities.value[i] - y.value[i]);
            }
        });
        return loss;
    }
}
