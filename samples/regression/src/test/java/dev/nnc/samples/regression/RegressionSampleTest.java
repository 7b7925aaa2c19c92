package dev.nnc.samples.regression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.Dataset;
import org.junit.jupiter.api.Test;

class RegressionSampleTest {

    /** The targets vary with a variance of about 1.2 over [-1, 1]²; this bound is 1/60 of that. */
    static final double MSE_BOUND = 0.02;

    @Test
    void generatesTheLectureFunctionWithASeed() {
        Dataset data = RegressionSample.data(RegressionSample.SAMPLES, RegressionSample.DATA_SEED);
        assertEquals(100, data.size());
        for (int i = 0; i < data.size(); i++) {
            double[] x = data.featureRow(i);
            assertTrue(Math.abs(x[0]) <= 1 && Math.abs(x[1]) <= 1, "sample " + i + " is outside [-1, 1]^2");
            assertEquals(x[0] * x[0] + 3 * x[0] * x[1] + x[1] * x[1] + 5, data.targetRow(i)[0], 1e-12);
        }
        Dataset again = RegressionSample.data(RegressionSample.SAMPLES, RegressionSample.DATA_SEED);
        assertEquals(data.featureRow(99)[1], again.featureRow(99)[1], "the same seed gives the same samples");
    }

    @Test
    void fitsTheTrainingSamplesAndFreshOnes() {
        Dataset data = RegressionSample.data(RegressionSample.SAMPLES, RegressionSample.DATA_SEED);
        Quadratic network = new Quadratic();
        double before = RegressionSample.mse(network, data);
        RegressionSample.train(network, data);

        double training = RegressionSample.mse(network, data);
        double fresh = RegressionSample.mse(
                network, RegressionSample.data(RegressionSample.FRESH_SAMPLES, RegressionSample.FRESH_SEED));
        assertTrue(before > 1, "the untrained network should be far off, MSE " + before);
        assertTrue(training < MSE_BOUND, "training MSE " + training + " is not below " + MSE_BOUND);
        assertTrue(fresh < 2 * MSE_BOUND, "MSE on fresh samples " + fresh + " is not below " + 2 * MSE_BOUND);
    }
}
