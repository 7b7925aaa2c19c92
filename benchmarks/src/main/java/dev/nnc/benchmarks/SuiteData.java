package dev.nnc.benchmarks;

import java.util.Arrays;

/**
 * Seeded, reproducible benchmark data: a pool of {@link #POOL} batches per problem that every
 * implementation cycles through in the same order.
 *
 * <p>A pool rather than one batch keeps the inputs from sitting in the same cache lines
 * forever, as they would not in real training; it is small enough (3.2 MB for N5 in float) that
 * generating it costs nothing in the measurement. The random stream is counter-based SplitMix64
 * so that the Python suite computes the same numbers with a few vectorised numpy operations.
 */
public final class SuiteData {
    /** Batches per problem in the pool. */
    public static final int POOL = 16;

    private static final long GAMMA = 0x9E3779B97F4A7C15L;
    private static final double DOUBLE_UNIT = 0x1.0p-53;

    private final Problem problem;
    private final double[][] inputs;
    private final double[][] targets;
    private final float[][] floatInputs;
    private final float[][] floatTargets;

    private SuiteData(Problem problem) {
        this.problem = problem;
        int batch = problem.batch();
        int inputCount = POOL * batch * problem.inputSize();
        int targetCount = POOL * batch * problem.targetSize();
        double[] x = new double[inputCount];
        double[] y = new double[targetCount];
        switch (problem.kind()) {
            case UNIT_REGRESSION -> {
                fillUniform(x, problem.seed(), -1.0, 1.0);
                fillUniform(y, problem.seed() + 1, 0.0, 1.0);
            }
            case SIGNED_REGRESSION -> {
                fillUniform(x, problem.seed(), -1.0, 1.0);
                fillUniform(y, problem.seed() + 1, -1.0, 1.0);
            }
            case XOR -> fillXor(x, y);
            case CLASSIFICATION -> {
                fillUniform(x, problem.seed(), 0.0, 1.0);
                fillOneHot(y, problem.seed() + 1, problem.targetSize());
            }
        }
        this.inputs = split(x, batch * problem.inputSize());
        this.targets = split(y, batch * problem.targetSize());
        this.floatInputs = toFloats(inputs);
        this.floatTargets = toFloats(targets);
    }

    /** The pool of {@code problem}; the same numbers on every call and every machine. */
    public static SuiteData of(Problem problem) {
        return new SuiteData(problem);
    }

    public Problem problem() {
        return problem;
    }

    /** Inputs of batch {@code index} (modulo the pool), row-major, one sample after another. */
    public double[] inputs(int index) {
        return inputs[index % POOL];
    }

    public double[] targets(int index) {
        return targets[index % POOL];
    }

    public float[] floatInputs(int index) {
        return floatInputs[index % POOL];
    }

    public float[] floatTargets(int index) {
        return floatTargets[index % POOL];
    }

    /**
     * Sample {@code index} (modulo the pool's samples) as an array of its own, for prediction
     * benchmarks; allocates, so call it in setup.
     */
    public double[] sample(int index) {
        int width = problem.inputSize();
        int position = index % (POOL * problem.batch());
        double[] batch = inputs(position / problem.batch());
        int offset = (position % problem.batch()) * width;
        return Arrays.copyOfRange(batch, offset, offset + width);
    }

    /** Element {@code index} of the stream {@code seed}, uniform in [0, 1). */
    static double uniform(long seed, long index) {
        return (splitMix64(seed + (index + 1) * GAMMA) >>> 11) * DOUBLE_UNIT;
    }

    private static long splitMix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void fillUniform(double[] dst, long seed, double low, double high) {
        for (int i = 0; i < dst.length; i++) {
            dst[i] = low + (high - low) * uniform(seed, i);
        }
    }

    /** One class per sample, drawn uniformly, as a one-hot row. */
    private static void fillOneHot(double[] dst, long seed, int classes) {
        for (int sample = 0; sample < dst.length / classes; sample++) {
            int label = (int) (uniform(seed, sample) * classes);
            dst[sample * classes + label] = 1.0;
        }
    }

    /** The truth table of XOR in every batch: (0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0. */
    private static void fillXor(double[] x, double[] y) {
        for (int sample = 0; sample < y.length; sample++) {
            int a = sample & 1;
            int b = (sample >> 1) & 1;
            x[2 * sample] = a;
            x[2 * sample + 1] = b;
            y[sample] = a ^ b;
        }
    }

    private static double[][] split(double[] all, int width) {
        double[][] rows = new double[POOL][width];
        for (int r = 0; r < POOL; r++) {
            System.arraycopy(all, r * width, rows[r], 0, width);
        }
        return rows;
    }

    /** {@code values} rounded to float: how the float benchmarks receive the same parameters. */
    public static float[] toFloats(double[] values) {
        float[] result = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (float) values[i];
        }
        return result;
    }

    private static float[][] toFloats(double[][] rows) {
        float[][] result = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            result[r] = new float[rows[r].length];
            for (int i = 0; i < rows[r].length; i++) {
                result[r][i] = (float) rows[r][i];
            }
        }
        return result;
    }
}
