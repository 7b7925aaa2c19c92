package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DatasetTest {

    @Test
    void exposesRowsAndValues() {
        Dataset data = new Dataset(new double[] {1, 2, 3, 4, 5, 6}, new double[] {0, 1, 1, 0, 0, 1}, 3, 2, 2);
        assertArrayEquals(new double[] {3, 4}, data.featureRow(1));
        assertArrayEquals(new double[] {0, 1}, data.targetRow(2));
        assertEquals(5, data.feature(2, 0));
        double[] buffer = new double[5];
        data.copyFeatures(2, buffer, 3);
        assertArrayEquals(new double[] {0, 0, 0, 5, 6}, buffer);
        assertEquals("Dataset[size=3, featureCount=2, targetCount=2]", data.toString());
    }

    @Test
    void cannotBeChangedThroughTheConstructorArgumentsOrAccessors() {
        double[] features = {1, 2};
        Dataset data = new Dataset(features, new double[0], 1, 2, 0);
        features[0] = 99;
        data.features()[1] = 99;
        assertArrayEquals(new double[] {1, 2}, data.features());
    }

    @Test
    void rejectsArraysThatDoNotMatchTheCounts() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new Dataset(new double[5], new double[3], 3, 2, 1));
        assertEquals("features must have 3 * 2 = 6 values, found 5", e.getMessage());
    }

    @Test
    void rejectsNonFiniteValuesNamingRowAndColumn() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new Dataset(new double[] {1, 2, 3, Double.NaN}, new double[2], 2, 2, 1));
        assertEquals("feature at row 1, column 1 is NaN", e.getMessage());
    }

    @Test
    void rowsSelectsAndReordersRows() {
        Dataset data = new Dataset(new double[] {1, 2, 3}, new double[] {10, 20, 30}, 3, 1, 1);
        Dataset picked = data.rows(new int[] {2, 0});
        assertEquals(new Dataset(new double[] {3, 1}, new double[] {30, 10}, 2, 1, 1), picked);
    }
}
