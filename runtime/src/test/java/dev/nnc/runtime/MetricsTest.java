package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MetricsTest {

    // Four rows of three classes: true classes 0, 1, 2, 2; predicted 0, 1, 1, 2.
    private static final double[] TARGETS = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1};
    private static final double[] PREDICTIONS = {0.7, 0.2, 0.1, -1, 3, 2, 0.1, 0.5, 0.4, 0, 0.1, 0.9};

    @Test
    void argmaxReturnsTheIndexRelativeToTheOffsetAndPrefersTheFirstOfTies() {
        assertEquals(1, Metrics.argmax(new double[] {9, 9, 1, 5, 2}, 2, 3));
        assertEquals(0, Metrics.argmax(new double[] {4, 4, 4}, 0, 3));
        assertEquals(2, Metrics.argmax(new double[] {Double.NaN, -1, 3}, 0, 3));
    }

    @Test
    void accuracyIsTheShareOfRowsWhoseArgmaxMatches() {
        assertEquals(0.75, Metrics.accuracy(PREDICTIONS, TARGETS, 4, 3));
        assertEquals(1.0, Metrics.accuracy(PREDICTIONS, TARGETS, 2, 3));
    }

    @Test
    void confusionMatrixCountsActualAgainstPredicted() {
        ConfusionMatrix m = Metrics.confusionMatrix(PREDICTIONS, TARGETS, 4, 3);
        assertEquals(1, m.count(0, 0));
        assertEquals(1, m.count(2, 1));
        assertEquals(0, m.count(1, 2));
        assertEquals(4, m.total());
        assertEquals(0.75, m.accuracy());
    }

    @Test
    void confusionMatrixRendersAnAlignedTable() {
        ConfusionMatrix m = new ConfusionMatrix(new int[][] {{50, 0, 0}, {0, 47, 3}, {0, 2, 48}});
        String expected = String.join(
                "\n",
                "actual \\ predicted    0    1    2  total",
                "                 0   50    0    0     50",
                "                 1    0   47    3     50",
                "                 2    0    2   48     50",
                "");
        assertEquals(expected, m.toString());
    }

    @Test
    void meanSquaredErrorAveragesOverAllValues() {
        assertEquals(
                (1 + 4 + 0 + 9) / 4.0,
                Metrics.meanSquaredError(new double[] {1, 2, 3, 4}, new double[] {0, 0, 3, 1}, 2, 2));
    }

    @Test
    void rejectsArraysShorterThanTheRowsAndSingleClassAccuracy() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Metrics.accuracy(PREDICTIONS, TARGETS, 5, 3));
        assertEquals("expected at least 5 * 3 = 15 values, found 12 predictions and 12 targets", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Metrics.accuracy(PREDICTIONS, TARGETS, 4, 1));
    }
}
