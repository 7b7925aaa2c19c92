package dev.nnc.benchmarks;

/**
 * The training problems of the fixed suite (N1-N5, C1-C2, R1 in {@code ARCHITECTURE.md}): sizes,
 * batch and the seeds of their data. I1, I2, I3 and I4 predict on the inputs of N4, N5, C2 and R1.
 * The inputs of the convolutional problems are images ({@code [1, 8, 8]}, {@code [1, 28, 28]})
 * flattened row-major, those of the recurrent one sequences ({@code [32, 8]}, step after step),
 * drawn like the others.
 *
 * <p>The data is defined so that {@code pytorch_suite.py} can rebuild it bit for bit: element
 * {@code i} of a stream with seed {@code s} is {@code splitmix64(s + (i + 1) * 0x9E3779B97F4A7C15)}
 * turned into a double in [0, 1) by its top 53 bits (see {@link SuiteData}).
 */
public enum Problem {
    /** 2 -> 2 sigmoid -> 1 sigmoid, regression targets in [0, 1). */
    N1(2, 1, 1, Kind.UNIT_REGRESSION, 101),
    /** XOR: always the four cases of the truth table as one batch. */
    N2(2, 1, 4, Kind.XOR, 102),
    /** 2 -> 3 sigmoid -> 1 linear, regression targets in [-1, 1). */
    N3(2, 1, 1, Kind.SIGNED_REGRESSION, 103),
    /** 64 -> 32 -> 10, inputs in [0, 1), one-hot targets. */
    N4(64, 10, 32, Kind.CLASSIFICATION, 104),
    /** 784 -> 256 -> 128 -> 10, inputs in [0, 1), one-hot targets. */
    N5(784, 10, 64, Kind.CLASSIFICATION, 105),
    /** The digits CNN: [1, 8, 8] images with pixels in [0, 1), one-hot targets. */
    C1(64, 10, 32, Kind.CLASSIFICATION, 106),
    /** LeNet-5: [1, 28, 28] images with pixels in [0, 1), one-hot targets. */
    C2(784, 10, 64, Kind.CLASSIFICATION, 107),
    /** The GRU regressor: sequences of 32 steps of 8 features in [-1, 1), targets in [-1, 1). */
    R1(32 * 8, 1, 32, Kind.SIGNED_REGRESSION, 108);

    /** How inputs and targets are drawn. */
    public enum Kind {
        UNIT_REGRESSION,
        SIGNED_REGRESSION,
        XOR,
        CLASSIFICATION
    }

    private final int inputSize;
    private final int targetSize;
    private final int batch;
    private final Kind kind;
    private final long seed;

    Problem(int inputSize, int targetSize, int batch, Kind kind, long seed) {
        this.inputSize = inputSize;
        this.targetSize = targetSize;
        this.batch = batch;
        this.kind = kind;
        this.seed = seed;
    }

    public int inputSize() {
        return inputSize;
    }

    public int targetSize() {
        return targetSize;
    }

    /** Samples per training step. */
    public int batch() {
        return batch;
    }

    public Kind kind() {
        return kind;
    }

    /** Seed of the input stream; the targets use {@code seed + 1}. */
    public long seed() {
        return seed;
    }
}
