package dev.nnc.samples.co2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Co2SampleTest {

    @Test
    void preparesATrainingWindowForEveryWeekBeforeTheSplitAndATestWindowForEveryWeekAfter() {
        Co2Sample.Prepared data = Co2Sample.prepare();
        assertEquals(59, data.filledWeeks());
        assertEquals(1827, data.trainingWeeks());
        assertEquals(1827 - Co2Data.FIRST_TARGET, data.training().size());
        assertEquals(2284 - 1827, data.test().size());
        assertEquals(data.test().size(), data.testWeeks());
        assertEquals(Co2Forecast.INPUT_SIZE, data.training().featureCount());
        assertEquals(52 + 1, Co2Forecast.INPUT_SIZE);
        assertEquals(Co2Forecast.OUTPUT_SIZE, data.training().targetCount());
    }

    @Test
    void theNetworkBeatsBothBaselinesOnTheTestWeeks() {
        Co2Sample.Result result = Co2Sample.run(Co2Sample.prepare(), null);
        assertEquals(457, result.testWeeks());
        assertEquals(Co2Sample.EPOCHS, result.history().epochs().size());
        assertTrue(
                result.networkRmse() < result.lastValueRmse(),
                "network " + result.networkRmse() + " ppm, last value " + result.lastValueRmse() + " ppm");
        assertTrue(
                result.networkRmse() < result.seasonalNaiveRmse(),
                "network " + result.networkRmse() + " ppm, seasonal naive " + result.seasonalNaiveRmse() + " ppm");
    }
}
