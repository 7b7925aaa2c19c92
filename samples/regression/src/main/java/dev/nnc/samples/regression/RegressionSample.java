package dev.nnc.samples.regression;

import dev.nnc.runtime.Dataset;
import dev.nnc.runtime.Metrics;
import dev.nnc.runtime.SeededRandom;
import dev.nnc.runtime.Trainer;
import dev.nnc.runtime.TrainingHistory;
import java.util.Locale;

/**
 * Fits the generated {@link Quadratic} network to {@code y = x0² + 3 x0 x1 + x1² + 5} on 100
 * samples drawn uniformly from [-1, 1]² with a fixed seed, and prints the fit.
 */
public final class RegressionSample {

    static final int SAMPLES = 100;
    static final long DATA_SEED = 42;
    static final int EPOCHS = 2000;

    /** Points the network never saw in training, to show that it learned the function. */
    static final int FRESH_SAMPLES = 1000;

    static final long FRESH_SEED = 43;

    private RegressionSample() {}

    /** The function to learn. */
    static double truth(double x0, double x1) {
        return x0 * x0 + 3 * x0 * x1 + x1 * x1 + 5;
    }

    /** {@code n} points drawn uniformly from [-1, 1]², each with its exact target. */
    static Dataset data(int n, long seed) {
        SeededRandom random = new SeededRandom(seed);
        double[] xs = new double[2 * n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[2 * i] = 2 * random.nextDouble() - 1;
            xs[2 * i + 1] = 2 * random.nextDouble() - 1;
            ys[i] = truth(xs[2 * i], xs[2 * i + 1]);
        }
        return new Dataset(xs, ys, n, 2, 1);
    }

    /** Trains a fresh network on {@code data}; every epoch visits the samples one at a time. */
    static TrainingHistory train(Quadratic network, Dataset data) {
        return Trainer.builder().epochs(EPOCHS).batchSize(1).seed(7).build().fit(network, data);
    }

    /** The mean squared error of {@code network} over {@code data}. */
    static double mse(Quadratic network, Dataset data) {
        double[] predictions = new double[data.size()];
        network.predict(data.features(), data.size(), predictions);
        return Metrics.meanSquaredError(predictions, data.targets(), data.size(), 1);
    }

    /** Prints a few predictions next to the truth, and the mean squared error before and after. */
    public static void main(String[] args) {
        Dataset data = data(SAMPLES, DATA_SEED);
        Quadratic network = new Quadratic();
        double before = mse(network, data);
        TrainingHistory history = train(network, data);
        System.out.printf(
                Locale.ROOT,
                "trained %d epochs of %d samples%n%n",
                history.epochs().size(),
                SAMPLES);

        System.out.println("    x0      x1    truth  predicted");
        double[] x = new double[2];
        double[] out = new double[1];
        for (int i = 0; i < 8; i++) {
            data.copyFeatures(i, x, 0);
            network.predict(x, out);
            System.out.printf(Locale.ROOT, "%6.3f  %6.3f  %7.3f  %9.3f%n", x[0], x[1], truth(x[0], x[1]), out[0]);
        }
        System.out.printf(
                Locale.ROOT,
                "%nMSE over the %d training samples: %.4f before training, %.4f after%n",
                SAMPLES,
                before,
                mse(network, data));
        System.out.printf(
                Locale.ROOT,
                "MSE over %d fresh samples:          %.4f%n",
                FRESH_SAMPLES,
                mse(network, data(FRESH_SAMPLES, FRESH_SEED)));
    }
}
