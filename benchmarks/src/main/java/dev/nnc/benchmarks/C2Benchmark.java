package dev.nnc.benchmarks;

import dev.nnc.benchmarks.generated.C2;
import dev.nnc.benchmarks.handwritten.FloatCnn;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * C2: training steps of LeNet-5 in float ([1, 28, 28] -> conv2d 6 5x5 pad 2 relu -> max_pool2d 2
 * -> conv2d 16 5x5 relu -> max_pool2d 2 -> flatten -> dense 120 relu -> dense 84 relu -> dense
 * 10 softmax), SGD with momentum 0.9, lr 0.01, batch 64 (samples/s = 64 ops/s).
 *
 * <p>Every implementation starts from the same parameters, {@link #initialParameters}: the
 * hand-written network's seeded initialisation, in the generated class's flat order.
 * One training step is {@link #FLOP_PER_SAMPLE} floating-point operations per sample.
 */
@State(Scope.Thread)
public class C2Benchmark extends SuiteBenchmark {
    private static final int BATCH = 64;

    /**
     * Floating-point operations of one sample's training step, two per multiply-add of the
     * products: the forward pass (conv1 6x28x28 outputs of 25 terms, conv2 16x10x10 of 150,
     * dense 400x120, 120x84, 84x10), the weight gradients (as many again) and the input
     * gradients of every layer but conv1 (whose input is the data).
     */
    public static final long FLOP_PER_SAMPLE = flopPerSample();

    private final SuiteData data = SuiteData.of(Problem.C2);
    private C2 nnc;
    private C2 nncTwoThreads;
    private FloatCnn handwritten;
    private int cursor;

    @Setup
    public void setUp() {
        nnc = new C2();
        nnc.setParameters(initialParameters());
        nncTwoThreads = new C2();
        nncTwoThreads.setParameters(initialParameters());
        nncTwoThreads.setThreads(2);
        handwritten = Baselines.handwrittenC2(BATCH);
        handwritten.setParameters(SuiteData.toFloats(initialParameters()));
    }

    /** C2's starting point, flat in {@code PARAMETER_NAMES} order (conv1, conv2, fc1, fc2, out; PyTorch's layouts). */
    static double[] initialParameters() {
        FloatCnn network = Baselines.handwrittenC2(1);
        network.initialise(Problem.C2.seed());
        float[] parameters = new float[network.parameterCount()];
        network.getParameters(parameters);
        double[] result = new double[parameters.length];
        for (int i = 0; i < parameters.length; i++) {
            result[i] = parameters[i];
        }
        return result;
    }

    @Benchmark
    public double nnc() {
        int i = cursor++;
        return nnc.trainStep(data.floatInputs(i), data.floatTargets(i), BATCH);
    }

    /** The same steps with each batch split in two halves that run on both cores. */
    @Benchmark
    public double nncTwoThreads() {
        int i = cursor++;
        return nncTwoThreads.trainStep(data.floatInputs(i), data.floatTargets(i), BATCH);
    }

    @Benchmark
    public double handwritten() {
        int i = cursor++;
        return handwritten.trainStep(data.floatInputs(i), data.floatTargets(i), BATCH);
    }

    private static long flopPerSample() {
        long conv1 = 6L * 28 * 28 * 25;
        long conv2 = 16L * 10 * 10 * 150;
        long dense = 400L * 120 + 120 * 84 + 84 * 10;
        long forward = conv1 + conv2 + dense;
        return 2 * (forward + forward + (forward - conv1));
    }
}
