package dev.nnc.benchmarks;

import dev.nnc.benchmarks.handwritten.DoubleCnn;
import dev.nnc.benchmarks.handwritten.DoubleMlp;
import dev.nnc.benchmarks.handwritten.FloatCnn;
import dev.nnc.benchmarks.handwritten.FloatGru;
import dev.nnc.benchmarks.handwritten.FloatMlp;
import dev.nnc.benchmarks.tape.TapeMlp;
import dev.nnc.benchmarks.tape.TapeMlp.Activation;
import dev.nnc.benchmarks.tape.TapeMlp.Loss;

/**
 * The baseline implementations of each problem, with the hyper-parameters of the specs in
 * {@code src/main/nn}. Callers copy the nnc network's initial parameters into them, so every
 * implementation starts from the same point.
 */
public final class Baselines {
    private static final int[] N4_SIZES = {64, 32, 10};
    private static final int[] N5_SIZES = {784, 256, 128, 10};

    /** C1's stages: conv2d 16 3x3 pad 1, conv2d 32 3x3 pad 1, each with ReLU and 2x2 max pooling. */
    private static final DoubleCnn.Stage[] C1_STAGES = {new DoubleCnn.Stage(16, 3, 1), new DoubleCnn.Stage(32, 3, 1)};

    private static final FloatCnn.Stage[] C1_FLOAT_STAGES = {new FloatCnn.Stage(16, 3, 1), new FloatCnn.Stage(32, 3, 1)
    };
    /** C2's (LeNet-5's) stages: conv2d 6 5x5 pad 2, conv2d 16 5x5, each with ReLU and 2x2 max pooling. */
    private static final FloatCnn.Stage[] C2_STAGES = {new FloatCnn.Stage(6, 5, 2), new FloatCnn.Stage(16, 5, 0)};
    /** C2's dense layers after the 16x5x5 features. */
    private static final int[] C2_DENSE = {120, 84, 10};

    private Baselines() {}

    /** The tape-based AD model of {@code problem}. */
    public static TapeMlp tape(Problem problem) {
        return switch (problem) {
            case N1 ->
                new TapeMlp(
                        new int[] {2, 2, 1},
                        new Activation[] {Activation.SIGMOID, Activation.SIGMOID},
                        Loss.HALF_SQUARED_ERROR,
                        TapeMlp.Optimizer.SGD,
                        0.1);
            case N2 ->
                new TapeMlp(
                        new int[] {2, 4, 1},
                        new Activation[] {Activation.TANH, Activation.IDENTITY},
                        Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS,
                        TapeMlp.Optimizer.SGD,
                        0.5);
            case N3 ->
                new TapeMlp(
                        new int[] {2, 3, 1},
                        new Activation[] {Activation.SIGMOID, Activation.IDENTITY},
                        Loss.MEAN_SQUARED_ERROR,
                        TapeMlp.Optimizer.SGD,
                        0.05);
            case N4 ->
                new TapeMlp(
                        N4_SIZES,
                        new Activation[] {Activation.RELU, Activation.IDENTITY},
                        Loss.SOFTMAX_CROSS_ENTROPY,
                        TapeMlp.Optimizer.ADAM,
                        1e-3);
            case N5 ->
                new TapeMlp(
                        N5_SIZES,
                        new Activation[] {Activation.RELU, Activation.RELU, Activation.IDENTITY},
                        Loss.SOFTMAX_CROSS_ENTROPY,
                        TapeMlp.Optimizer.SGD_MOMENTUM,
                        0.01);
            case C1, C2, R1 ->
                throw new IllegalArgumentException(problem + " has no tape model: the tape baseline is a perceptron");
        };
    }

    /** Hand-written N4: Adam, lr 1e-3, batch 32. */
    public static DoubleMlp handwrittenN4() {
        return new DoubleMlp(N4_SIZES, Problem.N4.batch(), DoubleMlp.Optimizer.ADAM, 1e-3);
    }

    /** Hand-written N5 in double: SGD with momentum 0.9, lr 0.01, batch 64. */
    public static DoubleMlp handwrittenN5Double() {
        return new DoubleMlp(N5_SIZES, Problem.N5.batch(), DoubleMlp.Optimizer.SGD_MOMENTUM, 0.01);
    }

    /** Hand-written N5 in float: SGD with momentum 0.9, lr 0.01, batch 64. */
    public static FloatMlp handwrittenN5() {
        return new FloatMlp(N5_SIZES, Problem.N5.batch(), FloatMlp.Optimizer.SGD_MOMENTUM, 0.01f);
    }

    /** Hand-written C1: [1, 8, 8] -> two conv stages -> dense 10, Adam lr 1e-3, batch 32, double. */
    public static DoubleCnn handwrittenC1() {
        return new DoubleCnn(1, 8, 8, C1_STAGES, new int[] {10}, Problem.C1.batch(), DoubleCnn.Optimizer.ADAM, 1e-3);
    }

    /** Hand-written C2 (LeNet-5) in float: SGD with momentum 0.9, lr 0.01, buffers for {@code maxBatch} samples. */
    public static FloatCnn handwrittenC2(int maxBatch) {
        return new FloatCnn(1, 28, 28, C2_STAGES, C2_DENSE, maxBatch, FloatCnn.Optimizer.SGD_MOMENTUM, 0.01f);
    }

    /** Hand-written R1: [32, 8] -> GRU 64 (last state) -> dense 1, MSE, Adam lr 1e-3, buffers for {@code maxBatch} samples. */
    public static FloatGru handwrittenR1(int maxBatch) {
        return new FloatGru(32, 8, 64, maxBatch, 1e-3f);
    }

    /** Hand-written C1 in float (the precision of a {@code precision float} twin of its spec). */
    public static FloatCnn handwrittenC1Float() {
        return new FloatCnn(
                1, 8, 8, C1_FLOAT_STAGES, new int[] {10}, Problem.C1.batch(), FloatCnn.Optimizer.ADAM, 1e-3f);
    }
}
