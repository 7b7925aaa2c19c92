package dev.nnc.runtime.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums over the rows of a float matrix that lies in a flat array from an offset, for float
 * classes run with the Vector API (generated code calls these only when {@link
 * dev.nnc.runtime.Vectorization#ENABLED} is true).
 *
 * <p>Why: a recurrent layer's bias gradients are the column sums of a block of its trace, rows
 * that start at {@code offset + k * stride} in a sample's array. HotSpot's C2 (JDK 17) vectorises
 * a loop only when it can align all of its arrays' accesses with each other, which an offset
 * known only at run time prevents, so the plain loop adds one float at a time; here the rows are
 * read a vector at a time wherever they start.
 *
 * <p>Each column's sum starts from zero and adds the rows in order, as the plain loop does, so
 * the two give the same bits.
 */
public final class VectorSums {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    static {
        OperatorCaches.fill();
    }

    private VectorSums() {}

    /**
     * {@code y[yo + j] = sum over k < rows of a[ao + k * stride + j]} for {@code j < width}: the
     * column sums of a {@code [rows, width]} matrix whose rows start {@code stride} floats apart.
     */
    public static void columnSums(float[] a, int ao, int stride, int rows, float[] y, int yo, int width) {
        int j = 0;
        for (; j + 4 * LANES <= width; j += 4 * LANES) {
            columns4(a, ao + j, stride, rows, y, yo + j);
        }
        for (; j + LANES <= width; j += LANES) {
            columns1(a, ao + j, stride, rows, y, yo + j);
        }
        for (; j < width; j++) {
            float sum = 0.0f;
            for (int k = 0; k < rows; k++) {
                sum += a[ao + k * stride + j];
            }
            y[yo + j] = sum;
        }
    }

    /** Four vectors of columns from {@code a[ao]}: four independent chains of adds. */
    private static void columns4(float[] a, int ao, int stride, int rows, float[] y, int yo) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (int k = 0, at = ao; k < rows; k++, at += stride) {
            s0 = s0.add(FloatVector.fromArray(SPECIES, a, at));
            s1 = s1.add(FloatVector.fromArray(SPECIES, a, at + LANES));
            s2 = s2.add(FloatVector.fromArray(SPECIES, a, at + 2 * LANES));
            s3 = s3.add(FloatVector.fromArray(SPECIES, a, at + 3 * LANES));
        }
        s0.intoArray(y, yo);
        s1.intoArray(y, yo + LANES);
        s2.intoArray(y, yo + 2 * LANES);
        s3.intoArray(y, yo + 3 * LANES);
    }

    /** One vector of columns from {@code a[ao]}. */
    private static void columns1(float[] a, int ao, int stride, int rows, float[] y, int yo) {
        FloatVector s = FloatVector.zero(SPECIES);
        for (int k = 0, at = ao; k < rows; k++, at += stride) {
            s = s.add(FloatVector.fromArray(SPECIES, a, at));
        }
        s.intoArray(y, yo);
    }
}
