package dev.nnc.benchmarks;

import dev.nnc.benchmarks.generated.N2;
import dev.nnc.benchmarks.handwritten.N2Handwritten;
import dev.nnc.benchmarks.tape.TapeMlp;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** N2: training steps of XOR, 2 -> 4 tanh -> 1 sigmoid, on its four cases as one batch. */
@State(Scope.Thread)
public class N2Benchmark extends SuiteBenchmark {
    private final SuiteData data = SuiteData.of(Problem.N2);
    private N2 nnc;
    private N2Handwritten handwritten;
    private TapeMlp tape;
    private int cursor;

    @Setup
    public void setUp() {
        nnc = new N2();
        double[] parameters = new double[N2.PARAMETER_COUNT];
        nnc.getParameters(parameters);
        handwritten = new N2Handwritten();
        handwritten.setParameters(parameters);
        tape = Baselines.tape(Problem.N2);
        tape.setParameters(parameters);
    }

    @Benchmark
    public double nnc() {
        int i = cursor++;
        return nnc.trainStep(data.inputs(i), data.targets(i), 4);
    }

    @Benchmark
    public double handwritten() {
        int i = cursor++;
        return handwritten.trainStep(data.inputs(i), data.targets(i), 4);
    }

    @Benchmark
    public double tape() {
        int i = cursor++;
        return tape.trainStep(data.inputs(i), data.targets(i), 4);
    }
}
