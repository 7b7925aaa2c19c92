package dev.nnc.benchmarks;

import dev.nnc.benchmarks.generated.N5;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Not a JMH benchmark: the evidence for the two-core diagnosis in docs/codegen.md. Each round
 * runs one second of N5 float training on both cores ({@code setThreads(2)}, steps per second),
 * one second on one core (another instance), and a measurement of how long a write by one core
 * takes to reach the other (two threads passing a counter back and forth; half the round trip).
 * If the two-core steps run slow exactly when the cores are far apart while the one-core steps
 * do not, the cost is the data the step moves between the cores, not the arithmetic. The last
 * column, the time the hypervisor ran something else on the virtual CPUs ("steal" in
 * {@code /proc/stat}, both CPUs together), tells that cause apart from a shared host core.
 *
 * <p>Run: {@code benchmarks/two-core-probe.sh [rounds]}.
 */
public final class TwoCoreProbe {
    private static final int BATCH = 64;
    private static final int HAND_OFFS = 200_000;

    private TwoCoreProbe() {}

    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        SuiteData data = SuiteData.of(Problem.N5);
        N5 network = new N5();
        network.setThreads(2);
        N5 single = new N5();
        for (int round = 0; round <= rounds; round++) {
            long stolenBefore = stolenTicks();
            int steps = stepsInOneSecond(network, data);
            int singleSteps = stepsInOneSecond(single, data);
            long stolen = stolenTicks() - stolenBefore;
            double latency = oneWayNanos();
            // Round 0 is the warm-up: the JIT is still compiling the kernels.
            if (round > 0) {
                System.out.printf(
                        Locale.ROOT,
                        "round %3d  %5d steps/s on two cores  %5d on one  %5.0f ns one way  %3d ticks stolen%n",
                        round,
                        steps,
                        singleSteps,
                        latency,
                        stolen);
            }
        }
    }

    private static int stepsInOneSecond(N5 network, SuiteData data) {
        long end = System.nanoTime() + 1_000_000_000L;
        int steps = 0;
        while (System.nanoTime() < end) {
            network.trainStep(data.floatInputs(steps), data.floatTargets(steps), BATCH);
            steps++;
        }
        return steps;
    }

    /**
     * The steal time of all CPUs so far, in clock ticks (the eighth number of the {@code cpu}
     * line of {@code /proc/stat}); -1 where there is no such file.
     */
    private static long stolenTicks() {
        try {
            String[] fields =
                    Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            return Long.parseLong(fields[8]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Half the time for a counter to go from this thread to another and back. */
    private static double oneWayNanos() throws InterruptedException {
        AtomicInteger counter = new AtomicInteger();
        Thread other = new Thread(() -> {
            for (int i = 0; i < HAND_OFFS; i++) {
                while (counter.get() != 2 * i + 1) {
                    Thread.onSpinWait();
                }
                counter.set(2 * i + 2);
            }
        });
        other.start();
        long start = System.nanoTime();
        for (int i = 0; i < HAND_OFFS; i++) {
            counter.set(2 * i + 1);
            while (counter.get() != 2 * i + 2) {
                Thread.onSpinWait();
            }
        }
        long elapsed = System.nanoTime() - start;
        other.join();
        return elapsed / (2.0 * HAND_OFFS);
    }
}
