package dev.nnc.samples.iris;

import dev.nnc.runtime.ConfusionMatrix;
import dev.nnc.runtime.CsvOptions;
import dev.nnc.runtime.Dataset;
import dev.nnc.runtime.Datasets;
import dev.nnc.runtime.Metrics;
import dev.nnc.runtime.Trainer;
import dev.nnc.runtime.TrainingHistory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Trains the generated {@link Iris} network (dropout, SGD with Nesterov momentum) on Fisher's iris
 * data, then moves its parameters into the inference-only {@link IrisScorer} through a parameter
 * file, as a service that only predicts would.
 */
public final class IrisSample {

    static final int CLASSES = 3;
    static final String[] SPECIES = {"setosa", "versicolor", "virginica"};
    static final double TRAINING_FRACTION = 0.75;
    static final long SPLIT_SEED = 42;
    static final int EPOCHS = 100;
    static final int BATCH_SIZE = 8;

    private IrisSample() {}

    /** What a run produced; {@code scorerAgrees} is whether the scorer predicts every test row alike. */
    record Result(
            TrainingHistory history, Dataset test, double accuracy, ConfusionMatrix confusion, boolean scorerAgrees) {}

    /** Reads {@code iris.csv} from the class path: a header line, then 4 measurements and the class index. */
    static Dataset load() {
        try (InputStream in = IrisSample.class.getResourceAsStream("/iris.csv")) {
            if (in == null) {
                throw new IllegalStateException("iris.csv is not on the class path");
            }
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                return Datasets.readCsv(
                        reader, CsvOptions.classification(-1, CLASSES).withHeaderLines(1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Splits 75/25, standardises with the training statistics, trains (writing the training chart
     * to {@link #chartFile()}), evaluates, and checks the scorer.
     */
    static Result run(boolean printProgress) {
        Datasets.Split split = Datasets.split(load(), TRAINING_FRACTION, SPLIT_SEED);
        Datasets.Standardized data = Datasets.standardize(split.first(), split.second());
        Dataset test = data.other();

        Iris network = new Iris();
        Trainer.Builder trainer =
                Trainer.builder().epochs(EPOCHS).batchSize(BATCH_SIZE).seed(3).chart(chartFile());
        if (printProgress) {
            // One line every 10 epochs is enough to watch the loss fall.
            trainer.listener(report -> {
                if (report.epoch() % 10 == 0) {
                    System.out.println(report);
                }
            });
        }
        TrainingHistory history = trainer.build().fit(network, data.training());

        double[] probabilities = new double[test.size() * CLASSES];
        network.predict(test.features(), test.size(), probabilities);
        double[] targets = test.targets();

        IrisScorer scorer = toScorer(network);
        double[] scores = new double[test.size() * CLASSES];
        scorer.predict(test.features(), test.size(), scores);
        boolean agrees = Metrics.accuracy(scores, probabilities, test.size(), CLASSES) == 1.0;

        return new Result(
                history,
                test,
                Metrics.accuracy(probabilities, targets, test.size(), CLASSES),
                Metrics.confusionMatrix(probabilities, targets, test.size(), CLASSES),
                agrees);
    }

    /**
     * Copies the trained parameters into the inference-only network. The two declarations in
     * {@code iris.nn} have parameters of the same shapes in the same order, so the flat parameter
     * array of one is a valid parameter array of the other; {@code save} and {@code load} are the
     * file form of the same thing for the same network.
     */
    static IrisScorer toScorer(Iris trained) {
        try {
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            trained.save(file);
            Iris reloaded = Iris.load(new ByteArrayInputStream(file.toByteArray()));
            double[] parameters = new double[Iris.PARAMETER_COUNT];
            reloaded.getParameters(parameters);
            IrisScorer scorer = new IrisScorer();
            scorer.setParameters(parameters);
            return scorer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Where {@link #run} writes the training chart: {@code target/iris-training.svg}, beside the compiled
     * classes, wherever the JVM was started.
     */
    static Path chartFile() {
        try {
            Path classes = Path.of(IrisSample.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return classes.getParent().resolve("iris-training.svg");
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Prints progress, the chart's path, the test accuracy, the confusion matrix and a few predictions. */
    public static void main(String[] args) {
        Result result = run(true);
        System.out.printf("%ntraining chart: %s%n", chartFile());
        int n = result.test().size();
        System.out.printf(
                Locale.ROOT,
                "%ntest accuracy: %.1f%% (%d of %d flowers)%n%n",
                100 * result.accuracy(),
                Math.round(result.accuracy() * n),
                n);
        System.out.print(result.confusion());
        for (int c = 0; c < CLASSES; c++) {
            System.out.printf(Locale.ROOT, "%s%d = %s", c == 0 ? "classes: " : ", ", c, SPECIES[c]);
        }
        System.out.println();
        System.out.printf(
                "%nIrisScorer, loaded with the trained parameters, predicts %s%n",
                result.scorerAgrees() ? "every test flower alike" : "DIFFERENTLY");
    }
}
