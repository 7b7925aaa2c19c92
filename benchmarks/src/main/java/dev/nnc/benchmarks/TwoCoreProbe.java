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
 * <p>Run: {@code benchmarks/two-core-probe.sh [rounds] [batch]}; the batch, a multiple of N5's
 * 64 (default 64), is made of consecutive batches of the suite's data.
 */
public final class TwoCoreProbe {
    private static final int TILE = 64;
    private static final int HAND_OFFS = 200_000;

    private TwoCoreProbe() {}

    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : TILE;
        if (batch <= 0 || batch % TILE != 0) {
            throw new IllegalArgumentException("the batch must be a positive multiple of " + TILE + ": " + batch);
        }
        Batches data = new Batches(SuiteData.of(Problem.N5), batch / TILE);
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

    private static int stepsInOneSecond(N5 network, Batches data) {
        long end = System.nanoTime() + 1_000_000_000L;
        int steps = 0;
        while (System.nanoTime() < end) {
            int b = steps % SuiteData.POOL;
            network.trainStep(data.inputs[b], data.targets[b], data.size);
            steps++;
        }
        return steps;
    }

    /** {@link SuiteData#POOL} batches of {@code tiles} consecutive suite batches each. */
    private static final class Batches {
        final float[][] inputs = new float[SuiteData.POOL][];
        final float[][] targets = new float[SuiteData.POOL][];
        final int size;

        Batches(SuiteData data, int tiles) {
            size = tiles * TILE;
            for (int b = 0; b < SuiteData.POOL; b++) {
                inputs[b] = new float[size * N5.INPUT_SIZE];
                targets[b] = new float[size * N5.TARGET_SIZE];
                for (int t = 0; t < tiles; t++) {
                    int source = b * tiles + t;
                    System.arraycopy(
                            data.floatInputs(source), 0, inputs[b], t * TILE * N5.INPUT_SIZE, TILE * N5.INPUT_SIZE);
                    System.arraycopy(
                            data.floatTargets(source), 0, targets[b], t * TILE * N5.TARGET_SIZE, TILE * N5.TARGET_SIZE);
                }
            }
        }
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
