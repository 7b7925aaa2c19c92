package dev.nnc.benchmarks;

import dev.nnc.benchmarks.generated.C1;
import dev.nnc.benchmarks.generated.C2;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * Not a JMH benchmark: the quick A/B behind the convolution notes of docs/codegen.md. It trains
 * C1 (double, batch 32) or C2 (float, batch 64) on the suite's data in one-second rounds and prints
 * the mean samples/s of the rounds after the first four (the JIT's warm-up). Run it alternately
 * with the benchmarks jars of the two commits to compare:
 * {@code java -cp benchmarks/target/benchmarks.jar dev.nnc.benchmarks.ConvTrainingLoop C1 10}.
 */
public final class ConvTrainingLoop {
    private static final int WARM_UP_ROUNDS = 4;

    private ConvTrainingLoop() {}

    public static void main(String[] args) {
        String bench = args.length > 0 ? args[0] : "C1";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        if (rounds <= WARM_UP_ROUNDS) {
            throw new IllegalArgumentException("rounds must exceed the " + WARM_UP_ROUNDS + " warm-up rounds");
        }
        int batch;
        IntSupplier step;
        if (bench.equals("C1")) {
            SuiteData data = SuiteData.of(Problem.C1);
            C1 network = new C1();
            network.setParameters(C1Benchmark.initialParameters());
            batch = 32;
            int[] cursor = {0};
            step = () -> {
                int i = cursor[0]++;
                network.trainStep(data.inputs(i), data.targets(i), 32);
                return 32;
            };
        } else if (bench.equals("C2")) {
            SuiteData data = SuiteData.of(Problem.C2);
            C2 network = new C2();
            network.setParameters(C2Benchmark.initialParameters());
            batch = 64;
            int[] cursor = {0};
            step = () -> {
                int i = cursor[0]++;
                network.trainStep(data.floatInputs(i), data.floatTargets(i), 64);
                return 64;
            };
        } else {
            throw new IllegalArgumentException("C1 or C2, not " + bench);
        }
        double total = 0;
        for (int round = 0; round < rounds; round++) {
            long end = System.nanoTime() + 1_000_000_000L;
            long samples = 0;
            long start = System.nanoTime();
            while (System.nanoTime() < end) {
                samples += step.getAsInt();
            }
            if (round >= WARM_UP_ROUNDS) {
                total += samples / ((System.nanoTime() - start) / 1e9);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%s, batch %d: %.0f samples/s (mean of rounds %d-%d)%n",
                bench,
                batch,
                total / (rounds - WARM_UP_ROUNDS),
                WARM_UP_ROUNDS + 1,
                rounds);
    }
}
