package dev.nnc.benchmarks;

import dev.nnc.benchmarks.generated.N5;
import dev.nnc.benchmarks.generated.N5Double;
import dev.nnc.benchmarks.handwritten.DoubleMlp;
import dev.nnc.benchmarks.handwritten.FloatMlp;
import dev.nnc.benchmarks.tape.TapeMlp;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * N5: training steps of 784 -> 256 relu -> 128 relu -> 10 softmax, SGD with momentum, batch 64
 * (samples/s = 64 ops/s). The suite's figure is in float; the double variants show what
 * precision costs, and {@code nncTwoThreads} what the second core adds.
 */
@State(Scope.Thread)
public class N5Benchmark extends SuiteBenchmark {
    private static final int BATCH = 64;
    private final SuiteData data = SuiteData.of(Problem.N5);
    private N5 nnc;
    private N5 nncTwoThreads;
    private N5Double nncDouble;
    private FloatMlp handwritten;
    private DoubleMlp handwrittenDouble;
    private TapeMlp tape;
    private int cursor;

    @Setup
    public void setUp() {
        nncDouble = new N5Double();
        double[] parameters = new double[N5Double.PARAMETER_COUNT];
        nncDouble.getParameters(parameters);
        nnc = new N5();
        nnc.setParameters(parameters);
        nncTwoThreads = new N5();
        nncTwoThreads.setParameters(parameters);
        nncTwoThreads.setThreads(2);
        handwritten = Baselines.handwrittenN5();
        handwritten.setParameters(SuiteData.toFloats(parameters));
        handwrittenDouble = Baselines.handwrittenN5Double();
        handwrittenDouble.setParameters(parameters);
        tape = Baselines.tape(Problem.N5);
        tape.setParameters(parameters);
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
    public double nncDouble() {
        int i = cursor++;
        return nncDouble.trainStep(data.inputs(i), data.targets(i), BATCH);
    }

    @Benchmark
    public double handwritten() {
        int i = cursor++;
        return handwritten.trainStep(data.floatInputs(i), data.floatTargets(i), BATCH);
    }

    @Benchmark
    public double handwrittenDouble() {
        int i = cursor++;
        return handwrittenDouble.trainStep(data.inputs(i), data.targets(i), BATCH);
    }

    @Benchmark
    public double tape() {
        int i = cursor++;
        return tape.trainStep(data.inputs(i), data.targets(i), BATCH);
    }
}
