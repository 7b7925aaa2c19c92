package dev.nnc.benchmarks;

import dev.nnc.benchmarks.generated.R1;
import dev.nnc.benchmarks.handwritten.FloatGru;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * R1: training steps of a GRU regressor in float ([32, 8] -> gru 64, last state -> dense 1), mean
 * squared error, Adam lr 1e-3, batch 32 (samples/s = 32 ops/s).
 *
 * <p>Every implementation starts from the same parameters, {@link #initialParameters}: the
 * hand-written network's seeded initialisation (PyTorch's default distribution), in the generated
 * class's flat order. One training step is {@link #FLOP_PER_SAMPLE} floating-point operations per
 * sample.
 */
@State(Scope.Thread)
public class R1Benchmark extends SuiteBenchmark {
    private static final int BATCH = 32;
    private static final int STEPS = 32;
    private static final int FEATURES = 8;
    private static final int UNITS = 64;

    /**
     * Floating-point operations of one sample's training step, two per multiply-add of the
     * products: the forward pass (per step the input projection, 3H x F, and the hidden product,
     * 3H x H; the dense layer), the weight gradients (as many again) and the state gradients
     * (3H x H per step, and the dense layer's); the input needs no gradient.
     */
    public static final long FLOP_PER_SAMPLE = flopPerSample();

    private final SuiteData data = SuiteData.of(Problem.R1);
    private R1 nnc;
    private R1 nncTwoThreads;
    private FloatGru handwritten;
    private int cursor;

    @Setup
    public void setUp() {
        nnc = new R1();
        nnc.setParameters(initialParameters());
        nncTwoThreads = new R1();
        nncTwoThreads.setParameters(initialParameters());
        nncTwoThreads.setThreads(2);
        handwritten = Baselines.handwrittenR1(BATCH);
        handwritten.setParameters(SuiteData.toFloats(initialParameters()));
    }

    /** R1's starting point, flat in {@code PARAMETER_NAMES} order (h.weight_ih, h.weight_hh, h.bias_ih, h.bias_hh, out). */
    static double[] initialParameters() {
        FloatGru network = Baselines.handwrittenR1(1);
        network.initialise(Problem.R1.seed());
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
        long gates = 3L * UNITS;
        long forward = STEPS * (gates * FEATURES + gates * UNITS) + UNITS;
        long stateGradients = STEPS * gates * UNITS + UNITS;
        return 2 * (forward + forward + stateGradients);
    }
}
