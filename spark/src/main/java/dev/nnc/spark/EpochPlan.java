package dev.nnc.spark;

import java.util.Arrays;

/**
 * Where one partition's rows fall in one epoch's global order: the partition's rows sorted by
 * their position in {@link GlobalBatches#order}, so that the rows it holds of any batch are one
 * contiguous run. Built once per partition and epoch, on the executor, from the seed alone:
 * nothing about the order crosses the network.
 */
final class EpochPlan {

    final int epoch;

    /** The positions in the epoch's order of this partition's rows, ascending. */
    private final int[] positions;

    /** The partition's local row numbers, in the order of {@link #positions}. */
    private final int[] rows;

    private EpochPlan(int epoch, int[] positions, int[] rows) {
        this.epoch = epoch;
        this.positions = positions;
        this.rows = rows;
    }

    static EpochPlan of(TrainingBlock block, long seed, int epoch, int totalRows) {
        int[] order = GlobalBatches.order(seed, epoch, totalRows);
        int[] positionOf = new int[totalRows];
        for (int i = 0; i < totalRows; i++) {
            positionOf[order[i]] = i;
        }
        int[] indices = block.indices();
        long[] keys = new long[indices.length];
        for (int r = 0; r < indices.length; r++) {
            keys[r] = ((long) positionOf[indices[r]] << 32) | r;
        }
        Arrays.sort(keys);
        int[] positions = new int[keys.length];
        int[] rows = new int[keys.length];
        for (int k = 0; k < keys.length; k++) {
            positions[k] = (int) (keys[k] >>> 32);
            rows[k] = (int) keys[k];
        }
        return new EpochPlan(epoch, positions, rows);
    }

    /** The first k whose position is at least {@code position}, or the row count. */
    int firstAtOrAfter(int position) {
        int found = Arrays.binarySearch(positions, position);
        return found >= 0 ? found : -found - 1;
    }

    /** The partition's local row number of the k-th row in epoch order. */
    int row(int k) {
        return rows[k];
    }
}
