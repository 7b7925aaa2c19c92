package dev.nnc.runtime.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Once C2 has compiled them, the Vector API kernels allocate nothing, even when every branch of
 * every kernel ran before the compilation: with and without a bias, first and later slices of
 * the weight rows, fresh and accumulated gradients, and all the blocks and tails of the widths.
 * A kernel that C2 cannot intrinsify boxes every vector it computes; this test sees that as
 * megabytes in every window. It runs in a JVM of its own (see the runtime's POM).
 */
class KernelAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int LANES = VectorProducts.lanes();
    /** More than one slice of 256 weight rows, so the later slices' kernels run too. */
    private static final int INNER = 300;

    private final Random random = new Random(7);

    @Test
    void productsAllocateNothingWhateverBranchesRanBeforeCompilation() {
        // 4-by-4, 4-by-2 and 4-by-1 blocks, then a padded rest of five columns (16 rows or more).
        int wide = 4 * LANES + 2 * LANES + LANES + 5;
        float[][] a = rows(64, INNER + 3);
        float[][] b = rows(INNER, wide);
        float[][] c = rows(64, wide);
        float[] bias = row(wide);
        // Blocks of one row and a scalar rest of three columns.
        int narrow = 4 * LANES + 2 * LANES + LANES + 3;
        float[][] few = rows(5, narrow);
        // One sample: blocks of eight, four and one vectors, then scalar columns.
        int oneWidth = 8 * LANES + 4 * LANES + LANES + 5;
        float[][] oneWeights = rows(INNER, oneWidth);
        float[] x = row(INNER + 3);
        float[] y = row(oneWidth);
        float[] oneBias = row(oneWidth);
        // A tile's weight gradient: columns in fours and one by one.
        float[][] u = rows(64, wide);
        float[][] g = rows(7, wide);
        float[] patches = row(64 * INNER);
        Runnable calls = () -> {
            VectorProducts.multiply(a, 3, b, bias, c, 64, INNER, wide);
            VectorProducts.multiply(a, 0, b, null, c, 64, INNER, wide);
            VectorProducts.multiply(a, 1, b, bias, few, 5, INNER, narrow);
            VectorProducts.multiply(a, 2, b, null, few, 5, 40, narrow);
            VectorProducts.multiplyOne(x, 3, oneWeights, oneBias, y, INNER, oneWidth);
            VectorProducts.multiplyOne(x, 0, oneWeights, null, y, 40, oneWidth);
            VectorProducts.addOuterProducts(a, 0, u, 0, g, 64, 7, wide, true);
            VectorProducts.addOuterProducts(a, 5, u, 0, g, 64, 7, wide, false);
            PatchProducts.multiply(patches, 0, INNER, 1, b, c, 64, INNER, wide);
            PatchProducts.multiply(patches, 1, 1, 64, b, few, 3, INNER, narrow);
            VectorFunctions.sigmoid(y, 0, oneWidth);
            VectorFunctions.tanh(y, 1, oneWidth - 1);
        };
        long quietest = quietestWindow(calls, 3_000, 200);
        assertEquals(0, quietest, "the kernels allocated " + quietest + " bytes in each window of 200 rounds");
    }

    /**
     * Bytes the calling thread allocated in the quietest of five windows of {@code rounds} calls
     * after {@code warmUp} calls: an allocation per call shows in every window, a one-off of the
     * JVM's own (a deoptimisation, say) in one at most.
     */
    private static long quietestWindow(Runnable calls, int warmUp, int rounds) {
        for (int i = 0; i < warmUp; i++) {
            calls.run();
        }
        long quietest = Long.MAX_VALUE;
        for (int window = 0; window < 5; window++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++) {
                calls.run();
            }
            quietest = Math.min(quietest, THREADS.getCurrentThreadAllocatedBytes() - before);
        }
        return quietest;
    }

    private float[][] rows(int count, int length) {
        float[][] rows = new float[count][];
        for (int i = 0; i < count; i++) {
            rows[i] = row(length);
        }
        return rows;
    }

    /** Values in [-0.5, 0.5), small enough that repeated products stay finite. */
    private float[] row(int length) {
        float[] row = new float[length];
        for (int i = 0; i < length; i++) {
            row[i] = random.nextFloat() - 0.5f;
        }
        return row;
    }
}
