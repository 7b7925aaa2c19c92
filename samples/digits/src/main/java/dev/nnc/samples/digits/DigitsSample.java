package dev.nnc.samples.digits;

import dev.nnc.runtime.ConfusionMatrix;
import dev.nnc.runtime.CsvOptions;
import dev.nnc.runtime.Dataset;
import dev.nnc.runtime.Datasets;
import dev.nnc.runtime.Metrics;
import dev.nnc.runtime.Trainer;
import dev.nnc.runtime.TrainingHistory;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Trains the generated {@link Digits} network on the 8x8 handwritten digits: 75% of the 1,797
 * images for training, the other 25% to measure the accuracy and the confusion matrix.
 */
public final class DigitsSample {

    static final int CLASSES = 10;
    static final double TRAINING_FRACTION = 0.75;
    static final long SPLIT_SEED = 42;
    static final int EPOCHS = 30;
    static final int BATCH_SIZE = 32;

    private DigitsSample() {}

    /** What a run produced. */
    record Result(TrainingHistory history, int testRows, double accuracy, ConfusionMatrix confusion) {}

    /** Reads {@code digits.csv.gz} from the class path: 64 pixel values 0..16 and the label 0..9 per line. */
    static Dataset load() {
        try (InputStream raw = DigitsSample.class.getResourceAsStream("/digits.csv.gz")) {
            if (raw == null) {
                throw new IllegalStateException("digits.csv.gz is not on the class path");
            }
            try (Reader reader = new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8)) {
                return Datasets.readCsv(reader, CsvOptions.classification(-1, CLASSES));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 75/25 split, standardised with the statistics of the training part only. */
    static Datasets.Standardized standardizedSplit() {
        Datasets.Split split = Datasets.split(load(), TRAINING_FRACTION, SPLIT_SEED);
        return Datasets.standardize(split.first(), split.second());
    }

    /**
     * Splits, standardises (with the statistics of the training part only), trains, evaluates,
     * and writes the training chart to {@link #chartFile()}. The held-out images are the
     * trainer's validation data only so that the chart shows their loss and accuracy per epoch:
     * nothing is decided with them (no early stopping).
     *
     * @param progress whether to show a progress bar on a terminal (plain lines elsewhere)
     */
    static Result run(boolean progress) {
        Datasets.Standardized data = standardizedSplit();
        Dataset training = data.training();
        Dataset test = data.other();

        Digits network = new Digits();
        Trainer.Builder trainer = Trainer.builder()
                .epochs(EPOCHS)
                .batchSize(BATCH_SIZE)
                .seed(1)
                .validationData(test)
                .chart(chartFile());
        if (progress) {
            trainer.progressBar();
        }
        TrainingHistory history = trainer.build().fit(network, training);

        double[] predictions = new double[test.size() * CLASSES];
        network.predict(test.features(), test.size(), predictions);
        double[] targets = test.targets();
        return new Result(
                history,
                test.size(),
                Metrics.accuracy(predictions, targets, test.size(), CLASSES),
                Metrics.confusionMatrix(predictions, targets, test.size(), CLASSES));
    }

    /**
     * Where {@link #run} writes the training chart: {@code target/digits-training.svg}, beside the compiled
     * classes, wherever the JVM was started.
     */
    static Path chartFile() {
        try {
            Path classes = Path.of(DigitsSample.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return classes.getParent().resolve("digits-training.svg");
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Prints a progress line per epoch, the path of the training chart, the test accuracy and the
     * confusion matrix, then the
     * deeper network's comparison without and with batch normalisation ({@link
     * BatchNormComparison}).
     */
    public static void main(String[] args) {
        System.out.printf(
                Locale.ROOT,
                "Digits: %d inputs, %d classes, %d parameters; %d epochs, batch size %d%n",
                Digits.INPUT_SIZE,
                Digits.OUTPUT_SIZE,
                Digits.PARAMETER_COUNT,
                EPOCHS,
                BATCH_SIZE);
        Result result = run(true);
        System.out.printf("%ntraining chart: %s%n", chartFile());
        System.out.printf(
                Locale.ROOT,
                "%ntest accuracy: %.2f%% (%d of %d images)%n%n",
                100 * result.accuracy(),
                Math.round(result.accuracy() * result.testRows()),
                result.testRows());
        System.out.print(result.confusion());
        System.out.println();
        BatchNormComparison.print(BatchNormComparison.run(), System.out);
    }
}
