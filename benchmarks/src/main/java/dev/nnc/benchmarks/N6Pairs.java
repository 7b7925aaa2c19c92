package dev.nnc.benchmarks;

import dev.nnc.benchmarks.generated.N5;
import dev.nnc.benchmarks.generated.N6;
import java.util.Arrays;
import java.util.Locale;

/**
 * Not a JMH benchmark: what batch normalisation costs nnc, measured so that the machine's load
 * changes cancel out. One JVM alternates one second of N5 float training with one second of N6
 * (N5 with {@code batch_norm}) on the suite's N5 data, one thread, after {@code warmUp} such
 * pairs; each round's ratio compares two seconds that were neighbours in time. Prints every
 * round and the medians. JMH runs the two in separate JVMs one after the other, so on a shared
 * machine a ratio of two JMH figures mixes two machine states.
 *
 * <p>Run: {@code benchmarks/n6-pairs.sh [rounds]} (plain loops and the Vector API, then PyTorch's
 * pairs).
 */
public final class N6Pairs {
    private static final int BATCH = 64;

    private N6Pairs() {}

    public static void main(String[] args) {
        int warmUp = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        SuiteData data = SuiteData.of(Problem.N5);
        N5 n5 = new N5();
        N6 n6 = new N6();
        for (int round = 0; round < warmUp; round++) {
            stepsInOneSecond(n5, null, data);
            stepsInOneSecond(null, n6, data);
        }
        double[] plain = new double[rounds];
        double[] normalised = new double[rounds];
        double[] ratios = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            plain[round] = stepsInOneSecond(n5, null, data) * BATCH;
            normalised[round] = stepsInOneSecond(null, n6, data) * BATCH;
            ratios[round] = normalised[round] / plain[round];
            System.out.printf(
                    Locale.ROOT,
                    "round %2d  N5 %6.0f samples/s  N6 %6.0f  N6/N5 %.3f%n",
                    round + 1,
                    plain[round],
                    normalised[round],
                    ratios[round]);
        }
        System.out.printf(
                Locale.ROOT,
                "median of %d rounds: N5 %.0f samples/s, N6 %.0f, N6/N5 %.3f (quartiles %.3f-%.3f)%n",
                rounds,
                median(plain),
                median(normalised),
                median(ratios),
                quantile(ratios, 0.25),
                quantile(ratios, 0.75));
    }

    /** Steps of whichever network is given, on the pool's batches in turn, for one second. */
    private static int stepsInOneSecond(N5 n5, N6 n6, SuiteData data) {
        long end = System.nanoTime() + 1_000_000_000L;
        int steps = 0;
        double sink = 0;
        while (System.nanoTime() < end) {
            int i = steps++;
            sink += n5 != null
                    ? n5.trainStep(data.floatInputs(i), data.floatTargets(i), BATCH)
                    : n6.trainStep(data.floatInputs(i), data.floatTargets(i), BATCH);
        }
        if (!Double.isFinite(sink)) {
            throw new IllegalStateException("training diverged: loss sum " + sink);
        }
        return steps;
    }

    private static double median(double[] values) {
        return quantile(values, 0.5);
    }

    private static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.round(q * (sorted.length - 1))];
    }
}
