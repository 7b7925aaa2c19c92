package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InitializersTest {

    private static final int N = 40_000;

    @Test
    void fillsOnlyTheGivenRegion() {
        double[] a = new double[10];
        java.util.Arrays.fill(a, -7);
        Initializers.ones(a, 3, 4);
        assertArrayEquals(new double[] {-7, -7, -7, 1, 1, 1, 1, -7, -7, -7}, a);
        Initializers.zeros(a, 0, 2);
        Initializers.constant(a, 8, 2, 2.5);
        assertArrayEquals(new double[] {0, 0, -7, 1, 1, 1, 1, -7, 2.5, 2.5}, a);
    }

    @Test
    void rejectsRegionOutsideTheArray() {
        assertThrows(IndexOutOfBoundsException.class, () -> Initializers.zeros(new double[4], 2, 3));
        assertThrows(
                IndexOutOfBoundsException.class,
                () -> Initializers.heNormal(new float[4], -1, 2, 3, new SeededRandom(1)));
    }

    @Test
    void sameSeedGivesSameValues() {
        double[] a = new double[100];
        double[] b = new double[100];
        Initializers.glorotUniform(a, 0, 100, 10, 10, new SeededRandom(9));
        Initializers.glorotUniform(b, 0, 100, 10, 10, new SeededRandom(9));
        assertArrayEquals(a, b);
    }

    @Test
    void floatOverloadGivesTheDoubleValuesRounded() {
        double[] d = new double[50];
        float[] f = new float[50];
        Initializers.heNormal(d, 0, 50, 8, new SeededRandom(4));
        Initializers.heNormal(f, 0, 50, 8, new SeededRandom(4));
        for (int i = 0; i < 50; i++) {
            assertEquals((float) d[i], f[i]);
        }
    }

    @Test
    void glorotUniformStaysWithinItsLimitAndHasTheUniformVariance() {
        double[] a = sample((arr, r) -> Initializers.glorotUniform(arr, 0, N, 20, 40, r));
        double limit = Math.sqrt(6.0 / 60);
        for (double v : a) {
            assertTrue(Math.abs(v) <= limit, "outside the Glorot limit: " + v);
        }
        assertMoments(a, 0, limit / Math.sqrt(3));
    }

    @Test
    void heUniformStaysWithinItsLimit() {
        double[] a = sample((arr, r) -> Initializers.heUniform(arr, 0, N, 12, r));
        double limit = Math.sqrt(6.0 / 12);
        for (double v : a) {
            assertTrue(Math.abs(v) <= limit, "outside the He limit: " + v);
        }
        assertMoments(a, 0, limit / Math.sqrt(3));
    }

    @Test
    void uniformStaysInHalfOpenInterval() {
        double[] a = sample((arr, r) -> Initializers.uniform(arr, 0, N, 2, 5, r));
        for (double v : a) {
            assertTrue(v >= 2 && v < 5, "outside [2, 5): " + v);
        }
        assertMoments(a, 3.5, 3 / Math.sqrt(12));
    }

    @Test
    void normalInitialisersHaveTheDocumentedStandardDeviations() {
        assertMoments(sample((arr, r) -> Initializers.normal(arr, 0, N, 1.5, 0.2, r)), 1.5, 0.2);
        assertMoments(sample((arr, r) -> Initializers.glorotNormal(arr, 0, N, 30, 20, r)), 0, Math.sqrt(2.0 / 50));
        assertMoments(sample((arr, r) -> Initializers.heNormal(arr, 0, N, 64, r)), 0, Math.sqrt(2.0 / 64));
        assertMoments(sample((arr, r) -> Initializers.lecunNormal(arr, 0, N, 64, r)), 0, Math.sqrt(1.0 / 64));
    }

    @Test
    void rejectsNonPositiveFanAndInvalidParameters() {
        SeededRandom r = new SeededRandom(1);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Initializers.heNormal(new double[3], 0, 3, 0, r));
        assertEquals("fanIn must be >= 1, found 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Initializers.uniform(new double[3], 0, 3, 1, 0, r));
        assertThrows(IllegalArgumentException.class, () -> Initializers.normal(new double[3], 0, 3, 0, -1, r));
    }

    private interface Filler {
        void fill(double[] a, SeededRandom random);
    }

    private static double[] sample(Filler filler) {
        double[] a = new double[N];
        filler.fill(a, new SeededRandom(2024));
        return a;
    }

    /** Checks sample mean and standard deviation within about five standard errors. */
    private static void assertMoments(double[] a, double mean, double std) {
        double sum = 0;
        for (double v : a) {
            sum += v;
        }
        double sampleMean = sum / a.length;
        double squares = 0;
        for (double v : a) {
            squares += (v - sampleMean) * (v - sampleMean);
        }
        double sampleStd = Math.sqrt(squares / (a.length - 1));
        assertEquals(mean, sampleMean, 5 * std / Math.sqrt(a.length), "mean");
        assertEquals(std, sampleStd, 0.03 * std, "standard deviation");
    }
}
