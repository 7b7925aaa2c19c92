package dev.nnc.samples.iris;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IrisSampleTest {

    @Test
    void reachesAtLeast90PercentTestAccuracy() {
        IrisSample.Result result = IrisSample.run(false);
        assertEquals(150 - Math.round(0.75 * 150), result.test().size());
        assertTrue(result.accuracy() >= 0.90, "test accuracy " + result.accuracy() + " is below 0.90");
    }

    @Test
    void theInferenceOnlyScorerPredictsLikeTheTrainedNetwork() {
        assertTrue(IrisSample.run(false).scorerAgrees());
    }

    @Test
    void trainingIsReproducible() {
        assertEquals(
                IrisSample.run(false).history().last().loss(),
                IrisSample.run(false).history().last().loss());
    }
}
