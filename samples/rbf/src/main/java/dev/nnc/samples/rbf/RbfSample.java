package dev.nnc.samples.rbf;

import dev.nnc.runtime.Dataset;
import dev.nnc.runtime.Metrics;
import dev.nnc.runtime.SeededRandom;
import dev.nnc.runtime.Trainer;
import dev.nnc.runtime.TrainingHistory;
import java.util.Locale;

/**
 * Fits the generated radial-basis network {@link Rbf} to a surface with a peak and a dip on the
 * unit square, trained on a regular grid and measured on seeded random points.
 */
public final class RbfSample {

    /** Grid points per side: the training set has GRID² points. */
    static final int GRID = 15;

    static final int FRESH_SAMPLES = 500;
    static final long FRESH_SEED = 11;
    static final int EPOCHS = 60;
    static final int BATCH_SIZE = 16;

    private RbfSample() {}

    /** A peak at (0.3, 0.3) and a shallower, narrower dip at (0.7, 0.65). */
    static double surface(double x0, double x1) {
        return bump(x0, x1, 0.3, 0.3, 0.08) - 0.5 * bump(x0, x1, 0.7, 0.65, 0.04);
    }

    private static double bump(double x0, double x1, double c0, double c1, double width2) {
        double d0 = x0 - c0;
        double d1 = x1 - c1;
        return Math.exp(-(d0 * d0 + d1 * d1) / width2);
    }

    /** The GRID x GRID points of [0, 1]², corners included, with their exact values. */
    static Dataset grid() {
        int n = GRID * GRID;
        double[] xs = new double[2 * n];
        double[] ys = new double[n];
        for (int i = 0; i < GRID; i++) {
            for (int j = 0; j < GRID; j++) {
                int row = i * GRID + j;
                xs[2 * row] = i / (GRID - 1.0);
                xs[2 * row + 1] = j / (GRID - 1.0);
                ys[row] = surface(xs[2 * row], xs[2 * row + 1]);
            }
        }
        return new Dataset(xs, ys, n, 2, 1);
    }

    /** {@code n} points drawn uniformly from [0, 1]² with {@code seed}, with their exact values. */
    static Dataset randomPoints(int n, long seed) {
        SeededRandom random = new SeededRandom(seed);
        double[] xs = new double[2 * n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[2 * i] = random.nextDouble();
            xs[2 * i + 1] = random.nextDouble();
            ys[i] = surface(xs[2 * i], xs[2 * i + 1]);
        }
        return new Dataset(xs, ys, n, 2, 1);
    }

    static TrainingHistory train(Rbf network, Dataset data) {
        return Trainer.builder()
                .epochs(EPOCHS)
                .batchSize(BATCH_SIZE)
                .seed(5)
                .build()
                .fit(network, data);
    }

    static double mse(Rbf network, Dataset data) {
        double[] predictions = new double[data.size()];
        network.predict(data.features(), data.size(), predictions);
        return Metrics.meanSquaredError(predictions, data.targets(), data.size(), 1);
    }

    /** Prints the loss as training goes, the fit on fresh points, and both surfaces as text. */
    public static void main(String[] args) {
        Dataset grid = grid();
        Dataset fresh = randomPoints(FRESH_SAMPLES, FRESH_SEED);
        Rbf network = new Rbf();
        System.out.printf(
                Locale.ROOT,
                "before training: MSE %.5f on the grid, %.5f on fresh points%n",
                mse(network, grid),
                mse(network, fresh));
        TrainingHistory history = train(network, grid);
        for (int epoch = 10; epoch <= EPOCHS; epoch += 10) {
            System.out.printf(
                    Locale.ROOT,
                    "epoch %d: loss %.5f%n",
                    epoch,
                    history.epochs().get(epoch - 1).loss());
        }
        System.out.printf(
                Locale.ROOT,
                "after training:  MSE %.5f on the %d grid points, %.5f on %d fresh points%n%n",
                mse(network, grid),
                grid.size(),
                mse(network, fresh),
                fresh.size());

        System.out.println("surface (left) and network (right), x0 down, x1 across; '#' high, '-' low:");
        double[] x = new double[2];
        double[] out = new double[1];
        for (int i = 0; i <= 10; i++) {
            StringBuilder truth = new StringBuilder();
            StringBuilder fit = new StringBuilder();
            for (int j = 0; j <= 20; j++) {
                x[0] = i / 10.0;
                x[1] = j / 20.0;
                network.predict(x, out);
                truth.append(shade(surface(x[0], x[1])));
                fit.append(shade(out[0]));
            }
            System.out.println("  " + truth + "    " + fit);
        }
    }

    private static char shade(double v) {
        String levels = "-=. :+*#";
        // -0.5 .. 1 onto the 8 levels.
        int level = (int) Math.floor((v + 0.5) / 1.5 * levels.length());
        return levels.charAt(Math.max(0, Math.min(levels.length() - 1, level)));
    }
}
