package dev.nnc.samples.digits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.Dataset;
import org.junit.jupiter.api.Test;

class DigitsSampleTest {

    @Test
    void loadsAllImagesOfTheDataSet() {
        Dataset data = DigitsSample.load();
        assertEquals(1797, data.size());
        assertEquals(64, data.featureCount());
        assertEquals(10, data.targetCount());
    }

    @Test
    void reachesAtLeast95PercentTestAccuracy() {
        DigitsSample.Result result = DigitsSample.run(null);
        assertEquals(Math.round(0.25 * 1797), result.testRows());
        assertEquals(result.testRows(), result.confusion().total());
        assertEquals(result.accuracy(), result.confusion().accuracy(), 1e-12);
        assertTrue(result.accuracy() >= 0.95, "test accuracy " + result.accuracy() + " is below 0.95");
        assertEquals(DigitsSample.EPOCHS, result.history().epochs().size());
    }
}
