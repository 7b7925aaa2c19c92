package dev.nnc.samples.digits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.Dataset;
import dev.nnc.runtime.TrainableNetwork;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BatchNormComparisonTest {

    private static BatchNormComparison.Result plain;
    private static BatchNormComparison.Result normalised;

    @BeforeAll
    static void train() {
        List<BatchNormComparison.Result> results = BatchNormComparison.run();
        plain = results.get(0);
        normalised = results.get(1);
    }

    @Test
    void trainsBothNetworksForEveryEpoch() {
        assertEquals("DeepDigits", plain.name());
        assertEquals("DeepDigitsBatchNorm", normalised.name());
        assertEquals(BatchNormComparison.EPOCHS, plain.history().epochs().size());
        assertEquals(BatchNormComparison.EPOCHS, normalised.history().epochs().size());
    }

    @Test
    void batchNormReachesTheTargetAccuracyInFewerEpochs() {
        // Printed by the sample: with batch_norm 95% after 2 epochs, without after 16.
        assertTrue(
                normalised.reachedTarget() && normalised.epochsToTarget() <= 5,
                "with batch_norm, 95% took " + normalised.epochsToTarget() + " epochs (0: not reached)");
        assertTrue(
                !plain.reachedTarget() || plain.epochsToTarget() >= 2 * normalised.epochsToTarget(),
                "without batch_norm 95% took " + plain.epochsToTarget() + " epochs, with it "
                        + normalised.epochsToTarget());
        assertTrue(normalised.accuracy() >= 0.95, "final accuracy with batch_norm " + normalised.accuracy());
    }

    @Test
    void predictsEachImageAloneAsInABatch() {
        // Prediction normalises with the running statistics, so an image's probabilities do not
        // depend on the images predicted with it.
        Dataset test = DigitsSample.standardizedSplit().other();
        TrainableNetwork network = normalised.network();
        int classes = DigitsSample.CLASSES;
        double[] together = new double[test.size() * classes];
        network.predict(test.features(), test.size(), together);
        double[] alone = new double[classes];
        for (int i = 0; i < test.size(); i++) {
            double[] image = Arrays.copyOfRange(test.features(), i * 64, (i + 1) * 64);
            network.predict(image, alone);
            assertArrayEquals(Arrays.copyOfRange(together, i * classes, (i + 1) * classes), alone, 1e-12, "image " + i);
        }
    }
}
