package dev.nnc.benchmarks;

import dev.nnc.benchmarks.generated.N4;
import dev.nnc.benchmarks.generated.N4Float;
import dev.nnc.benchmarks.handwritten.DoubleMlp;
import dev.nnc.benchmarks.tape.TapeMlp;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** N4: training steps of 64 -> 32 relu -> 10 softmax with Adam, batch 32 (samples/s = 32 ops/s). */
@State(Scope.Thread)
public class N4Benchmark extends SuiteBenchmark {
    private static final int BATCH = 32;
    private final SuiteData data = SuiteData.of(Problem.N4);
    private N4 nnc;
    private N4Float nncFloat;
    private DoubleMlp handwritten;
    private TapeMlp tape;
    private int cursor;

    @Setup
    public void setUp() {
        nnc = new N4();
        nncFloat = new N4Float();
        double[] parameters = new double[N4.PARAMETER_COUNT];
        nnc.getParameters(parameters);
        nncFloat.setParameters(parameters);
        handwritten = Baselines.handwrittenN4();
        handwritten.setParameters(parameters);
        tape = Baselines.tape(Problem.N4);
        tape.setParameters(parameters);
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
    public double tape() {
        int i = cursor++;
        return tape.trainStep(data.inputs(i), data.targets(i), BATCH);
    }
}
