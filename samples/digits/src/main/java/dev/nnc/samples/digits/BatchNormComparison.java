package dev.nnc.samples.digits;

import dev.nnc.runtime.Dataset;
import dev.nnc.runtime.Datasets;
import dev.nnc.runtime.EpochReport;
import dev.nnc.runtime.Metrics;
import dev.nnc.runtime.TrainableNetwork;
import dev.nnc.runtime.Trainer;
import dev.nnc.runtime.TrainingHistory;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Trains the deeper network of {@code digits_batch_norm.nn} without ({@link DeepDigits}) and with
 * ({@link DeepDigitsBatchNorm}) batch normalisation on the split and pixels of {@link DigitsSample},
 * and reports after how many epochs each first classifies {@link #TARGET_ACCURACY} of the held-out
 * images correctly, and its accuracy there after the last epoch.
 *
 * <p>The held-out images are the trainer's validation data only so that it measures their
 * accuracy after every epoch; nothing is chosen by them (no early stopping, every epoch runs).
 */
public final class BatchNormComparison {

    static final int EPOCHS = 20;
    static final int BATCH_SIZE = 32;
    static final double TARGET_ACCURACY = 0.95;

    private BatchNormComparison() {}

    /**
     * What training one network gave.
     *
     * @param network the trained network
     * @param epochsToTarget the first epoch after which the held-out accuracy reached {@link
     *     #TARGET_ACCURACY}, or 0 if none did
     * @param accuracy the held-out accuracy after the last epoch
     * @param history every epoch's figures
     */
    record Result(TrainableNetwork network, int epochsToTarget, double accuracy, TrainingHistory history) {

        String name() {
            return network.name();
        }

        boolean reachedTarget() {
            return epochsToTarget > 0;
        }
    }

    /** Trains and evaluates both networks, {@link DeepDigits} first. */
    static List<Result> run() {
        Datasets.Standardized data = DigitsSample.standardizedSplit();
        return List.of(train(new DeepDigits(), data), train(new DeepDigitsBatchNorm(), data));
    }

    private static Result train(TrainableNetwork network, Datasets.Standardized data) {
        Dataset test = data.other();
        TrainingHistory history = Trainer.builder()
                .epochs(EPOCHS)
                .batchSize(BATCH_SIZE)
                .seed(1)
                .validationData(test)
                .build()
                .fit(network, data.training());
        int epochsToTarget = 0;
        for (EpochReport report : history.epochs()) {
            if (report.validationAccuracy() >= TARGET_ACCURACY) {
                epochsToTarget = report.epoch();
                break;
            }
        }
        double[] predictions = new double[test.size() * DigitsSample.CLASSES];
        network.predict(test.features(), test.size(), predictions);
        double accuracy = Metrics.accuracy(predictions, test.targets(), test.size(), DigitsSample.CLASSES);
        return new Result(network, epochsToTarget, accuracy, history);
    }

    /** Prints one line per network: epochs to the target accuracy and the final accuracy. */
    static void print(List<Result> results, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "Three sigmoid layers of 100, SGD with momentum, %d epochs of batch %d, without and with batch_norm:%n",
                EPOCHS,
                BATCH_SIZE);
        for (Result result : results) {
            String reached = result.reachedTarget()
                    ? String.format(Locale.ROOT, "after %2d epochs", result.epochsToTarget())
                    : String.format(Locale.ROOT, "not within %d epochs", EPOCHS);
            out.printf(
                    Locale.ROOT,
                    "  %-20s %.0f%% test accuracy %s; after epoch %d: %.2f%%%n",
                    result.name(),
                    100 * TARGET_ACCURACY,
                    reached,
                    EPOCHS,
                    100 * result.accuracy());
        }
    }

    /** Trains both networks and prints the comparison. */
    public static void main(String[] args) {
        print(run(), System.out);
    }
}
