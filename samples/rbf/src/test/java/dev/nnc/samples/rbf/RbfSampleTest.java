package dev.nnc.samples.rbf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.Dataset;
import org.junit.jupiter.api.Test;

class RbfSampleTest {

    /** The surface has a variance of about 0.10 over the square; this bound is 1% of that. */
    static final double MSE_BOUND = 1e-3;

    @Test
    void fitsTheGridAndFreshPoints() {
        Dataset grid = RbfSample.grid();
        Dataset fresh = RbfSample.randomPoints(RbfSample.FRESH_SAMPLES, RbfSample.FRESH_SEED);
        Rbf network = new Rbf();
        double before = RbfSample.mse(network, fresh);
        RbfSample.train(network, grid);
        double onGrid = RbfSample.mse(network, grid);
        double onFresh = RbfSample.mse(network, fresh);
        assertTrue(onGrid < MSE_BOUND, "MSE on the grid " + onGrid + " is not below " + MSE_BOUND);
        assertTrue(onFresh < MSE_BOUND, "MSE on fresh points " + onFresh + " is not below " + MSE_BOUND);
        assertTrue(onFresh < before / 10, "training did not help: " + before + " -> " + onFresh);
    }
}
