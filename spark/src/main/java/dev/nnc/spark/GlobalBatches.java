package dev.nnc.spark;

import dev.nnc.runtime.SeededRandom;

/**
 * The global batches of {@link SparkTrainer}: in every epoch a seeded shuffle of the row indices
 * 0..n-1, cut into consecutive batches of the batch size (the last one may be smaller). Batch
 * {@code b} of epoch {@code e} is rows {@code order(seed, e, n)[b * batchSize ..
 * min((b + 1) * batchSize, n) - 1]}, where a row's index is its position in the training
 * {@code Dataset}. The order depends only on the seed, the epoch and {@code n}, never on the
 * partitioning, so one JVM can train on exactly the batches a cluster trains on.
 */
public final class GlobalBatches {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private GlobalBatches() {}

    /**
     * The order in which epoch {@code epoch} visits the rows: a uniform random permutation of
     * 0..rows-1 (Fisher-Yates with a {@link SeededRandom} seeded from {@code seed} and {@code
     * epoch}).
     *
     * @param seed the training seed
     * @param epoch the 0-based epoch
     * @param rows the number of rows, at least 1
     */
    public static int[] order(long seed, int epoch, int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be at least 1, found " + rows);
        }
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        SeededRandom random = new SeededRandom(mix(seed, epoch));
        for (int i = rows - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** The number of batches of an epoch: {@code ceil(rows / batchSize)}. */
    public static int steps(int rows, int batchSize) {
        return (rows + batchSize - 1) / batchSize;
    }

    /**
     * Hashes two values into a seed (SplitMix64's finaliser over a Weyl combination), so that
     * nearby pairs such as (seed 1, epoch 2) and (seed 2, epoch 1) give unrelated sequences.
     */
    static long mix(long a, long b) {
        long z = a * GOLDEN_GAMMA + b + GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
