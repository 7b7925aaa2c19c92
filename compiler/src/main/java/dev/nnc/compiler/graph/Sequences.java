package dev.nnc.compiler.graph;

import dev.nnc.compiler.semantic.Term.Recurrent.Cell;

/**
 * The double reference loops of {@link SequenceOp}: the recurrence of a cell step by step and
 * backpropagation through it, written as plainly as the equations, against which the derivative
 * rules and the generated code are checked. Arrays are row-major: {@code p [T][G H]}, {@code w
 * [G H][H]}, the trace {@code [K][T][H]}, the result of {@link #backward} {@code [2][T][G H]}.
 */
final class Sequences {
    private Sequences() {}

    static double[] forward(Cell cell, int steps, int units, double[] p, double[] w, double[] b) {
        int rows = cell.gates() * units;
        double[] trace = new double[SequenceOp.traced(cell) * steps * units];
        double[] h = new double[units];
        double[] c = new double[units];
        double[] q = new double[rows];
        for (int t = 0; t < steps; t++) {
            for (int g = 0; g < rows; g++) {
                double sum = b[g];
                for (int j = 0; j < units; j++) {
                    sum += w[g * units + j] * h[j];
                }
                q[g] = sum;
            }
            int at = t * rows;
            for (int j = 0; j < units; j++) {
                switch (cell) {
                    case RNN_TANH -> h[j] = Math.tanh(p[at + j] + q[j]);
                    case RNN_RELU -> h[j] = Math.max(p[at + j] + q[j], 0);
                    case GRU -> {
                        double r = StableMath.sigmoid(p[at + j] + q[j]);
                        double z = StableMath.sigmoid(p[at + units + j] + q[units + j]);
                        double qn = q[2 * units + j];
                        double n = Math.tanh(p[at + 2 * units + j] + r * qn);
                        h[j] = (1 - z) * n + z * h[j];
                        put(trace, 1, t, j, steps, units, r);
                        put(trace, 2, t, j, steps, units, z);
                        put(trace, 3, t, j, steps, units, n);
                        put(trace, 4, t, j, steps, units, qn);
                    }
                    case LSTM -> {
                        double i = StableMath.sigmoid(p[at + j] + q[j]);
                        double f = StableMath.sigmoid(p[at + units + j] + q[units + j]);
                        double g = Math.tanh(p[at + 2 * units + j] + q[2 * units + j]);
                        double o = StableMath.sigmoid(p[at + 3 * units + j] + q[3 * units + j]);
                        c[j] = f * c[j] + i * g;
                        double tc = Math.tanh(c[j]);
                        h[j] = o * tc;
                        put(trace, 1, t, j, steps, units, c[j]);
                        put(trace, 2, t, j, steps, units, i);
                        put(trace, 3, t, j, steps, units, f);
                        put(trace, 4, t, j, steps, units, g);
                        put(trace, 5, t, j, steps, units, o);
                        put(trace, 6, t, j, steps, units, tc);
                    }
                }
                put(trace, 0, t, j, steps, units, h[j]);
            }
        }
        return trace;
    }

    /**
     * Backward through time from {@code adjoint}, the adjoint of the whole trace: block 0 is the
     * states', the others (gates, cell states) enter where their values were made.
     */
    static double[] backward(Cell cell, int steps, int units, double[] adjoint, double[] trace, double[] w) {
        int rows = cell.gates() * units;
        double[] grads = new double[2 * steps * rows];
        double[] carried = new double[units];
        double[] dcNext = new double[units];
        for (int t = steps - 1; t >= 0; t--) {
            int dp = t * rows;
            int dq = (steps + t) * rows;
            double[] direct = new double[units];
            double[] dqn = new double[units];
            for (int j = 0; j < units; j++) {
                double d = get(adjoint, 0, t, j, steps, units) + carried[j];
                double h = get(trace, 0, t, j, steps, units);
                double before = t == 0 ? 0 : get(trace, 0, t - 1, j, steps, units);
                switch (cell) {
                    case RNN_TANH -> grads[dp + j] = d * (1 - h * h);
                    case RNN_RELU -> grads[dp + j] = h > 0 ? d : 0;
                    case GRU -> {
                        double r = get(trace, 1, t, j, steps, units);
                        double z = get(trace, 2, t, j, steps, units);
                        double n = get(trace, 3, t, j, steps, units);
                        double qn = get(trace, 4, t, j, steps, units);
                        double dn = (d * (1 - z) + get(adjoint, 3, t, j, steps, units)) * (1 - n * n);
                        grads[dp + j] = (dn * qn + get(adjoint, 1, t, j, steps, units)) * r * (1 - r);
                        grads[dp + units + j] = (d * (before - n) + get(adjoint, 2, t, j, steps, units)) * z * (1 - z);
                        grads[dp + 2 * units + j] = dn;
                        direct[j] = d * z;
                        dqn[j] = dn * r + get(adjoint, 4, t, j, steps, units);
                    }
                    case LSTM -> {
                        double cBefore = t == 0 ? 0 : get(trace, 1, t - 1, j, steps, units);
                        double i = get(trace, 2, t, j, steps, units);
                        double f = get(trace, 3, t, j, steps, units);
                        double g = get(trace, 4, t, j, steps, units);
                        double o = get(trace, 5, t, j, steps, units);
                        double tc = get(trace, 6, t, j, steps, units);
                        double dtc = d * o + get(adjoint, 6, t, j, steps, units);
                        double dc = dcNext[j] + get(adjoint, 1, t, j, steps, units) + dtc * (1 - tc * tc);
                        grads[dp + j] = (dc * g + get(adjoint, 2, t, j, steps, units)) * i * (1 - i);
                        grads[dp + units + j] = (dc * cBefore + get(adjoint, 3, t, j, steps, units)) * f * (1 - f);
                        grads[dp + 2 * units + j] = (dc * i + get(adjoint, 4, t, j, steps, units)) * (1 - g * g);
                        grads[dp + 3 * units + j] = (d * tc + get(adjoint, 5, t, j, steps, units)) * o * (1 - o);
                        dcNext[j] = dc * f;
                    }
                }
            }
            for (int g = 0; g < rows; g++) {
                grads[dq + g] = grads[dp + g];
            }
            if (cell == Cell.GRU) {
                System.arraycopy(dqn, 0, grads, dq + 2 * units, units);
            }
            for (int j = 0; j < units; j++) {
                double sum = direct[j];
                for (int g = 0; g < rows; g++) {
                    sum += w[g * units + j] * grads[dq + g];
                }
                carried[j] = sum;
            }
        }
        return grads;
    }

    private static void put(double[] trace, int block, int t, int j, int steps, int units, double value) {
        trace[(block * steps + t) * units + j] = value;
    }

    private static double get(double[] trace, int block, int t, int j, int steps, int units) {
        return trace[(block * steps + t) * units + j];
    }
}
