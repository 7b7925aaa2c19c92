package dev.nnc.benchmarks;

import dev.nnc.benchmarks.generated.N1;
import dev.nnc.benchmarks.handwritten.N1Handwritten;
import dev.nnc.benchmarks.tape.TapeMlp;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** N1: training steps of 2 -> 2 sigmoid -> 1 sigmoid, batch 1 (ops/s = samples/s). */
@State(Scope.Thread)
public class N1Benchmark extends SuiteBenchmark {
    private final SuiteData data = SuiteData.of(Problem.N1);
    private N1 nnc;
    private N1Handwritten handwritten;
    private TapeMlp tape;
    private int cursor;

    @Setup
    public void setUp() {
        nnc = new N1();
        double[] parameters = new double[N1.PARAMETER_COUNT];
        nnc.getParameters(parameters);
        handwritten = new N1Handwritten();
        handwritten.setParameters(parameters);
        tape = Baselines.tape(Problem.N1);
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
