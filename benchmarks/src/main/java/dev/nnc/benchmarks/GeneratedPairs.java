package dev.nnc.benchmarks;

import dev.nnc.runtime.TrainableNetwork;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Not a JMH benchmark: one spec compiled by two versions of nnc ({@code before.Name} and {@code
 * after.Name} on the class path, as {@code benchmarks/generated-pairs.sh} builds them) and timed
 * in one JVM, alternating one-second rounds of {@code trainStep} (or {@code predict}) and swapping
 * which goes first every round. Both classes see the same JIT, the same heap and the same load,
 * so their ratio survives a shared machine that moves absolute figures by tens of percent. It
 * prints each round and the median ratio of the rounds after the first {@link #WARM_UP_ROUNDS}.
 * Data are uniform random inputs and one-hot targets: the classes' speed does not depend on them.
 */
public final class GeneratedPairs {
    private static final int WARM_UP_ROUNDS = 3;
    private static final int BATCHES = 16;

    private GeneratedPairs() {}

    /** Arguments: class name, batch, rounds, {@code train} or {@code predict}. */
    public static void main(String[] args) throws ReflectiveOperationException {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: GeneratedPairs Name batch rounds train|predict");
        }
        int batch = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        boolean train = args[3].equals("train");
        if (rounds <= WARM_UP_ROUNDS) {
            throw new IllegalArgumentException("rounds must exceed the " + WARM_UP_ROUNDS + " warm-up rounds");
        }
        TrainableNetwork before = load("before." + args[0]);
        TrainableNetwork after = load("after." + args[0]);
        double[] parameters = new double[before.parameterCount()];
        before.getParameters(parameters);
        after.setParameters(parameters);
        Data data = Data.random(before, batch);
        System.out.printf(
                Locale.ROOT,
                "loss of one step: before %s, after %s%n",
                before.trainStep(data.xs[0], data.ys[0], batch),
                after.trainStep(data.xs[0], data.ys[0], batch));
        double[] speedups = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            boolean afterFirst = round % 2 == 1;
            double first = nanosPerCall(afterFirst ? after : before, data, batch, train);
            double second = nanosPerCall(afterFirst ? before : after, data, batch, train);
            double beforeNanos = afterFirst ? second : first;
            double afterNanos = afterFirst ? first : second;
            speedups[round] = beforeNanos / afterNanos;
            System.out.printf(
                    Locale.ROOT,
                    "round %d: before %.1f us, after %.1f us, after / before speed %.3f%n",
                    round,
                    beforeNanos / 1e3,
                    afterNanos / 1e3,
                    speedups[round]);
        }
        double[] counted = Arrays.copyOfRange(speedups, WARM_UP_ROUNDS, rounds);
        Arrays.sort(counted);
        System.out.printf(
                Locale.ROOT,
                "median after / before speed over rounds %d-%d: %.3f (range %.3f-%.3f)%n",
                WARM_UP_ROUNDS,
                rounds - 1,
                counted[counted.length / 2],
                counted[0],
                counted[counted.length - 1]);
    }

    private static TrainableNetwork load(String name) throws ReflectiveOperationException {
        return (TrainableNetwork) Class.forName(name).getConstructor().newInstance();
    }

    private static double nanosPerCall(TrainableNetwork network, Data data, int batch, boolean train) {
        long end = System.nanoTime() + 1_000_000_000L;
        long calls = 0;
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            int i = (int) (calls % BATCHES);
            if (train) {
                network.trainStep(data.xs[i], data.ys[i], batch);
            } else {
                network.predict(data.xs[i], batch, data.outs);
            }
            calls++;
        }
        return (System.nanoTime() - start) / (double) calls;
    }

    /** {@link #BATCHES} batches of random inputs and one-hot targets, and room for predictions. */
    private record Data(double[][] xs, double[][] ys, double[] outs) {
        static Data random(TrainableNetwork network, int batch) {
            SplittableRandom random = new SplittableRandom(1);
            double[][] xs = new double[BATCHES][batch * network.inputSize()];
            double[][] ys = new double[BATCHES][batch * network.targetSize()];
            for (int i = 0; i < BATCHES; i++) {
                Arrays.setAll(xs[i], j -> random.nextDouble());
                for (int s = 0; s < batch; s++) {
                    ys[i][s * network.targetSize() + random.nextInt(network.targetSize())] = 1;
                }
            }
            return new Data(xs, ys, new double[batch * network.outputSize()]);
        }
    }
}
