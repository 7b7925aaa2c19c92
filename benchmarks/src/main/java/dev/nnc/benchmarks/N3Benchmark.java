package dev.nnc.benchmarks;

import dev.nnc.benchmarks.generated.N3;
import dev.nnc.benchmarks.handwritten.N3Handwritten;
import dev.nnc.benchmarks.tape.TapeMlp;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** N3: training steps of 2 -> 3 sigmoid -> 1 linear, batch 1 (ops/s = samples/s). */
@State(Scope.Thread)
public class N3Benchmark extends SuiteBenchmark {
    private final SuiteData data = SuiteData.of(Problem.N3);
    private N3 nnc;
    private N3Handwritten handwritten;
    private TapeMlp tape;
    private int cursor;

    @Setup
    public void setUp() {
        nnc = new N3();
        double[] parameters = new double[N3.PARAMETER_COUNT];
        nnc.getParameters(parameters);
        handwritten = new N3Handwritten();
        handwritten.setParameters(parameters);
        tape = Baselines.tape(Problem.N3);
        tape.setParameters(parameters);
    }

    @Benchmark
    public double nnc() {
        int i = cursor++;
        return nnc.trainStep(data.inputs(i), data.targets(i), 1);
    }

    @Benchmark
    public double handwritten() {
        int i = cursor++;
        return handwritten.trainStep(data.inputs(i), data.targets(i), 1);
    }

    @Benchmark
    public double tape() {
        int i = cursor++;
        return tape.trainStep(data.inputs(i), data.targets(i), 1);
    }
}
