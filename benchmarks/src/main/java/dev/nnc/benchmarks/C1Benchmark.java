package dev.nnc.benchmarks;

import dev.nnc.benchmarks.generated.C1;
import dev.nnc.benchmarks.generated.C1Float;
import dev.nnc.benchmarks.handwritten.DoubleCnn;
import dev.nnc.benchmarks.handwritten.FloatCnn;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * C1: training steps of the digits CNN ([1, 8, 8] -> conv2d 16 3x3 pad 1 relu -> max_pool2d 2 ->
 * conv2d 32 3x3 pad 1 relu -> max_pool2d 2 -> flatten -> dense 10 softmax) with Adam, batch 32
 * (samples/s = 32 ops/s). The suite's figure is in double, like N4; the float variant shows what
 * precision costs.
 *
 * <p>Every implementation starts from the same parameters, {@link #initialParameters}: the
 * hand-written network's seeded initialisation, in the generated classes' flat order.
 */
@State(Scope.Thread)
public class C1Benchmark extends SuiteBenchmark {
    private static final int BATCH = 32;
    private final SuiteData data = SuiteData.of(Problem.C1);
    private C1 nnc;
    private C1Float nncFloat;
    private DoubleCnn handwritten;
    private FloatCnn handwrittenFloat;
    private int cursor;

    @Setup
    public void setUp() {
        double[] parameters = initialParameters();
        nnc = new C1();
        nnc.setParameters(parameters);
        nncFloat = new C1Float();
        nncFloat.setParameters(parameters);
        handwritten = Baselines.handwrittenC1();
        handwritten.setParameters(parameters);
        handwrittenFloat = Baselines.handwrittenC1Float();
        handwrittenFloat.setParameters(SuiteData.toFloats(parameters));
    }

    /** C1's starting point, flat in {@code PARAMETER_NAMES} order (conv1, conv2, out; PyTorch's layouts). */
    static double[] initialParameters() {
        DoubleCnn network = Baselines.handwrittenC1();
        network.initialise(Problem.C1.seed());
        double[] parameters = new double[network.parameterCount()];
        network.getParameters(parameters);
        return parameters;
    }

    @Benchmark
    public double nnc() {
        int i = cursor++;
        return nnc.trainStep(data.inputs(i), data.targets(i), BATCH);
    }

    @Benchmark
    public double nncFloat() {
        int i = cursor++;
        return nncFloat.trainStep(data.floatInputs(i), data.floatTargets(i), BATCH);
    }

    @Benchmark
    public double handwritten() {
        int i = cursor++;
        return handwritten.trainStep(data.inputs(i), data.targets(i), BATCH);
    }

    @Benchmark
    public double handwrittenFloat() {
        int i = cursor++;
        return handwrittenFloat.trainStep(data.floatInputs(i), data.floatTargets(i), BATCH);
    }
}
