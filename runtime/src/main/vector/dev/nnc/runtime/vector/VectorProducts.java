package dev.nnc.runtime.vector;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matrix products of tiled float networks (and the sums of squares of their gradient norm),
 * register-blocked with the JDK's Vector API
 * ({@code jdk.incubator.vector}). Generated code calls these only when {@link
 * dev.nnc.runtime.Vectorization#ENABLED} is true, that is when the JVM runs with {@code
 * --add-modules jdk.incubator.vector}; otherwise this class is never loaded.
 *
 * <p>Why they are faster than the plain loops: C2 vectorises a loop like {@code y[j] += x * w[j]},
 * but each multiply-add then loads and stores {@code y}, so the loop is bound by memory traffic
 * at about a third of the machine's multiply-add rate. Here a block of four output rows by four
 * vectors (64 floats with 512-bit vectors) stays in sixteen registers for the whole inner sum:
 * per step of the sum, four vector loads and four broadcasts feed sixteen fused multiply-adds.
 * Widths that are not a multiple of the vector length end in narrower blocks and a scalar tail.
 *
 * <p>Each block shape is a method of its own, in which vectors are created, used and stored, for
 * two reasons that both showed as allocation (boxed vectors) in a JIT state that only some runs
 * reach. Vectors must not cross a method call: C2 boxes the vector arguments of a call it does
 * not inline, and whether it inlines a helper depends on what was compiled before. And a method
 * must stay small: C1, which compiles a method before C2 does and does not intrinsify the Vector
 * API, gave up on a kernel of all the shapes together ("out of virtual registers") and the
 * method then ran boxed code until C2 compiled it, or for good. So a block that adds to the
 * gradient and one that replaces it are separate methods too.
 *
 * <p>All rows are {@code float[]} arrays (the generated code keeps per-sample values and weight
 * columns as arrays of rows). The sums use fused multiply-adds in a fixed order, so a result
 * depends only on the inputs and the vector length, never on timing; it differs from the plain
 * loops' in the last bits.
 *
 * <p>That order is the same in every block shape and tail of {@link #multiply} and {@link
 * #multiplyOne}: each output element is summed in slices of {@link #SLICE} weight rows, each
 * slice a chain of multiply-adds from zero in the order of k, the slice sums added to the total
 * in the order of k, then the bias. So a one-sample prediction equals its row of a batch to the
 * last bit. Blocked so, the rounding error of a sum over tens of thousands of inputs (a dense
 * layer after a convolution) is several times smaller than that of one chain over all of them,
 * which drifted past the float contract's tolerance of 1e-4; a product over at most 256 inputs
 * is one chain, as it was before the blocking. The sums over samples of {@link
 * #addOuterProducts} run over one tile (64 samples at most) and stay single chains.
 */
public final class VectorProducts {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /**
     * Whether four rows by four vectors fit the registers: that block holds 21 vectors at once
     * (sixteen sums, four weight vectors, one broadcast), which AVX-512's 32 vector registers
     * take and AVX2's 16 do not; with AVX2 the widest block is four rows by two vectors (eleven).
     */
    private static final boolean FOUR_BY_FOUR = LANES >= 16;

    /** {@code 0, 1, 2, ...}: each lane's index, which a mask of the lanes from one on compares against. */
    private static final float[] LANE_INDICES = laneIndices();
    /**
     * Every sum runs in slices of this many weight rows: each slice's sum is a chain of fused
     * multiply-adds from zero in the order of k, added to the total of the slices before it (the
     * first slice's sum is the total, so a product whose inner size fits in one slice is one
     * chain). A single chain over all of k adds every term to a total as large as the whole sum,
     * so its rounding error grows with the number of terms; summed in slices, a term meets a
     * total of at most 256 terms, and the slice totals are few. Slices of 64 rows would bound the
     * error about as well at most sizes, but ending a slice costs each sum an add, a load and a
     * store, and the end of its chain of multiply-adds: with 64 rows the products of N5's first
     * layer ran 6%-15% slower (docs/codegen.md, "The order of the sums").
     */
    private static final int SLICE = 256;
    /**
     * The four-by-four blocks run over this many weight rows at a time, every block of rows of
     * the tile in turn, before the next rows: the block's part of the weights (64 rows by four
     * vectors, 16 KB with AVX-512) then stays in the level-1 cache for all of the tile's rows
     * instead of coming from level 2 again for every four of them. A divisor of {@link #SLICE}:
     * within a slice the blocks continue their chains of multiply-adds from the sums they
     * stored (in the output rows for the first slice, whose sum is the total, in {@link
     * #PARTIALS} for later ones), and the first rows of each later slice start from zero.
     */
    private static final int K_BLOCK = 64;
    /**
     * From this many rows (in blocks of four) on, the columns left after the full vectors, if
     * there are at least four, run as one vector over a zero-padded copy of those columns instead
     * of in scalar blocks: a batch's ten classes, say. The copy costs about as much as the scalar
     * sums of a few blocks of rows, so it pays only for a batch.
     */
    private static final int PADDED_ROWS = 16;

    /**
     * Each thread's buffer for {@link #padColumns}: {@code inner} padded weight rows of a vector
     * each, then one vector through which the sums pass on their way to the narrow output rows.
     * Reused, so a batched prediction allocates nothing after its first call on a thread.
     */
    private static final ThreadLocal<float[]> PADDED = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Each thread's rows for the four-by-four blocks' sums of a {@link #SLICE} after the first,
     * which run over several {@link #K_BLOCK}s of weight rows before they are added to the total
     * in the output rows: as many rows and columns as the largest tile seen on the thread, so a
     * batch allocates nothing after its first call on a thread.
     */
    private static final ThreadLocal<float[][]> PARTIALS = ThreadLocal.withInitial(() -> new float[0][]);

    /**
     * Each thread's buffer for the later slices of {@link #narrowRow}, a slice's sums before they
     * are added to the row's total: narrower than a vector, so one vector's length suffices.
     */
    private static final ThreadLocal<float[]> NARROW_SLICE = ThreadLocal.withInitial(() -> new float[LANES]);

    /** Doubles of the same vector size: a float vector widens into two of them. */
    private static final VectorSpecies<Double> WIDE = DoubleVector.SPECIES_PREFERRED;
    /** The floats that widen to one {@link #WIDE} vector: half a float vector's lanes. */
    private static final int HALF_LANES = WIDE.length();

    static {
        OperatorCaches.fill();
    }

    private VectorProducts() {}

    /** Floats per vector: 16 with AVX-512, 8 with AVX2. */
    public static int lanes() {
        return LANES;
    }

    /**
     * {@code c[i][j] = sum over k < inner of a[i][ao + k] * b[k][j]} for {@code i < m} and
     * {@code j < width}: the product of a weight matrix, given by its rows {@code b[k]}, with
     * each of {@code m} per-sample vectors {@code a[i]} (starting at column {@code ao}). Each
     * element is summed in slices of {@link #SLICE} weight rows; the four-by-four blocks run
     * every block of rows over {@link #K_BLOCK} weight rows before the next ones, the other
     * blocks every block over a slice before the next slice (a kernel that loops over the slices
     * itself, a loop around the loop over k, ran 4%-30% slower).
     */
    public static void multiply(float[][] a, int ao, float[][] b, float[][] c, int m, int inner, int width) {
        multiply(a, ao, b, null, c, m, inner, width);
    }

    /**
     * {@link #multiply(float[][], int, float[][], float[][], int, int, int)}, then {@code bias[j]}
     * added to every {@code c[i][j]} unless {@code bias} is null: a batched prediction's {@code W x
     * + bias}. The bias is added in a pass over the output after the products (see {@link
     * #addBias} for why not as the kernels store their sums). Each element is the sum, then the
     * bias, as in {@link #multiplyOne}, so a row of a batch stays equal to a one-sample prediction
     * to the last bit.
     */
    public static void multiply(
            float[][] a, int ao, float[][] b, float[] bias, float[][] c, int m, int inner, int width) {
        if (width < LANES && m < 4) {
            multiplyNarrow(a, ao, b, c, m, inner, width);
            addBias(bias, c, 0, m, 0, width);
            return;
        }
        int blockedRows = m - m % 4;
        int blockedWidth = FOUR_BY_FOUR ? width - width % (4 * LANES) : 0;
        if (blockedRows > 0 && blockedWidth > 0) {
            float[][] partial = inner > SLICE ? partialSums(blockedRows, blockedWidth) : null;
            for (int k = 0; k < inner; k += K_BLOCK) {
                int end = Math.min(inner, k + K_BLOCK);
                boolean starts = k % SLICE == 0;
                boolean ends = end % SLICE == 0 || end == inner;
                for (int j = 0; j < blockedWidth; j += 4 * LANES) {
                    for (int i = 0; i < blockedRows; i += 4) {
                        if (k == 0) {
                            product4x4(a, i, ao, b, c, k, end, j);
                        } else if (k < SLICE) {
                            // The first slice's sum is the total: it stays in c.
                            product4x4More(a, i, ao, b, c, k, end, j);
                        } else if (starts && ends) {
                            product4x4Add(a, i, ao, b, c, k, end, j);
                        } else if (starts) {
                            product4x4(a, i, ao, b, partial, k, end, j);
                        } else if (!ends) {
                            product4x4More(a, i, ao, b, partial, k, end, j);
                        } else {
                            product4x4MoreAdd(a, i, ao, b, partial, c, k, end, j);
                        }
                    }
                }
            }
        }
        int rest = width % LANES;
        int vectorWidth = width - rest;
        boolean padded = rest >= 4 && blockedRows >= PADDED_ROWS;
        if (padded) {
            paddedProducts(a, ao, b, c, blockedRows, inner, vectorWidth, rest);
        }
        // The columns and rows outside the four-by-four blocks, one slice of weight rows at a time.
        int from = 0;
        do {
            int to = sliceEnd(from, inner);
            for (int i = 0; i < blockedRows; i += 4) {
                int j = blockedWidth;
                for (; j + 2 * LANES <= width; j += 2 * LANES) {
                    product4x2(a, i, ao, b, c, from, to, j);
                }
                for (; j + LANES <= width; j += LANES) {
                    product4x1(a, i, ao, b, c, from, to, j);
                }
                if (padded) {
                    continue;
                }
                for (; j + 4 <= width; j += 4) {
                    productScalar4x4(a, i, ao, b, c, from, to, j);
                }
                for (; j + 2 <= width; j += 2) {
                    productScalar4x2(a, i, ao, b, c, from, to, j);
                }
                for (; j < width; j++) {
                    productScalar4(a, i, ao, b, c, from, to, j);
                }
            }
            for (int i = blockedRows; i < m; i++) {
                int j = 0;
                for (; j + 4 * LANES <= width; j += 4 * LANES) {
                    product1x4(a, i, ao, b, c, from, to, j);
                }
                for (; j + 2 * LANES <= width; j += 2 * LANES) {
                    product1x2(a, i, ao, b, c, from, to, j);
                }
                for (; j + LANES <= width; j += LANES) {
                    product1x1(a, i, ao, b, c, from, to, j);
                }
                for (; j + 4 <= width; j += 4) {
                    productScalar1x4(a, i, ao, b, c, from, to, j);
                }
                for (; j < width; j++) {
                    productScalar1(a, i, ao, b, c, from, to, j);
                }
            }
            from = to;
        } while (from < inner);
        addBias(bias, c, 0, m, 0, width);
    }

    /**
     * This thread's {@link #PARTIALS} rows, at least {@code rows} of at least {@code width}
     * floats, grown if they are smaller.
     */
    private static float[][] partialSums(int rows, int width) {
        float[][] partial = PARTIALS.get();
        if (partial.length < rows || partial[0].length < width) {
            partial = new float[Math.max(rows, partial.length)]
                    [Math.max(width, partial.length == 0 ? 0 : partial[0].length)];
            PARTIALS.set(partial);
        }
        return partial;
    }

    /**
     * Rows {@code 0} to {@code rows - 1}, the {@code rest} columns from {@code j}, as vectors over
     * a zero-padded copy of those columns, in blocks of eight rows, then of four. These kernels
     * run over the slices of weight rows themselves: called once per slice, as the other blocks
     * are, a logits product of a batch of 64 ran 2.2x slower, for reasons not found.
     */
    private static void paddedProducts(
            float[][] a, int ao, float[][] b, float[][] c, int rows, int inner, int j, int rest) {
        float[] padded = padColumns(b, inner, j, rest);
        int i = 0;
        for (; i + 8 <= rows; i += 8) {
            product8x1Padded(a, i, ao, padded, c, inner, j, rest);
        }
        for (; i < rows; i += 4) {
            product4x1Padded(a, i, ao, padded, c, inner, j, rest);
        }
    }

    /**
     * {@code c[i][j] += bias[j]} for rows {@code from} to {@code to - 1} and columns {@code j0} to
     * {@code width - 1}; nothing if {@code bias} is null.
     *
     * <p>A pass of its own, not an add as the kernels store their sums, because no vector may
     * pass through a merge of control flow such as {@code if (bias != null) s = s.add(t);}: the
     * merged vector's class is no longer exact, so C2 intrinsifies the operations on it only
     * behind a type guard, and where (as we read it) C2 compiles that guard without a trap (after
     * other code has used up the traps of the Vector API's shared methods, or with {@code
     * -XX:InlineSmallCode=200}) the stores were not intrinsified and every vector of the kernel
     * was boxed: a prediction and a training step of a batch of 64 allocated from 300 KB to 70
     * MB. The first slice's sums and the later ones' are stored in two branches for the same
     * reason. The sums carried round a loop need such guards too, which JDK 17's Vector API
     * offers no way around; they keep their traps as long as the compilation's count of traps
     * stays under the limit, which {@link OperatorCaches} sees to.
     */
    private static void addBias(float[] bias, float[][] c, int from, int to, int j0, int width) {
        if (bias == null) {
            return;
        }
        for (int i = from; i < to; i++) {
            addBias(bias, c[i], j0, width);
        }
    }

    /** {@code row[j] += bias[j]} for columns {@code j0} to {@code width - 1}; nothing if {@code bias} is null. */
    private static void addBias(float[] bias, float[] row, int j0, int width) {
        if (bias == null) {
            return;
        }
        for (int j = j0; j < width; j++) {
            row[j] += bias[j];
        }
    }

    /**
     * {@code y[j] = sum over k < inner of x[xo + k] * b[k][j]}, plus {@code bias[j]} unless
     * {@code bias} is null, for {@code j < width}: the product of a weight matrix (its rows {@code
     * b[k]}) with one sample, as a one-sample prediction computes it. {@link #multiply} with one
     * row keeps four vectors of sums, so each sum waits for the latency of the multiply-add before
     * it; here eight independent vectors of sums (128 floats with AVX-512) take each pass over the
     * weights, which is what it takes to issue two multiply-adds every cycle, and every weight
     * column is read in runs of eight vectors. Each element is the same blocked sum (see {@link
     * #SLICE}) as in {@link #multiply}, then the bias, so the result is the same to the last bit.
     */
    public static void multiplyOne(float[] x, int xo, float[][] b, float[] bias, float[] y, int inner, int width) {
        if (width < LANES) {
            narrowRow(x, xo, b, y, inner, width);
        } else {
            int from = 0;
            do {
                int to = sliceEnd(from, inner);
                int last = width - LANES;
                int j = 0;
                for (; j + 8 * LANES <= width; j += 8 * LANES) {
                    one8(x, xo, b, y, from, to, j, last);
                }
                // The columns left, if a whole vector: one pass whose last vector ends at the row's end.
                if (width - j > 4 * LANES) {
                    one8(x, xo, b, y, from, to, j, last);
                    j = width;
                } else if (width - j >= LANES) {
                    one4(x, xo, b, y, from, to, j, last);
                    j = width;
                }
                for (; j + 4 <= width; j += 4) {
                    oneScalar4(x, xo, b, y, from, to, j);
                }
                for (; j < width; j++) {
                    oneScalar1(x, xo, b, y, from, to, j);
                }
                from = to;
            } while (from < inner);
        }
        addBias(bias, y, 0, width);
    }

    /** The end of the slice of weight rows that starts at {@code from}: {@link #SLICE} rows, or fewer at the end. */
    private static int sliceEnd(int from, int inner) {
        return Math.min(inner, from + SLICE);
    }

    /**
     * Eight vectors of {@link #multiplyOne} from column {@code j}, each starting at most at {@code
     * last} (the last whole vector of the row): a group at the end of a row that is not a whole
     * number of vectors runs as eight chains whose last ones overlap the ones before, since a
     * pass with fewer chains waits on the multiply-add's latency and costs as much. An
     * overlapping chain computes the same sums in the same order, so it stores the same bits;
     * after the first slice every vector of the totals is loaded before any is stored, so none
     * adds a slice twice.
     */
    private static void one8(float[] x, int xo, float[][] b, float[] y, int from, int to, int j, int last) {
        int j0 = Math.min(j, last);
        int j1 = Math.min(j + LANES, last);
        int j2 = Math.min(j + 2 * LANES, last);
        int j3 = Math.min(j + 3 * LANES, last);
        int j4 = Math.min(j + 4 * LANES, last);
        int j5 = Math.min(j + 5 * LANES, last);
        int j6 = Math.min(j + 6 * LANES, last);
        int j7 = Math.min(j + 7 * LANES, last);
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int k = from; k < to; k++) {
            float[] bk = b[k];
            FloatVector xk = FloatVector.broadcast(SPECIES, x[xo + k]);
            s0 = FloatVector.fromArray(SPECIES, bk, j0).fma(xk, s0);
            s1 = FloatVector.fromArray(SPECIES, bk, j1).fma(xk, s1);
            s2 = FloatVector.fromArray(SPECIES, bk, j2).fma(xk, s2);
            s3 = FloatVector.fromArray(SPECIES, bk, j3).fma(xk, s3);
            s4 = FloatVector.fromArray(SPECIES, bk, j4).fma(xk, s4);
            s5 = FloatVector.fromArray(SPECIES, bk, j5).fma(xk, s5);
            s6 = FloatVector.fromArray(SPECIES, bk, j6).fma(xk, s6);
            s7 = FloatVector.fromArray(SPECIES, bk, j7).fma(xk, s7);
        }
        if (from > 0) {
            s0 = s0.add(FloatVector.fromArray(SPECIES, y, j0));
            s1 = s1.add(FloatVector.fromArray(SPECIES, y, j1));
            s2 = s2.add(FloatVector.fromArray(SPECIES, y, j2));
            s3 = s3.add(FloatVector.fromArray(SPECIES, y, j3));
            s4 = s4.add(FloatVector.fromArray(SPECIES, y, j4));
            s5 = s5.add(FloatVector.fromArray(SPECIES, y, j5));
            s6 = s6.add(FloatVector.fromArray(SPECIES, y, j6));
            s7 = s7.add(FloatVector.fromArray(SPECIES, y, j7));
        }
        s0.intoArray(y, j0);
        s1.intoArray(y, j1);
        s2.intoArray(y, j2);
        s3.intoArray(y, j3);
        s4.intoArray(y, j4);
        s5.intoArray(y, j5);
        s6.intoArray(y, j6);
        s7.intoArray(y, j7);
    }

    /** Four vectors of {@link #multiplyOne} from column {@code j}, each starting at most at {@code last}: see {@link #one8}. */
    private static void one4(float[] x, int xo, float[][] b, float[] y, int from, int to, int j, int last) {
        int j0 = Math.min(j, last);
        int j1 = Math.min(j + LANES, last);
        int j2 = Math.min(j + 2 * LANES, last);
        int j3 = Math.min(j + 3 * LANES, last);
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (int k = from; k < to; k++) {
            float[] bk = b[k];
            FloatVector xk = FloatVector.broadcast(SPECIES, x[xo + k]);
            s0 = FloatVector.fromArray(SPECIES, bk, j0).fma(xk, s0);
            s1 = FloatVector.fromArray(SPECIES, bk, j1).fma(xk, s1);
            s2 = FloatVector.fromArray(SPECIES, bk, j2).fma(xk, s2);
            s3 = FloatVector.fromArray(SPECIES, bk, j3).fma(xk, s3);
        }
        if (from > 0) {
            s0 = s0.add(FloatVector.fromArray(SPECIES, y, j0));
            s1 = s1.add(FloatVector.fromArray(SPECIES, y, j1));
            s2 = s2.add(FloatVector.fromArray(SPECIES, y, j2));
            s3 = s3.add(FloatVector.fromArray(SPECIES, y, j3));
        }
        s0.intoArray(y, j0);
        s1.intoArray(y, j1);
        s2.intoArray(y, j2);
        s3.intoArray(y, j3);
    }

    /** Columns {@code j} to {@code j + 3} of {@link #multiplyOne}: a scalar tail, four sums at once. */
    private static void oneScalar4(float[] x, int xo, float[][] b, float[] y, int from, int to, int j) {
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
        for (int k = from; k < to; k++) {
            float xk = x[xo + k];
            float[] bk = b[k];
            s0 = Math.fma(xk, bk[j], s0);
            s1 = Math.fma(xk, bk[j + 1], s1);
            s2 = Math.fma(xk, bk[j + 2], s2);
            s3 = Math.fma(xk, bk[j + 3], s3);
        }
        y[j] = slice(y[j], s0, from > 0);
        y[j + 1] = slice(y[j + 1], s1, from > 0);
        y[j + 2] = slice(y[j + 2], s2, from > 0);
        y[j + 3] = slice(y[j + 3], s3, from > 0);
    }

    /** Column {@code j} of {@link #multiplyOne}: a scalar tail. */
    private static void oneScalar1(float[] x, int xo, float[][] b, float[] y, int from, int to, int j) {
        float sum = 0.0f;
        for (int k = from; k < to; k++) {
            sum = Math.fma(x[xo + k], b[k][j], sum);
        }
        y[j] = slice(y[j], sum, from > 0);
    }

    /**
     * The total after a slice whose sum is {@code sum}: the total so far ({@code previous}) plus
     * {@code sum} if {@code more}, else {@code sum} alone (the first slice).
     */
    private static float slice(float previous, float sum, boolean more) {
        return more ? previous + sum : sum;
    }

    /**
     * Rows {@code i} to {@code i + 3} of the product, 4 vectors from column {@code j}: the sums over
     * {@code k} from {@code from} to {@code to - 1}, from zero (the first slice).
     */
    private static void product4x4(float[][] a, int i, int ao, float[][] b, float[][] c, int from, int to, int j) {
        float[] a0 = a[i];
        float[] a1 = a[i + 1];
        float[] a2 = a[i + 2];
        float[] a3 = a[i + 3];
        FloatVector s00 = FloatVector.zero(SPECIES),
                s01 = s00,
                s02 = s00,
                s03 = s00,
                s10 = s00,
                s11 = s00,
                s12 = s00,
                s13 = s00,
                s20 = s00,
                s21 = s00,
                s22 = s00,
                s23 = s00,
                s30 = s00,
                s31 = s00,
                s32 = s00,
                s33 = s00;
        for (int k = from; k < to; k++) {
            float[] bk = b[k];
            FloatVector b0 = FloatVector.fromArray(SPECIES, bk, j);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bk, j + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, bk, j + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, bk, j + 3 * LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a0[ao + k]);
            s00 = b0.fma(x, s00);
            s01 = b1.fma(x, s01);
            s02 = b2.fma(x, s02);
            s03 = b3.fma(x, s03);
            x = FloatVector.broadcast(SPECIES, a1[ao + k]);
            s10 = b0.fma(x, s10);
            s11 = b1.fma(x, s11);
            s12 = b2.fma(x, s12);
            s13 = b3.fma(x, s13);
            x = FloatVector.broadcast(SPECIES, a2[ao + k]);
            s20 = b0.fma(x, s20);
            s21 = b1.fma(x, s21);
            s22 = b2.fma(x, s22);
            s23 = b3.fma(x, s23);
            x = FloatVector.broadcast(SPECIES, a3[ao + k]);
            s30 = b0.fma(x, s30);
            s31 = b1.fma(x, s31);
            s32 = b2.fma(x, s32);
            s33 = b3.fma(x, s33);
        }
        float[] c0 = c[i];
        s00.intoArray(c0, j);
        s01.intoArray(c0, j + LANES);
        s02.intoArray(c0, j + 2 * LANES);
        s03.intoArray(c0, j + 3 * LANES);
        float[] c1 = c[i + 1];
        s10.intoArray(c1, j);
        s11.intoArray(c1, j + LANES);
        s12.intoArray(c1, j + 2 * LANES);
        s13.intoArray(c1, j + 3 * LANES);
        float[] c2 = c[i + 2];
        s20.intoArray(c2, j);
        s21.intoArray(c2, j + LANES);
        s22.intoArray(c2, j + 2 * LANES);
        s23.intoArray(c2, j + 3 * LANES);
        float[] c3 = c[i + 3];
        s30.intoArray(c3, j);
        s31.intoArray(c3, j + LANES);
        s32.intoArray(c3, j + 2 * LANES);
        s33.intoArray(c3, j + 3 * LANES);
    }

    /**
     * Rows {@code i} to {@code i + 3} of the product, 4 vectors from column {@code j}: the sums over
     * {@code k} from {@code from} to {@code to - 1} continue the sums of the same {@link #SLICE}
     * that {@code c} holds.
     */
    private static void product4x4More(float[][] a, int i, int ao, float[][] b, float[][] c, int from, int to, int j) {
        float[] a0 = a[i];
        float[] a1 = a[i + 1];
        float[] a2 = a[i + 2];
        float[] a3 = a[i + 3];
        float[] c0 = c[i];
        float[] c1 = c[i + 1];
        float[] c2 = c[i + 2];
        float[] c3 = c[i + 3];
        FloatVector s00 = FloatVector.fromArray(SPECIES, c0, j);
        FloatVector s01 = FloatVector.fromArray(SPECIES, c0, j + LANES);
        FloatVector s02 = FloatVector.fromArray(SPECIES, c0, j + 2 * LANES);
        FloatVector s03 = FloatVector.fromArray(SPECIES, c0, j + 3 * LANES);
        FloatVector s10 = FloatVector.fromArray(SPECIES, c1, j);
        FloatVector s11 = FloatVector.fromArray(SPECIES, c1, j + LANES);
        FloatVector s12 = FloatVector.fromArray(SPECIES, c1, j + 2 * LANES);
        FloatVector s13 = FloatVector.fromArray(SPECIES, c1, j + 3 * LANES);
        FloatVector s20 = FloatVector.fromArray(SPECIES, c2, j);
        FloatVector s21 = FloatVector.fromArray(SPECIES, c2, j + LANES);
        FloatVector s22 = FloatVector.fromArray(SPECIES, c2, j + 2 * LANES);
        FloatVector s23 = FloatVector.fromArray(SPECIES, c2, j + 3 * LANES);
        FloatVector s30 = FloatVector.fromArray(SPECIES, c3, j);
        FloatVector s31 = FloatVector.fromArray(SPECIES, c3, j + LANES);
        FloatVector s32 = FloatVector.fromArray(SPECIES, c3, j + 2 * LANES);
        FloatVector s33 = FloatVector.fromArray(SPECIES, c3, j + 3 * LANES);
        for (int k = from; k < to; k++) {
            float[] bk = b[k];
            FloatVector b0 = FloatVector.fromArray(SPECIES, bk, j);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bk, j + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, bk, j + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, bk, j + 3 * LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a0[ao + k]);
            s00 = b0.fma(x, s00);
            s01 = b1.fma(x, s01);
            s02 = b2.fma(x, s02);
            s03 = b3.fma(x, s03);
            x = FloatVector.broadcast(SPECIES, a1[ao + k]);
            s10 = b0.fma(x, s10);
            s11 = b1.fma(x, s11);
            s12 = b2.fma(x, s12);
            s13 = b3.fma(x, s13);
            x = FloatVector.broadcast(SPECIES, a2[ao + k]);
            s20 = b0.fma(x, s20);
            s21 = b1.fma(x, s21);
            s22 = b2.fma(x, s22);
            s23 = b3.fma(x, s23);
            x = FloatVector.broadcast(SPECIES, a3[ao + k]);
            s30 = b0.fma(x, s30);
            s31 = b1.fma(x, s31);
            s32 = b2.fma(x, s32);
            s33 = b3.fma(x, s33);
        }
        s00.intoArray(c0, j);
        s01.intoArray(c0, j + LANES);
        s02.intoArray(c0, j + 2 * LANES);
        s03.intoArray(c0, j + 3 * LANES);
        s10.intoArray(c1, j);
        s11.intoArray(c1, j + LANES);
        s12.intoArray(c1, j + 2 * LANES);
        s13.intoArray(c1, j + 3 * LANES);
        s20.intoArray(c2, j);
        s21.intoArray(c2, j + LANES);
        s22.intoArray(c2, j + 2 * LANES);
        s23.intoArray(c2, j + 3 * LANES);
        s30.intoArray(c3, j);
        s31.intoArray(c3, j + LANES);
        s32.intoArray(c3, j + 2 * LANES);
        s33.intoArray(c3, j + 3 * LANES);
    }

    /**
     * Rows {@code i} to {@code i + 3} of the product, 4 vectors from column {@code j}: the sums over
     * {@code k} from {@code from} to {@code to - 1} continue the sums of the same {@link #SLICE}
     * that {@code partial} holds; the slice's sums are then added to the totals that {@code c}
     * holds.
     */
    private static void product4x4MoreAdd(
            float[][] a, int i, int ao, float[][] b, float[][] partial, float[][] c, int from, int to, int j) {
        float[] a0 = a[i];
        float[] a1 = a[i + 1];
        float[] a2 = a[i + 2];
        float[] a3 = a[i + 3];
        float[] p0 = partial[i];
        float[] p1 = partial[i + 1];
        float[] p2 = partial[i + 2];
        float[] p3 = partial[i + 3];
        FloatVector s00 = FloatVector.fromArray(SPECIES, p0, j);
        FloatVector s01 = FloatVector.fromArray(SPECIES, p0, j + LANES);
        FloatVector s02 = FloatVector.fromArray(SPECIES, p0, j + 2 * LANES);
        FloatVector s03 = FloatVector.fromArray(SPECIES, p0, j + 3 * LANES);
        FloatVector s10 = FloatVector.fromArray(SPECIES, p1, j);
        FloatVector s11 = FloatVector.fromArray(SPECIES, p1, j + LANES);
        FloatVector s12 = FloatVector.fromArray(SPECIES, p1, j + 2 * LANES);
        FloatVector s13 = FloatVector.fromArray(SPECIES, p1, j + 3 * LANES);
        FloatVector s20 = FloatVector.fromArray(SPECIES, p2, j);
        FloatVector s21 = FloatVector.fromArray(SPECIES, p2, j + LANES);
        FloatVector s22 = FloatVector.fromArray(SPECIES, p2, j + 2 * LANES);
        FloatVector s23 = FloatVector.fromArray(SPECIES, p2, j + 3 * LANES);
        FloatVector s30 = FloatVector.fromArray(SPECIES, p3, j);
        FloatVector s31 = FloatVector.fromArray(SPECIES, p3, j + LANES);
        FloatVector s32 = FloatVector.fromArray(SPECIES, p3, j + 2 * LANES);
        FloatVector s33 = FloatVector.fromArray(SPECIES, p3, j + 3 * LANES);
        for (int k = from; k < to; k++) {
            float[] bk = b[k];
            FloatVector b0 = FloatVector.fromArray(SPECIES, bk, j);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bk, j + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, bk, j + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, bk, j + 3 * LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a0[ao + k]);
            s00 = b0.fma(x, s00);
            s01 = b1.fma(x, s01);
            s02 = b2.fma(x, s02);
            s03 = b3.fma(x, s03);
            x = FloatVector.broadcast(SPECIES, a1[ao + k]);
            s10 = b0.fma(x, s10);
            s11 = b1.fma(x, s11);
            s12 = b2.fma(x, s12);
            s13 = b3.fma(x, s13);
            x = FloatVector.broadcast(SPECIES, a2[ao + k]);
            s20 = b0.fma(x, s20);
            s21 = b1.fma(x, s21);
            s22 = b2.fma(x, s22);
            s23 = b3.fma(x, s23);
            x = FloatVector.broadcast(SPECIES, a3[ao + k]);
            s30 = b0.fma(x, s30);
            s31 = b1.fma(x, s31);
            s32 = b2.fma(x, s32);
            s33 = b3.fma(x, s33);
        }
        float[] c0 = c[i];
        float[] c1 = c[i + 1];
        float[] c2 = c[i + 2];
        float[] c3 = c[i + 3];
        s00 = s00.add(FloatVector.fromArray(SPECIES, c0, j));
        s01 = s01.add(FloatVector.fromArray(SPECIES, c0, j + LANES));
        s02 = s02.add(FloatVector.fromArray(SPECIES, c0, j + 2 * LANES));
        s03 = s03.add(FloatVector.fromArray(SPECIES, c0, j + 3 * LANES));
        s10 = s10.add(FloatVector.fromArray(SPECIES, c1, j));
        s11 = s11.add(FloatVector.fromArray(SPECIES, c1, j + LANES));
        s12 = s12.add(FloatVector.fromArray(SPECIES, c1, j + 2 * LANES));
        s13 = s13.add(FloatVector.fromArray(SPECIES, c1, j + 3 * LANES));
        s20 = s20.add(FloatVector.fromArray(SPECIES, c2, j));
        s21 = s21.add(FloatVector.fromArray(SPECIES, c2, j + LANES));
        s22 = s22.add(FloatVector.fromArray(SPECIES, c2, j + 2 * LANES));
        s23 = s23.add(FloatVector.fromArray(SPECIES, c2, j + 3 * LANES));
        s30 = s30.add(FloatVector.fromArray(SPECIES, c3, j));
        s31 = s31.add(FloatVector.fromArray(SPECIES, c3, j + LANES));
        s32 = s32.add(FloatVector.fromArray(SPECIES, c3, j + 2 * LANES));
        s33 = s33.add(FloatVector.fromArray(SPECIES, c3, j + 3 * LANES));
        s00.intoArray(c0, j);
        s01.intoArray(c0, j + LANES);
        s02.intoArray(c0, j + 2 * LANES);
        s03.intoArray(c0, j + 3 * LANES);
        s10.intoArray(c1, j);
        s11.intoArray(c1, j + LANES);
        s12.intoArray(c1, j + 2 * LANES);
        s13.intoArray(c1, j + 3 * LANES);
        s20.intoArray(c2, j);
        s21.intoArray(c2, j + LANES);
        s22.intoArray(c2, j + 2 * LANES);
        s23.intoArray(c2, j + 3 * LANES);
        s30.intoArray(c3, j);
        s31.intoArray(c3, j + LANES);
        s32.intoArray(c3, j + 2 * LANES);
        s33.intoArray(c3, j + 3 * LANES);
    }

    /**
     * Rows {@code i} to {@code i + 3} of the product, 4 vectors from column {@code j}: the sums over
     * {@code k} from {@code from} to {@code to - 1}, from zero (the first rows of a {@link #SLICE}
     * after the first), added to the totals of the earlier slices that {@code c} holds.
     */
    private static void product4x4Add(float[][] a, int i, int ao, float[][] b, float[][] c, int from, int to, int j) {
        float[] a0 = a[i];
        float[] a1 = a[i + 1];
        float[] a2 = a[i + 2];
        float[] a3 = a[i + 3];
        float[] c0 = c[i];
        float[] c1 = c[i + 1];
        float[] c2 = c[i + 2];
        float[] c3 = c[i + 3];
        FloatVector s00 = FloatVector.zero(SPECIES),
                s01 = s00,
                s02 = s00,
                s03 = s00,
                s10 = s00,
                s11 = s00,
                s12 = s00,
                s13 = s00,
                s20 = s00,
                s21 = s00,
                s22 = s00,
                s23 = s00,
                s30 = s00,
                s31 = s00,
                s32 = s00,
                s33 = s00;
        for (int k = from; k < to; k++) {
            float[] bk = b[k];
            FloatVector b0 = FloatVector.fromArray(SPECIES, bk, j);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bk, j + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, bk, j + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, bk, j + 3 * LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a0[ao + k]);
            s00 = b0.fma(x, s00);
            s01 = b1.fma(x, s01);
            s02 = b2.fma(x, s02);
            s03 = b3.fma(x, s03);
            x = FloatVector.broadcast(SPECIES, a1[ao + k]);
            s10 = b0.fma(x, s10);
            s11 = b1.fma(x, s11);
            s12 = b2.fma(x, s12);
            s13 = b3.fma(x, s13);
            x = FloatVector.broadcast(SPECIES, a2[ao + k]);
            s20 = b0.fma(x, s20);
            s21 = b1.fma(x, s21);
            s22 = b2.fma(x, s22);
            s23 = b3.fma(x, s23);
            x = FloatVector.broadcast(SPECIES, a3[ao + k]);
            s30 = b0.fma(x, s30);
            s31 = b1.fma(x, s31);
            s32 = b2.fma(x, s32);
            s33 = b3.fma(x, s33);
        }
        s00 = s00.add(FloatVector.fromArray(SPECIES, c0, j));
        s01 = s01.add(FloatVector.fromArray(SPECIES, c0, j + LANES));
        s02 = s02.add(FloatVector.fromArray(SPECIES, c0, j + 2 * LANES));
        s03 = s03.add(FloatVector.fromArray(SPECIES, c0, j + 3 * LANES));
        s10 = s10.add(FloatVector.fromArray(SPECIES, c1, j));
        s11 = s11.add(FloatVector.fromArray(SPECIES, c1, j + LANES));
        s12 = s12.add(FloatVector.fromArray(SPECIES, c1, j + 2 * LANES));
        s13 = s13.add(FloatVector.fromArray(SPECIES, c1, j + 3 * LANES));
        s20 = s20.add(FloatVector.fromArray(SPECIES, c2, j));
        s21 = s21.add(FloatVector.fromArray(SPECIES, c2, j + LANES));
        s22 = s22.add(FloatVector.fromArray(SPECIES, c2, j + 2 * LANES));
        s23 = s23.add(FloatVector.fromArray(SPECIES, c2, j + 3 * LANES));
        s30 = s30.add(FloatVector.fromArray(SPECIES, c3, j));
        s31 = s31.add(FloatVector.fromArray(SPECIES, c3, j + LANES));
        s32 = s32.add(FloatVector.fromArray(SPECIES, c3, j + 2 * LANES));
        s33 = s33.add(FloatVector.fromArray(SPECIES, c3, j + 3 * LANES));
        s00.intoArray(c0, j);
        s01.intoArray(c0, j + LANES);
        s02.intoArray(c0, j + 2 * LANES);
        s03.intoArray(c0, j + 3 * LANES);
        s10.intoArray(c1, j);
        s11.intoArray(c1, j + LANES);
        s12.intoArray(c1, j + 2 * LANES);
        s13.intoArray(c1, j + 3 * LANES);
        s20.intoArray(c2, j);
        s21.intoArray(c2, j + LANES);
        s22.intoArray(c2, j + 2 * LANES);
        s23.intoArray(c2, j + 3 * LANES);
        s30.intoArray(c3, j);
        s31.intoArray(c3, j + LANES);
        s32.intoArray(c3, j + 2 * LANES);
        s33.intoArray(c3, j + 3 * LANES);
    }

    /** Rows {@code i} to {@code i + 3} of the product, 2 vectors from column {@code j}. */
    private static void product4x2(float[][] a, int i, int ao, float[][] b, float[][] c, int from, int to, int j) {
        float[] a0 = a[i];
        float[] a1 = a[i + 1];
        float[] a2 = a[i + 2];
        float[] a3 = a[i + 3];
        float[] c0 = c[i];
        float[] c1 = c[i + 1];
        float[] c2 = c[i + 2];
        float[] c3 = c[i + 3];
        FloatVector s00 = FloatVector.zero(SPECIES),
                s01 = s00,
                s10 = s00,
                s11 = s00,
                s20 = s00,
                s21 = s00,
                s30 = s00,
                s31 = s00;
        for (int k = from; k < to; k++) {
            float[] bk = b[k];
            FloatVector b0 = FloatVector.fromArray(SPECIES, bk, j);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bk, j + LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a0[ao + k]);
            s00 = b0.fma(x, s00);
            s01 = b1.fma(x, s01);
            x = FloatVector.broadcast(SPECIES, a1[ao + k]);
            s10 = b0.fma(x, s10);
            s11 = b1.fma(x, s11);
            x = FloatVector.broadcast(SPECIES, a2[ao + k]);
            s20 = b0.fma(x, s20);
            s21 = b1.fma(x, s21);
            x = FloatVector.broadcast(SPECIES, a3[ao + k]);
            s30 = b0.fma(x, s30);
            s31 = b1.fma(x, s31);
        }
        if (from > 0) {
            s00.add(FloatVector.fromArray(SPECIES, c0, j)).intoArray(c0, j);
            s01.add(FloatVector.fromArray(SPECIES, c0, j + LANES)).intoArray(c0, j + LANES);
            s10.add(FloatVector.fromArray(SPECIES, c1, j)).intoArray(c1, j);
            s11.add(FloatVector.fromArray(SPECIES, c1, j + LANES)).intoArray(c1, j + LANES);
            s20.add(FloatVector.fromArray(SPECIES, c2, j)).intoArray(c2, j);
            s21.add(FloatVector.fromArray(SPECIES, c2, j + LANES)).intoArray(c2, j + LANES);
            s30.add(FloatVector.fromArray(SPECIES, c3, j)).intoArray(c3, j);
            s31.add(FloatVector.fromArray(SPECIES, c3, j + LANES)).intoArray(c3, j + LANES);
        } else {
            s00.intoArray(c0, j);
            s01.intoArray(c0, j + LANES);
            s10.intoArray(c1, j);
            s11.intoArray(c1, j + LANES);
            s20.intoArray(c2, j);
            s21.intoArray(c2, j + LANES);
            s30.intoArray(c3, j);
            s31.intoArray(c3, j + LANES);
        }
    }

    /** Rows {@code i} to {@code i + 3} of the product, 1 vector from column {@code j}. */
    private static void product4x1(float[][] a, int i, int ao, float[][] b, float[][] c, int from, int to, int j) {
        float[] a0 = a[i];
        float[] a1 = a[i + 1];
        float[] a2 = a[i + 2];
        float[] a3 = a[i + 3];
        float[] c0 = c[i];
        float[] c1 = c[i + 1];
        float[] c2 = c[i + 2];
        float[] c3 = c[i + 3];
        FloatVector s00 = FloatVector.zero(SPECIES), s10 = s00, s20 = s00, s30 = s00;
        for (int k = from; k < to; k++) {
            float[] bk = b[k];
            FloatVector b0 = FloatVector.fromArray(SPECIES, bk, j);
            FloatVector x = FloatVector.broadcast(SPECIES, a0[ao + k]);
            s00 = b0.fma(x, s00);
            x = FloatVector.broadcast(SPECIES, a1[ao + k]);
            s10 = b0.fma(x, s10);
            x = FloatVector.broadcast(SPECIES, a2[ao + k]);
            s20 = b0.fma(x, s20);
            x = FloatVector.broadcast(SPECIES, a3[ao + k]);
            s30 = b0.fma(x, s30);
        }
        if (from > 0) {
            s00.add(FloatVector.fromArray(SPECIES, c0, j)).intoArray(c0, j);
            s10.add(FloatVector.fromArray(SPECIES, c1, j)).intoArray(c1, j);
            s20.add(FloatVector.fromArray(SPECIES, c2, j)).intoArray(c2, j);
            s30.add(FloatVector.fromArray(SPECIES, c3, j)).intoArray(c3, j);
        } else {
            s00.intoArray(c0, j);
            s10.intoArray(c1, j);
            s20.intoArray(c2, j);
            s30.intoArray(c3, j);
        }
    }

    /**
     * Columns {@code j} to {@code j + rest - 1} (fewer than a vector) of every weight row, copied
     * into vectors whose other lanes are zero: this thread's {@link #PADDED} buffer, grown if it
     * is too short.
     */
    private static float[] padColumns(float[][] b, int inner, int j, int rest) {
        float[] padded = PADDED.get();
        if (padded.length < (inner + 1) * LANES) {
            padded = new float[(inner + 1) * LANES];
            PADDED.set(padded);
        }
        for (int k = 0; k < inner; k++) {
            int at = k * LANES;
            System.arraycopy(b[k], j, padded, at, rest);
            Arrays.fill(padded, at + rest, at + LANES, 0.0f);
        }
        return padded;
    }

    /**
     * Rows {@code i} to {@code i + 3} of the product, the {@code rest} columns from {@code j} that
     * {@link #padColumns} copied into {@code padded}: one vector per row, each lane the blocked
     * sum of the scalar blocks; the lanes past {@code rest} sum zeros and are dropped.
     */
    private static void product4x1Padded(
            float[][] a, int i, int ao, float[] padded, float[][] c, int inner, int j, int rest) {
        float[] a0 = a[i];
        float[] a1 = a[i + 1];
        float[] a2 = a[i + 2];
        float[] a3 = a[i + 3];
        int out = inner * LANES;
        int from = 0;
        do {
            int to = sliceEnd(from, inner);
            FloatVector s00 = FloatVector.zero(SPECIES), s10 = s00, s20 = s00, s30 = s00;
            for (int k = from; k < to; k++) {
                FloatVector b0 = FloatVector.fromArray(SPECIES, padded, k * LANES);
                s00 = b0.fma(FloatVector.broadcast(SPECIES, a0[ao + k]), s00);
                s10 = b0.fma(FloatVector.broadcast(SPECIES, a1[ao + k]), s10);
                s20 = b0.fma(FloatVector.broadcast(SPECIES, a2[ao + k]), s20);
                s30 = b0.fma(FloatVector.broadcast(SPECIES, a3[ao + k]), s30);
            }
            boolean more = from > 0;
            s00.intoArray(padded, out);
            storeRest(padded, out, c[i], j, rest, more);
            s10.intoArray(padded, out);
            storeRest(padded, out, c[i + 1], j, rest, more);
            s20.intoArray(padded, out);
            storeRest(padded, out, c[i + 2], j, rest, more);
            s30.intoArray(padded, out);
            storeRest(padded, out, c[i + 3], j, rest, more);
            from = to;
        } while (from < inner);
    }

    /**
     * {@link #product4x1Padded} for rows {@code i} to {@code i + 7}: eight independent chains of
     * multiply-adds, which is what it takes to issue two every cycle while each waits four cycles
     * for the one before it; four chains leave half the multiply-add units idle. A batch's ten
     * classes run here. Each lane's sum is the same blocked sum, so the result is that of the
     * four-row block.
     */
    private static void product8x1Padded(
            float[][] a, int i, int ao, float[] padded, float[][] c, int inner, int j, int rest) {
        float[] a0 = a[i];
        float[] a1 = a[i + 1];
        float[] a2 = a[i + 2];
        float[] a3 = a[i + 3];
        float[] a4 = a[i + 4];
        float[] a5 = a[i + 5];
        float[] a6 = a[i + 6];
        float[] a7 = a[i + 7];
        int out = inner * LANES;
        int from = 0;
        do {
            int to = sliceEnd(from, inner);
            FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            for (int k = from; k < to; k++) {
                FloatVector b0 = FloatVector.fromArray(SPECIES, padded, k * LANES);
                s0 = b0.fma(FloatVector.broadcast(SPECIES, a0[ao + k]), s0);
                s1 = b0.fma(FloatVector.broadcast(SPECIES, a1[ao + k]), s1);
                s2 = b0.fma(FloatVector.broadcast(SPECIES, a2[ao + k]), s2);
                s3 = b0.fma(FloatVector.broadcast(SPECIES, a3[ao + k]), s3);
                s4 = b0.fma(FloatVector.broadcast(SPECIES, a4[ao + k]), s4);
                s5 = b0.fma(FloatVector.broadcast(SPECIES, a5[ao + k]), s5);
                s6 = b0.fma(FloatVector.broadcast(SPECIES, a6[ao + k]), s6);
                s7 = b0.fma(FloatVector.broadcast(SPECIES, a7[ao + k]), s7);
            }
            boolean more = from > 0;
            s0.intoArray(padded, out);
            storeRest(padded, out, c[i], j, rest, more);
            s1.intoArray(padded, out);
            storeRest(padded, out, c[i + 1], j, rest, more);
            s2.intoArray(padded, out);
            storeRest(padded, out, c[i + 2], j, rest, more);
            s3.intoArray(padded, out);
            storeRest(padded, out, c[i + 3], j, rest, more);
            s4.intoArray(padded, out);
            storeRest(padded, out, c[i + 4], j, rest, more);
            s5.intoArray(padded, out);
            storeRest(padded, out, c[i + 5], j, rest, more);
            s6.intoArray(padded, out);
            storeRest(padded, out, c[i + 6], j, rest, more);
            s7.intoArray(padded, out);
            storeRest(padded, out, c[i + 7], j, rest, more);
            from = to;
        } while (from < inner);
    }

    /**
     * The {@code rest} sums of a padded block, stored in {@code sums} from {@code at}, into {@code
     * row} from column {@code j}: copied for the first slice, added to the total the row holds
     * for the later ones.
     */
    private static void storeRest(float[] sums, int at, float[] row, int j, int rest, boolean more) {
        if (more) {
            for (int l = 0; l < rest; l++) {
                row[j + l] += sums[at + l];
            }
        } else {
            System.arraycopy(sums, at, row, j, rest);
        }
    }

    /** Row {@code i} of the product, 4 vectors from column {@code j}. */
    private static void product1x4(float[][] a, int i, int ao, float[][] b, float[][] c, int from, int to, int j) {
        float[] a0 = a[i];
        float[] c0 = c[i];
        FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s02 = s00, s03 = s00;
        for (int k = from; k < to; k++) {
            float[] bk = b[k];
            FloatVector b0 = FloatVector.fromArray(SPECIES, bk, j);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bk, j + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, bk, j + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, bk, j + 3 * LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a0[ao + k]);
            s00 = b0.fma(x, s00);
            s01 = b1.fma(x, s01);
            s02 = b2.fma(x, s02);
            s03 = b3.fma(x, s03);
        }
        if (from > 0) {
            s00.add(FloatVector.fromArray(SPECIES, c0, j)).intoArray(c0, j);
            s01.add(FloatVector.fromArray(SPECIES, c0, j + LANES)).intoArray(c0, j + LANES);
            s02.add(FloatVector.fromArray(SPECIES, c0, j + 2 * LANES)).intoArray(c0, j + 2 * LANES);
            s03.add(FloatVector.fromArray(SPECIES, c0, j + 3 * LANES)).intoArray(c0, j + 3 * LANES);
        } else {
            s00.intoArray(c0, j);
            s01.intoArray(c0, j + LANES);
            s02.intoArray(c0, j + 2 * LANES);
            s03.intoArray(c0, j + 3 * LANES);
        }
    }

    /** Row {@code i} of the product, 2 vectors from column {@code j}. */
    private static void product1x2(float[][] a, int i, int ao, float[][] b, float[][] c, int from, int to, int j) {
        float[] a0 = a[i];
        float[] c0 = c[i];
        FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00;
        for (int k = from; k < to; k++) {
            float[] bk = b[k];
            FloatVector x = FloatVector.broadcast(SPECIES, a0[ao + k]);
            s00 = FloatVector.fromArray(SPECIES, bk, j).fma(x, s00);
            s01 = FloatVector.fromArray(SPECIES, bk, j + LANES).fma(x, s01);
        }
        if (from > 0) {
            s00.add(FloatVector.fromArray(SPECIES, c0, j)).intoArray(c0, j);
            s01.add(FloatVector.fromArray(SPECIES, c0, j + LANES)).intoArray(c0, j + LANES);
        } else {
            s00.intoArray(c0, j);
            s01.intoArray(c0, j + LANES);
        }
    }

    /** Row {@code i} of the product, 1 vector from column {@code j}. */
    private static void product1x1(float[][] a, int i, int ao, float[][] b, float[][] c, int from, int to, int j) {
        float[] a0 = a[i];
        float[] c0 = c[i];
        FloatVector s00 = FloatVector.zero(SPECIES);
        for (int k = from; k < to; k++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b[k], j);
            s00 = b0.fma(FloatVector.broadcast(SPECIES, a0[ao + k]), s00);
        }
        if (from > 0) {
            s00.add(FloatVector.fromArray(SPECIES, c0, j)).intoArray(c0, j);
        } else {
            s00.intoArray(c0, j);
        }
    }

    /**
     * Columns {@code j} to {@code j + 3} of rows {@code i} to {@code i + 3}: a scalar tail in
     * sixteen independent sums, which keep both multiply-add units busy where four sums (one
     * column at a time) wait for each multiply-add's latency. The ten classes of a prediction run
     * here. Scalar and not in a narrower vector species: a second species in the same JVM turns
     * the Vector API's shared call sites polymorphic, after which C2 stopped intrinsifying the
     * full-width blocks too and they allocated a box per operation.
     */
    private static void productScalar4x4(
            float[][] a, int i, int ao, float[][] b, float[][] c, int from, int to, int j) {
        float[] a0 = a[i], a1 = a[i + 1], a2 = a[i + 2], a3 = a[i + 3];
        float s00 = 0.0f, s01 = 0.0f, s02 = 0.0f, s03 = 0.0f, s10 = 0.0f, s11 = 0.0f, s12 = 0.0f, s13 = 0.0f;
        float s20 = 0.0f, s21 = 0.0f, s22 = 0.0f, s23 = 0.0f, s30 = 0.0f, s31 = 0.0f, s32 = 0.0f, s33 = 0.0f;
        for (int k = from; k < to; k++) {
            float[] bk = b[k];
            float b0 = bk[j], b1 = bk[j + 1], b2 = bk[j + 2], b3 = bk[j + 3];
            float x = a0[ao + k];
            s00 = Math.fma(x, b0, s00);
            s01 = Math.fma(x, b1, s01);
            s02 = Math.fma(x, b2, s02);
            s03 = Math.fma(x, b3, s03);
            x = a1[ao + k];
            s10 = Math.fma(x, b0, s10);
            s11 = Math.fma(x, b1, s11);
            s12 = Math.fma(x, b2, s12);
            s13 = Math.fma(x, b3, s13);
            x = a2[ao + k];
            s20 = Math.fma(x, b0, s20);
            s21 = Math.fma(x, b1, s21);
            s22 = Math.fma(x, b2, s22);
            s23 = Math.fma(x, b3, s23);
            x = a3[ao + k];
            s30 = Math.fma(x, b0, s30);
            s31 = Math.fma(x, b1, s31);
            s32 = Math.fma(x, b2, s32);
            s33 = Math.fma(x, b3, s33);
        }
        boolean more = from > 0;
        store4(c[i], j, more, s00, s01, s02, s03);
        store4(c[i + 1], j, more, s10, s11, s12, s13);
        store4(c[i + 2], j, more, s20, s21, s22, s23);
        store4(c[i + 3], j, more, s30, s31, s32, s33);
    }

    /** A slice's four sums into {@code row} from column {@code j}: stored, or added to the total if {@code more}. */
    private static void store4(float[] row, int j, boolean more, float s0, float s1, float s2, float s3) {
        row[j] = slice(row[j], s0, more);
        row[j + 1] = slice(row[j + 1], s1, more);
        row[j + 2] = slice(row[j + 2], s2, more);
        row[j + 3] = slice(row[j + 3], s3, more);
    }

    /** Columns {@code j} and {@code j + 1} of rows {@code i} to {@code i + 3}: a scalar tail, eight sums at once. */
    private static void productScalar4x2(
            float[][] a, int i, int ao, float[][] b, float[][] c, int from, int to, int j) {
        float[] a0 = a[i], a1 = a[i + 1], a2 = a[i + 2], a3 = a[i + 3];
        float[] c0 = c[i], c1 = c[i + 1], c2 = c[i + 2], c3 = c[i + 3];
        float s00 = 0.0f, s01 = 0.0f, s10 = 0.0f, s11 = 0.0f, s20 = 0.0f, s21 = 0.0f, s30 = 0.0f, s31 = 0.0f;
        for (int k = from; k < to; k++) {
            float[] bk = b[k];
            float b0 = bk[j], b1 = bk[j + 1];
            float x0 = a0[ao + k], x1 = a1[ao + k], x2 = a2[ao + k], x3 = a3[ao + k];
            s00 = Math.fma(x0, b0, s00);
            s01 = Math.fma(x0, b1, s01);
            s10 = Math.fma(x1, b0, s10);
            s11 = Math.fma(x1, b1, s11);
            s20 = Math.fma(x2, b0, s20);
            s21 = Math.fma(x2, b1, s21);
            s30 = Math.fma(x3, b0, s30);
            s31 = Math.fma(x3, b1, s31);
        }
        boolean more = from > 0;
        c0[j] = slice(c0[j], s00, more);
        c0[j + 1] = slice(c0[j + 1], s01, more);
        c1[j] = slice(c1[j], s10, more);
        c1[j + 1] = slice(c1[j + 1], s11, more);
        c2[j] = slice(c2[j], s20, more);
        c2[j + 1] = slice(c2[j + 1], s21, more);
        c3[j] = slice(c3[j], s30, more);
        c3[j + 1] = slice(c3[j + 1], s31, more);
    }

    /**
     * Column {@code j} of rows {@code i} to {@code i + 3}: a scalar tail, in four independent
     * sums (one sum after another would wait for each multiply-add's latency).
     */
    private static void productScalar4(float[][] a, int i, int ao, float[][] b, float[][] c, int from, int to, int j) {
        float[] a0 = a[i], a1 = a[i + 1], a2 = a[i + 2], a3 = a[i + 3];
        float[] c0 = c[i], c1 = c[i + 1], c2 = c[i + 2], c3 = c[i + 3];
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
        for (int k = from; k < to; k++) {
            float bkj = b[k][j];
            s0 = Math.fma(a0[ao + k], bkj, s0);
            s1 = Math.fma(a1[ao + k], bkj, s1);
            s2 = Math.fma(a2[ao + k], bkj, s2);
            s3 = Math.fma(a3[ao + k], bkj, s3);
        }
        boolean more = from > 0;
        c0[j] = slice(c0[j], s0, more);
        c1[j] = slice(c1[j], s1, more);
        c2[j] = slice(c2[j], s2, more);
        c3[j] = slice(c3[j], s3, more);
    }

    /** Columns {@code j} to {@code j + 3} of row {@code i}: a scalar tail, four sums at once. */
    private static void productScalar1x4(
            float[][] a, int i, int ao, float[][] b, float[][] c, int from, int to, int j) {
        float[] ai = a[i];
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
        for (int k = from; k < to; k++) {
            float x = ai[ao + k];
            float[] bk = b[k];
            s0 = Math.fma(x, bk[j], s0);
            s1 = Math.fma(x, bk[j + 1], s1);
            s2 = Math.fma(x, bk[j + 2], s2);
            s3 = Math.fma(x, bk[j + 3], s3);
        }
        store4(c[i], j, from > 0, s0, s1, s2, s3);
    }

    /** Column {@code j} of row {@code i}: a scalar tail. */
    private static void productScalar1(float[][] a, int i, int ao, float[][] b, float[][] c, int from, int to, int j) {
        float[] ai = a[i];
        float[] ci = c[i];
        float sum = 0.0f;
        for (int k = from; k < to; k++) {
            sum = Math.fma(ai[ao + k], b[k][j], sum);
        }
        ci[j] = slice(ci[j], sum, from > 0);
    }

    private static float[] laneIndices() {
        float[] indices = new float[LANES];
        for (int l = 0; l < LANES; l++) {
            indices[l] = l;
        }
        return indices;
    }

    /**
     * {@code g[c][r] (+)= sum over s < m of x[s][xo + c] * u[s][uo + r]} for {@code c < columns}
     * and {@code r < rows}: the weight gradient of a tile, a sum of outer products, one gradient
     * column {@code g[c]} per input element. With {@code fresh} the sums replace the gradient,
     * otherwise they are added to it.
     */
    public static void addOuterProducts(
            float[][] x, int xo, float[][] u, int uo, float[][] g, int m, int columns, int rows, boolean fresh) {
        int c = 0;
        for (; c + 4 <= columns; c += 4) {
            int xc = xo + c;
            int r = 0;
            if (FOUR_BY_FOUR) {
                for (; r + 4 * LANES <= rows; r += 4 * LANES) {
                    if (fresh) {
                        outer4x4Fresh(x, xc, u, uo, g, c, m, r);
                    } else {
                        outer4x4Add(x, xc, u, uo, g, c, m, r);
                    }
                }
            }
            for (; r + 2 * LANES <= rows; r += 2 * LANES) {
                if (fresh) {
                    outer4x2Fresh(x, xc, u, uo, g, c, m, r);
                } else {
                    outer4x2Add(x, xc, u, uo, g, c, m, r);
                }
            }
            for (; r + LANES <= rows; r += LANES) {
                if (fresh) {
                    outer4x1Fresh(x, xc, u, uo, g, c, m, r);
                } else {
                    outer4x1Add(x, xc, u, uo, g, c, m, r);
                }
            }
            if (r < rows && rows >= LANES) {
                outer4x1Tail(x, xc, u, uo, g, c, m, r, rows, fresh);
                r = rows;
            }
            for (; r < rows; r++) {
                outerScalar4(x, xc, u, uo, g, c, m, r, fresh);
            }
        }
        for (; c < columns; c++) {
            int xc = xo + c;
            int r = 0;
            for (; r + 4 * LANES <= rows; r += 4 * LANES) {
                if (fresh) {
                    outer1x4Fresh(x, xc, u, uo, g, c, m, r);
                } else {
                    outer1x4Add(x, xc, u, uo, g, c, m, r);
                }
            }
            for (; r + LANES <= rows; r += LANES) {
                if (fresh) {
                    outer1x1Fresh(x, xc, u, uo, g, c, m, r);
                } else {
                    outer1x1Add(x, xc, u, uo, g, c, m, r);
                }
            }
            if (r < rows && rows >= LANES) {
                outer1x1Tail(x, xc, u, uo, g, c, m, r, rows, fresh);
                r = rows;
            }
            for (; r < rows; r++) {
                outerScalar1(x, xc, u, uo, g, c, m, r, fresh);
            }
        }
    }

    /** Gradient columns {@code c} to {@code c + 3}, 4 vectors from row {@code r}, replaced. */
    private static void outer4x4Fresh(float[][] x, int xc, float[][] u, int uo, float[][] g, int c, int m, int r) {
        float[] g0 = g[c];
        float[] g1 = g[c + 1];
        float[] g2 = g[c + 2];
        float[] g3 = g[c + 3];
        FloatVector s00 = FloatVector.zero(SPECIES);
        FloatVector s01 = FloatVector.zero(SPECIES);
        FloatVector s02 = FloatVector.zero(SPECIES);
        FloatVector s03 = FloatVector.zero(SPECIES);
        FloatVector s10 = FloatVector.zero(SPECIES);
        FloatVector s11 = FloatVector.zero(SPECIES);
        FloatVector s12 = FloatVector.zero(SPECIES);
        FloatVector s13 = FloatVector.zero(SPECIES);
        FloatVector s20 = FloatVector.zero(SPECIES);
        FloatVector s21 = FloatVector.zero(SPECIES);
        FloatVector s22 = FloatVector.zero(SPECIES);
        FloatVector s23 = FloatVector.zero(SPECIES);
        FloatVector s30 = FloatVector.zero(SPECIES);
        FloatVector s31 = FloatVector.zero(SPECIES);
        FloatVector s32 = FloatVector.zero(SPECIES);
        FloatVector s33 = FloatVector.zero(SPECIES);
        int at = uo + r;
        for (int s = 0; s < m; s++) {
            float[] xs = x[s];
            float[] us = u[s];
            FloatVector u0 = FloatVector.fromArray(SPECIES, us, at);
            FloatVector u1 = FloatVector.fromArray(SPECIES, us, at + LANES);
            FloatVector u2 = FloatVector.fromArray(SPECIES, us, at + 2 * LANES);
            FloatVector u3 = FloatVector.fromArray(SPECIES, us, at + 3 * LANES);
            FloatVector v = FloatVector.broadcast(SPECIES, xs[xc]);
            s00 = u0.fma(v, s00);
            s01 = u1.fma(v, s01);
            s02 = u2.fma(v, s02);
            s03 = u3.fma(v, s03);
            v = FloatVector.broadcast(SPECIES, xs[xc + 1]);
            s10 = u0.fma(v, s10);
            s11 = u1.fma(v, s11);
            s12 = u2.fma(v, s12);
            s13 = u3.fma(v, s13);
            v = FloatVector.broadcast(SPECIES, xs[xc + 2]);
            s20 = u0.fma(v, s20);
            s21 = u1.fma(v, s21);
            s22 = u2.fma(v, s22);
            s23 = u3.fma(v, s23);
            v = FloatVector.broadcast(SPECIES, xs[xc + 3]);
            s30 = u0.fma(v, s30);
            s31 = u1.fma(v, s31);
            s32 = u2.fma(v, s32);
            s33 = u3.fma(v, s33);
        }
        s00.intoArray(g0, r);
        s01.intoArray(g0, r + LANES);
        s02.intoArray(g0, r + 2 * LANES);
        s03.intoArray(g0, r + 3 * LANES);
        s10.intoArray(g1, r);
        s11.intoArray(g1, r + LANES);
        s12.intoArray(g1, r + 2 * LANES);
        s13.intoArray(g1, r + 3 * LANES);
        s20.intoArray(g2, r);
        s21.intoArray(g2, r + LANES);
        s22.intoArray(g2, r + 2 * LANES);
        s23.intoArray(g2, r + 3 * LANES);
        s30.intoArray(g3, r);
        s31.intoArray(g3, r + LANES);
        s32.intoArray(g3, r + 2 * LANES);
        s33.intoArray(g3, r + 3 * LANES);
    }

    /** Gradient columns {@code c} to {@code c + 3}, 4 vectors from row {@code r}, added to. */
    private static void outer4x4Add(float[][] x, int xc, float[][] u, int uo, float[][] g, int c, int m, int r) {
        float[] g0 = g[c];
        float[] g1 = g[c + 1];
        float[] g2 = g[c + 2];
        float[] g3 = g[c + 3];
        FloatVector s00 = FloatVector.fromArray(SPECIES, g0, r);
        FloatVector s01 = FloatVector.fromArray(SPECIES, g0, r + LANES);
        FloatVector s02 = FloatVector.fromArray(SPECIES, g0, r + 2 * LANES);
        FloatVector s03 = FloatVector.fromArray(SPECIES, g0, r + 3 * LANES);
        FloatVector s10 = FloatVector.fromArray(SPECIES, g1, r);
        FloatVector s11 = FloatVector.fromArray(SPECIES, g1, r + LANES);
        FloatVector s12 = FloatVector.fromArray(SPECIES, g1, r + 2 * LANES);
        FloatVector s13 = FloatVector.fromArray(SPECIES, g1, r + 3 * LANES);
        FloatVector s20 = FloatVector.fromArray(SPECIES, g2, r);
        FloatVector s21 = FloatVector.fromArray(SPECIES, g2, r + LANES);
        FloatVector s22 = FloatVector.fromArray(SPECIES, g2, r + 2 * LANES);
        FloatVector s23 = FloatVector.fromArray(SPECIES, g2, r + 3 * LANES);
        FloatVector s30 = FloatVector.fromArray(SPECIES, g3, r);
        FloatVector s31 = FloatVector.fromArray(SPECIES, g3, r + LANES);
        FloatVector s32 = FloatVector.fromArray(SPECIES, g3, r + 2 * LANES);
        FloatVector s33 = FloatVector.fromArray(SPECIES, g3, r + 3 * LANES);
        int at = uo + r;
        for (int s = 0; s < m; s++) {
            float[] xs = x[s];
            float[] us = u[s];
            FloatVector u0 = FloatVector.fromArray(SPECIES, us, at);
            FloatVector u1 = FloatVector.fromArray(SPECIES, us, at + LANES);
            FloatVector u2 = FloatVector.fromArray(SPECIES, us, at + 2 * LANES);
            FloatVector u3 = FloatVector.fromArray(SPECIES, us, at + 3 * LANES);
            FloatVector v = FloatVector.broadcast(SPECIES, xs[xc]);
            s00 = u0.fma(v, s00);
            s01 = u1.fma(v, s01);
            s02 = u2.fma(v, s02);
            s03 = u3.fma(v, s03);
            v = FloatVector.broadcast(SPECIES, xs[xc + 1]);
            s10 = u0.fma(v, s10);
            s11 = u1.fma(v, s11);
            s12 = u2.fma(v, s12);
            s13 = u3.fma(v, s13);
            v = FloatVector.broadcast(SPECIES, xs[xc + 2]);
            s20 = u0.fma(v, s20);
            s21 = u1.fma(v, s21);
            s22 = u2.fma(v, s22);
            s23 = u3.fma(v, s23);
            v = FloatVector.broadcast(SPECIES, xs[xc + 3]);
            s30 = u0.fma(v, s30);
            s31 = u1.fma(v, s31);
            s32 = u2.fma(v, s32);
            s33 = u3.fma(v, s33);
        }
        s00.intoArray(g0, r);
        s01.intoArray(g0, r + LANES);
        s02.intoArray(g0, r + 2 * LANES);
        s03.intoArray(g0, r + 3 * LANES);
        s10.intoArray(g1, r);
        s11.intoArray(g1, r + LANES);
        s12.intoArray(g1, r + 2 * LANES);
        s13.intoArray(g1, r + 3 * LANES);
        s20.intoArray(g2, r);
        s21.intoArray(g2, r + LANES);
        s22.intoArray(g2, r + 2 * LANES);
        s23.intoArray(g2, r + 3 * LANES);
        s30.intoArray(g3, r);
        s31.intoArray(g3, r + LANES);
        s32.intoArray(g3, r + 2 * LANES);
        s33.intoArray(g3, r + 3 * LANES);
    }

    /** Gradient columns {@code c} to {@code c + 3}, 2 vectors from row {@code r}, replaced. */
    private static void outer4x2Fresh(float[][] x, int xc, float[][] u, int uo, float[][] g, int c, int m, int r) {
        float[] g0 = g[c];
        float[] g1 = g[c + 1];
        float[] g2 = g[c + 2];
        float[] g3 = g[c + 3];
        FloatVector s00 = FloatVector.zero(SPECIES);
        FloatVector s01 = FloatVector.zero(SPECIES);
        FloatVector s10 = FloatVector.zero(SPECIES);
        FloatVector s11 = FloatVector.zero(SPECIES);
        FloatVector s20 = FloatVector.zero(SPECIES);
        FloatVector s21 = FloatVector.zero(SPECIES);
        FloatVector s30 = FloatVector.zero(SPECIES);
        FloatVector s31 = FloatVector.zero(SPECIES);
        int at = uo + r;
        for (int s = 0; s < m; s++) {
            float[] xs = x[s];
            float[] us = u[s];
            FloatVector u0 = FloatVector.fromArray(SPECIES, us, at);
            FloatVector u1 = FloatVector.fromArray(SPECIES, us, at + LANES);
            FloatVector v = FloatVector.broadcast(SPECIES, xs[xc]);
            s00 = u0.fma(v, s00);
            s01 = u1.fma(v, s01);
            v = FloatVector.broadcast(SPECIES, xs[xc + 1]);
            s10 = u0.fma(v, s10);
            s11 = u1.fma(v, s11);
            v = FloatVector.broadcast(SPECIES, xs[xc + 2]);
            s20 = u0.fma(v, s20);
            s21 = u1.fma(v, s21);
            v = FloatVector.broadcast(SPECIES, xs[xc + 3]);
            s30 = u0.fma(v, s30);
            s31 = u1.fma(v, s31);
        }
        s00.intoArray(g0, r);
        s01.intoArray(g0, r + LANES);
        s10.intoArray(g1, r);
        s11.intoArray(g1, r + LANES);
        s20.intoArray(g2, r);
        s21.intoArray(g2, r + LANES);
        s30.intoArray(g3, r);
        s31.intoArray(g3, r + LANES);
    }

    /** Gradient columns {@code c} to {@code c + 3}, 2 vectors from row {@code r}, added to. */
    private static void outer4x2Add(float[][] x, int xc, float[][] u, int uo, float[][] g, int c, int m, int r) {
        float[] g0 = g[c];
        float[] g1 = g[c + 1];
        float[] g2 = g[c + 2];
        float[] g3 = g[c + 3];
        FloatVector s00 = FloatVector.fromArray(SPECIES, g0, r);
        FloatVector s01 = FloatVector.fromArray(SPECIES, g0, r + LANES);
        FloatVector s10 = FloatVector.fromArray(SPECIES, g1, r);
        FloatVector s11 = FloatVector.fromArray(SPECIES, g1, r + LANES);
        FloatVector s20 = FloatVector.fromArray(SPECIES, g2, r);
        FloatVector s21 = FloatVector.fromArray(SPECIES, g2, r + LANES);
        FloatVector s30 = FloatVector.fromArray(SPECIES, g3, r);
        FloatVector s31 = FloatVector.fromArray(SPECIES, g3, r + LANES);
        int at = uo + r;
        for (int s = 0; s < m; s++) {
            float[] xs = x[s];
            float[] us = u[s];
            FloatVector u0 = FloatVector.fromArray(SPECIES, us, at);
            FloatVector u1 = FloatVector.fromArray(SPECIES, us, at + LANES);
            FloatVector v = FloatVector.broadcast(SPECIES, xs[xc]);
            s00 = u0.fma(v, s00);
            s01 = u1.fma(v, s01);
            v = FloatVector.broadcast(SPECIES, xs[xc + 1]);
            s10 = u0.fma(v, s10);
            s11 = u1.fma(v, s11);
            v = FloatVector.broadcast(SPECIES, xs[xc + 2]);
            s20 = u0.fma(v, s20);
            s21 = u1.fma(v, s21);
            v = FloatVector.broadcast(SPECIES, xs[xc + 3]);
            s30 = u0.fma(v, s30);
            s31 = u1.fma(v, s31);
        }
        s00.intoArray(g0, r);
        s01.intoArray(g0, r + LANES);
        s10.intoArray(g1, r);
        s11.intoArray(g1, r + LANES);
        s20.intoArray(g2, r);
        s21.intoArray(g2, r + LANES);
        s30.intoArray(g3, r);
        s31.intoArray(g3, r + LANES);
    }

    /** Gradient columns {@code c} to {@code c + 3}, 1 vector from row {@code r}, replaced. */
    private static void outer4x1Fresh(float[][] x, int xc, float[][] u, int uo, float[][] g, int c, int m, int r) {
        float[] g0 = g[c];
        float[] g1 = g[c + 1];
        float[] g2 = g[c + 2];
        float[] g3 = g[c + 3];
        FloatVector s00 = FloatVector.zero(SPECIES);
        FloatVector s10 = FloatVector.zero(SPECIES);
        FloatVector s20 = FloatVector.zero(SPECIES);
        FloatVector s30 = FloatVector.zero(SPECIES);
        int at = uo + r;
        for (int s = 0; s < m; s++) {
            float[] xs = x[s];
            float[] us = u[s];
            FloatVector u0 = FloatVector.fromArray(SPECIES, us, at);
            FloatVector v = FloatVector.broadcast(SPECIES, xs[xc]);
            s00 = u0.fma(v, s00);
            v = FloatVector.broadcast(SPECIES, xs[xc + 1]);
            s10 = u0.fma(v, s10);
            v = FloatVector.broadcast(SPECIES, xs[xc + 2]);
            s20 = u0.fma(v, s20);
            v = FloatVector.broadcast(SPECIES, xs[xc + 3]);
            s30 = u0.fma(v, s30);
        }
        s00.intoArray(g0, r);
        s10.intoArray(g1, r);
        s20.intoArray(g2, r);
        s30.intoArray(g3, r);
    }

    /** Gradient columns {@code c} to {@code c + 3}, 1 vector from row {@code r}, added to. */
    private static void outer4x1Add(float[][] x, int xc, float[][] u, int uo, float[][] g, int c, int m, int r) {
        float[] g0 = g[c];
        float[] g1 = g[c + 1];
        float[] g2 = g[c + 2];
        float[] g3 = g[c + 3];
        FloatVector s00 = FloatVector.fromArray(SPECIES, g0, r);
        FloatVector s10 = FloatVector.fromArray(SPECIES, g1, r);
        FloatVector s20 = FloatVector.fromArray(SPECIES, g2, r);
        FloatVector s30 = FloatVector.fromArray(SPECIES, g3, r);
        int at = uo + r;
        for (int s = 0; s < m; s++) {
            float[] xs = x[s];
            float[] us = u[s];
            FloatVector u0 = FloatVector.fromArray(SPECIES, us, at);
            FloatVector v = FloatVector.broadcast(SPECIES, xs[xc]);
            s00 = u0.fma(v, s00);
            v = FloatVector.broadcast(SPECIES, xs[xc + 1]);
            s10 = u0.fma(v, s10);
            v = FloatVector.broadcast(SPECIES, xs[xc + 2]);
            s20 = u0.fma(v, s20);
            v = FloatVector.broadcast(SPECIES, xs[xc + 3]);
            s30 = u0.fma(v, s30);
        }
        s00.intoArray(g0, r);
        s10.intoArray(g1, r);
        s20.intoArray(g2, r);
        s30.intoArray(g3, r);
    }

    /** Gradient column {@code c}, 4 vectors from row {@code r}, replaced. */
    private static void outer1x4Fresh(float[][] x, int xc, float[][] u, int uo, float[][] g, int c, int m, int r) {
        float[] g0 = g[c];
        FloatVector s00 = FloatVector.zero(SPECIES);
        FloatVector s01 = FloatVector.zero(SPECIES);
        FloatVector s02 = FloatVector.zero(SPECIES);
        FloatVector s03 = FloatVector.zero(SPECIES);
        int at = uo + r;
        for (int s = 0; s < m; s++) {
            float[] xs = x[s];
            float[] us = u[s];
            FloatVector u0 = FloatVector.fromArray(SPECIES, us, at);
            FloatVector u1 = FloatVector.fromArray(SPECIES, us, at + LANES);
            FloatVector u2 = FloatVector.fromArray(SPECIES, us, at + 2 * LANES);
            FloatVector u3 = FloatVector.fromArray(SPECIES, us, at + 3 * LANES);
            FloatVector v = FloatVector.broadcast(SPECIES, xs[xc]);
            s00 = u0.fma(v, s00);
            s01 = u1.fma(v, s01);
            s02 = u2.fma(v, s02);
            s03 = u3.fma(v, s03);
        }
        s00.intoArray(g0, r);
        s01.intoArray(g0, r + LANES);
        s02.intoArray(g0, r + 2 * LANES);
        s03.intoArray(g0, r + 3 * LANES);
    }

    /** Gradient column {@code c}, 4 vectors from row {@code r}, added to. */
    private static void outer1x4Add(float[][] x, int xc, float[][] u, int uo, float[][] g, int c, int m, int r) {
        float[] g0 = g[c];
        FloatVector s00 = FloatVector.fromArray(SPECIES, g0, r);
        FloatVector s01 = FloatVector.fromArray(SPECIES, g0, r + LANES);
        FloatVector s02 = FloatVector.fromArray(SPECIES, g0, r + 2 * LANES);
        FloatVector s03 = FloatVector.fromArray(SPECIES, g0, r + 3 * LANES);
        int at = uo + r;
        for (int s = 0; s < m; s++) {
            float[] xs = x[s];
            float[] us = u[s];
            FloatVector u0 = FloatVector.fromArray(SPECIES, us, at);
            FloatVector u1 = FloatVector.fromArray(SPECIES, us, at + LANES);
            FloatVector u2 = FloatVector.fromArray(SPECIES, us, at + 2 * LANES);
            FloatVector u3 = FloatVector.fromArray(SPECIES, us, at + 3 * LANES);
            FloatVector v = FloatVector.broadcast(SPECIES, xs[xc]);
            s00 = u0.fma(v, s00);
            s01 = u1.fma(v, s01);
            s02 = u2.fma(v, s02);
            s03 = u3.fma(v, s03);
        }
        s00.intoArray(g0, r);
        s01.intoArray(g0, r + LANES);
        s02.intoArray(g0, r + 2 * LANES);
        s03.intoArray(g0, r + 3 * LANES);
    }

    /** Gradient column {@code c}, 1 vector from row {@code r}, replaced. */
    private static void outer1x1Fresh(float[][] x, int xc, float[][] u, int uo, float[][] g, int c, int m, int r) {
        float[] g0 = g[c];
        FloatVector s00 = FloatVector.zero(SPECIES);
        int at = uo + r;
        for (int s = 0; s < m; s++) {
            float[] xs = x[s];
            float[] us = u[s];
            FloatVector u0 = FloatVector.fromArray(SPECIES, us, at);
            FloatVector v = FloatVector.broadcast(SPECIES, xs[xc]);
            s00 = u0.fma(v, s00);
        }
        s00.intoArray(g0, r);
    }

    /** Gradient column {@code c}, 1 vector from row {@code r}, added to. */
    private static void outer1x1Add(float[][] x, int xc, float[][] u, int uo, float[][] g, int c, int m, int r) {
        float[] g0 = g[c];
        FloatVector s00 = FloatVector.fromArray(SPECIES, g0, r);
        int at = uo + r;
        for (int s = 0; s < m; s++) {
            float[] xs = x[s];
            float[] us = u[s];
            FloatVector u0 = FloatVector.fromArray(SPECIES, us, at);
            FloatVector v = FloatVector.broadcast(SPECIES, xs[xc]);
            s00 = u0.fma(v, s00);
        }
        s00.intoArray(g0, r);
    }

    /**
     * Rows {@code r} to {@code rows} (fewer than a vector) of gradient columns {@code c} to {@code
     * c + 3}, as {@link #outerScalar4} sums them (the chain over the samples from zero, then added
     * to the gradient unless {@code fresh}), but as one vector that ends at the last row: its lanes
     * before {@code r}, rows that a block before has summed, keep what they hold. LeNet-5's first
     * dense layer has 120 rows, 8 past its vectors, and their scalar sums took half the time of
     * its weight gradient.
     */
    private static void outer4x1Tail(
            float[][] x, int xc, float[][] u, int uo, float[][] g, int c, int m, int r, int rows, boolean fresh) {
        int from = rows - LANES;
        VectorMask<Float> tail =
                FloatVector.fromArray(SPECIES, LANE_INDICES, 0).compare(VectorOperators.GT, r - from - 0.5f);
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        int at = uo + from;
        for (int s = 0; s < m; s++) {
            float[] xs = x[s];
            FloatVector u0 = FloatVector.fromArray(SPECIES, u[s], at);
            s0 = u0.fma(FloatVector.broadcast(SPECIES, xs[xc]), s0);
            s1 = u0.fma(FloatVector.broadcast(SPECIES, xs[xc + 1]), s1);
            s2 = u0.fma(FloatVector.broadcast(SPECIES, xs[xc + 2]), s2);
            s3 = u0.fma(FloatVector.broadcast(SPECIES, xs[xc + 3]), s3);
        }
        FloatVector g0 = FloatVector.fromArray(SPECIES, g[c], from);
        FloatVector g1 = FloatVector.fromArray(SPECIES, g[c + 1], from);
        FloatVector g2 = FloatVector.fromArray(SPECIES, g[c + 2], from);
        FloatVector g3 = FloatVector.fromArray(SPECIES, g[c + 3], from);
        if (!fresh) {
            s0 = g0.add(s0);
            s1 = g1.add(s1);
            s2 = g2.add(s2);
            s3 = g3.add(s3);
        }
        g0.blend(s0, tail).intoArray(g[c], from);
        g1.blend(s1, tail).intoArray(g[c + 1], from);
        g2.blend(s2, tail).intoArray(g[c + 2], from);
        g3.blend(s3, tail).intoArray(g[c + 3], from);
    }

    /** Rows {@code r} to {@code rows} of gradient column {@code c}: {@link #outer4x1Tail} for one column. */
    private static void outer1x1Tail(
            float[][] x, int xc, float[][] u, int uo, float[][] g, int c, int m, int r, int rows, boolean fresh) {
        int from = rows - LANES;
        VectorMask<Float> tail =
                FloatVector.fromArray(SPECIES, LANE_INDICES, 0).compare(VectorOperators.GT, r - from - 0.5f);
        FloatVector s0 = FloatVector.zero(SPECIES);
        int at = uo + from;
        for (int s = 0; s < m; s++) {
            s0 = FloatVector.fromArray(SPECIES, u[s], at).fma(FloatVector.broadcast(SPECIES, x[s][xc]), s0);
        }
        FloatVector g0 = FloatVector.fromArray(SPECIES, g[c], from);
        if (!fresh) {
            s0 = g0.add(s0);
        }
        g0.blend(s0, tail).intoArray(g[c], from);
    }

    /** Row {@code r} of gradient columns {@code c} to {@code c + 3}: a scalar tail, four sums at once. */
    private static void outerScalar4(
            float[][] x, int xc, float[][] u, int uo, float[][] g, int c, int m, int r, boolean fresh) {
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
        for (int s = 0; s < m; s++) {
            float[] xs = x[s];
            float usr = u[s][uo + r];
            s0 = Math.fma(xs[xc], usr, s0);
            s1 = Math.fma(xs[xc + 1], usr, s1);
            s2 = Math.fma(xs[xc + 2], usr, s2);
            s3 = Math.fma(xs[xc + 3], usr, s3);
        }
        float[] g0 = g[c], g1 = g[c + 1], g2 = g[c + 2], g3 = g[c + 3];
        g0[r] = fresh ? s0 : g0[r] + s0;
        g1[r] = fresh ? s1 : g1[r] + s1;
        g2[r] = fresh ? s2 : g2[r] + s2;
        g3[r] = fresh ? s3 : g3[r] + s3;
    }

    /** Row {@code r} of gradient column {@code c}: a scalar tail. */
    private static void outerScalar1(
            float[][] x, int xc, float[][] u, int uo, float[][] g, int c, int m, int r, boolean fresh) {
        float sum = 0.0f;
        for (int s = 0; s < m; s++) {
            sum = Math.fma(x[s][xc], u[s][uo + r], sum);
        }
        g[c][r] = fresh ? sum : g[c][r] + sum;
    }

    /**
     * {@link #multiply} for fewer than four samples and outputs narrower than a vector (the ten
     * classes of a one-sample prediction, say): {@link #narrowRow} for each sample. With one
     * sample the scalar tail would be a single chain of multiply-adds, each waiting for the one
     * before; from four samples on, the tail has four independent chains and needs no extra pass.
     */
    private static void multiplyNarrow(float[][] a, int ao, float[][] b, float[][] c, int m, int inner, int width) {
        for (int i = 0; i < m; i++) {
            narrowRow(a[i], ao, b, c[i], inner, width);
        }
    }

    /**
     * {@code y[j] = sum over k < inner of x[xo + k] * b[k][j]} for {@code j < width}, narrower than
     * a vector: the generated code's plain form, four weight rows per pass over {@code y}, which C2
     * vectorises as far as the width allows, in the slices of {@link #SLICE} weight rows of the
     * blocked sum. The first slice sums into {@code y}; each later one sums from zero into this
     * thread's {@link #NARROW_SLICE} buffer, which is then added to {@code y}.
     */
    private static void narrowRow(float[] x, int xo, float[][] b, float[] y, int inner, int width) {
        int to = sliceEnd(0, inner);
        narrowSlice(x, xo, b, y, 0, to, width);
        if (to < inner) {
            float[] part = NARROW_SLICE.get();
            for (int from = to; from < inner; from = to) {
                to = sliceEnd(from, inner);
                narrowSlice(x, xo, b, part, from, to, width);
                for (int j = 0; j < width; j++) {
                    y[j] += part[j];
                }
            }
        }
    }

    /** One slice of {@link #narrowRow}: weight rows {@code from} to {@code to - 1}, summed into {@code y} from zero. */
    private static void narrowSlice(float[] x, int xo, float[][] b, float[] y, int from, int to, int width) {
        Arrays.fill(y, 0, width, 0.0f);
        int k = from;
        for (; k + 4 <= to; k += 4) {
            float x0 = x[xo + k], x1 = x[xo + k + 1], x2 = x[xo + k + 2], x3 = x[xo + k + 3];
            float[] w0 = b[k], w1 = b[k + 1], w2 = b[k + 2], w3 = b[k + 3];
            for (int j = 0; j < width; j++) {
                y[j] += x0 * w0[j] + x1 * w1[j] + x2 * w2[j] + x3 * w3[j];
            }
        }
        for (; k < to; k++) {
            float x0 = x[xo + k];
            float[] w0 = b[k];
            for (int j = 0; j < width; j++) {
                y[j] += x0 * w0[j];
            }
        }
    }

    /**
     * {@code y[yo + i * width + j] = sum over k < inner of a[ao + i * inner + k] * b[k][j]} for
     * {@code i < rows} and {@code j < width}: a sample's {@code [rows, inner]} matrix, lying in
     * a flat array from {@code ao}, times the weight rows {@code b[k]}, into a flat array from
     * {@code yo}. A recurrent layer's input projection (every step's features times the input
     * weight) has this form. Its plain loops sum each row in a scratch row and copy it to its
     * place, because C2 does not vectorise a loop over a row at an offset; here the rows are read
     * and written in place. Each element is a chain of fused multiply-adds from zero in the order
     * of k, so a tile and a tile of one give the same bits.
     */
    public static void multiplyFlat(float[] a, int ao, float[][] b, float[] y, int yo, int rows, int inner, int width) {
        for (int i = 0; i < rows; i++) {
            int ai = ao + i * inner;
            int yi = yo + i * width;
            int j = 0;
            for (; j + 4 * LANES <= width; j += 4 * LANES) {
                flat4(a, ai, b, y, yi + j, inner, j);
            }
            for (; j + LANES <= width; j += LANES) {
                flat1(a, ai, b, y, yi + j, inner, j);
            }
            for (; j < width; j++) {
                float sum = 0.0f;
                for (int k = 0; k < inner; k++) {
                    sum = Math.fma(a[ai + k], b[k][j], sum);
                }
                y[yi + j] = sum;
            }
        }
    }

    /** Four vectors of a row of {@link #multiplyFlat}, from column {@code j}, stored from {@code y[at]}. */
    private static void flat4(float[] a, int ai, float[][] b, float[] y, int at, int inner, int j) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (int k = 0; k < inner; k++) {
            float[] bk = b[k];
            FloatVector x = FloatVector.broadcast(SPECIES, a[ai + k]);
            s0 = FloatVector.fromArray(SPECIES, bk, j).fma(x, s0);
            s1 = FloatVector.fromArray(SPECIES, bk, j + LANES).fma(x, s1);
            s2 = FloatVector.fromArray(SPECIES, bk, j + 2 * LANES).fma(x, s2);
            s3 = FloatVector.fromArray(SPECIES, bk, j + 3 * LANES).fma(x, s3);
        }
        s0.intoArray(y, at);
        s1.intoArray(y, at + LANES);
        s2.intoArray(y, at + 2 * LANES);
        s3.intoArray(y, at + 3 * LANES);
    }

    /** One vector of a row of {@link #multiplyFlat}, from column {@code j}, stored at {@code y[at]}. */
    private static void flat1(float[] a, int ai, float[][] b, float[] y, int at, int inner, int j) {
        FloatVector s = FloatVector.zero(SPECIES);
        for (int k = 0; k < inner; k++) {
            s = FloatVector.fromArray(SPECIES, b[k], j).fma(FloatVector.broadcast(SPECIES, a[ai + k]), s);
        }
        s.intoArray(y, at);
    }

    /**
     * The sum of the squares of {@code a[from]} to {@code a[to - 1]}, in double (a float sum of
     * squares overflows near 1.8e19): the gradient norm's share of one run of a parameter. C2
     * does not vectorise the plain loop, whose float-to-double conversion sits in a reduction.
     *
     * <p>Each vector of doubles is the first part of the conversion of a whole float vector, the
     * second half loaded from its own offset. The second part of a conversion runs through
     * shuffles, masks and blends, which no other kernel uses: run for the first time at the
     * first training step, late in the warm-up, that machinery changed the profiles of Vector API
     * methods that the products share, and in some JVMs the products were compiled with their
     * vectors boxed after it. (A half-width float vector widened whole is not intrinsified at
     * all in JDK 17.)
     */
    public static double sumOfSquares(float[] a, int from, int to) {
        DoubleVector low = DoubleVector.zero(WIDE);
        DoubleVector high = low;
        int i = from;
        for (; i + LANES + HALF_LANES <= to; i += LANES) {
            DoubleVector first =
                    (DoubleVector) FloatVector.fromArray(SPECIES, a, i).convertShape(VectorOperators.F2D, WIDE, 0);
            DoubleVector second = (DoubleVector)
                    FloatVector.fromArray(SPECIES, a, i + HALF_LANES).convertShape(VectorOperators.F2D, WIDE, 0);
            low = first.fma(first, low);
            high = second.fma(second, high);
        }
        double total = low.add(high).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            total += (double) a[i] * a[i];
        }
        return total;
    }
}
