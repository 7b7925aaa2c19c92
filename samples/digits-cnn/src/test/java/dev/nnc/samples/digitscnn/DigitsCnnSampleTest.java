package dev.nnc.samples.digitscnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.Dataset;
import org.junit.jupiter.api.Test;

class DigitsCnnSampleTest {

    @Test
    void loadsAllImagesOfTheDataSetAsOneChannelImages() {
        Dataset data = DigitsCnnSample.load();
        assertEquals(1797, data.size());
        assertEquals(DigitsCnn.INPUT_SIZE, data.featureCount());
        assertEquals(1 * 8 * 8, data.featureCount());
        assertEquals(DigitsCnn.OUTPUT_SIZE, data.targetCount());
    }

    @Test
    void scalesEveryPixelIntoTheUnitInterval() {
        Dataset scaled = DigitsCnnSample.scale(DigitsCnnSample.load());
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double pixel : scaled.features()) {
            min = Math.min(min, pixel);
            max = Math.max(max, pixel);
        }
        assertEquals(0.0, min);
        assertEquals(1.0, max);
    }

    @Test
    void reachesAtLeast98PercentTestAccuracy() {
        DigitsCnnSample.Result result = DigitsCnnSample.run(null);
        assertEquals(Math.round(0.25 * 1797), result.testRows());
        assertEquals(result.testRows(), result.confusion().total());
        assertEquals(result.accuracy(), result.confusion().accuracy(), 1e-12);
        assertTrue(result.accuracy() >= 0.98, "test accuracy " + result.accuracy() + " is below 0.98");
        assertEquals(DigitsCnnSample.EPOCHS, result.history().epochs().size());
    }
}
