package dev.nnc.samples.digitscnn;

import dev.nnc.runtime.ConfusionMatrix;
import dev.nnc.runtime.CsvOptions;
import dev.nnc.runtime.Dataset;
import dev.nnc.runtime.Datasets;
import dev.nnc.runtime.Metrics;
import dev.nnc.runtime.SafeTensors;
import dev.nnc.runtime.Trainer;
import dev.nnc.runtime.TrainingHistory;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Trains the generated convolutional network {@link DigitsCnn} on the 8x8 handwritten digits,
 * each fed as a 1x8x8 image: 75% of the 1,797 images for training, the other 25% to measure the
 * accuracy and the confusion matrix.
 */
public final class DigitsCnnSample {

    static final int CLASSES = 10;
    static final double TRAINING_FRACTION = 0.75;
    static final long SPLIT_SEED = 42;
    static final int EPOCHS = 60;
    static final int BATCH_SIZE = 32;
    /** The largest pixel value of the data set: a pixel counts the set bits of a 4x4 block. */
    static final double MAX_PIXEL = 16;

    private DigitsCnnSample() {}

    /** What a run produced. */
    record Result(
            TrainingHistory history, int testRows, double accuracy, ConfusionMatrix confusion, DigitsCnn network) {}

    /**
     * Reads {@code digits.csv.gz} from the class path: 64 pixel values 0..16 and the label 0..9
     * per line. The 64 pixels of a row are the image row by row, which is the layout of the
     * network's input {@code image[1, 8, 8]}.
     */
    static Dataset load() {
        try (InputStream raw = DigitsCnnSample.class.getResourceAsStream("/digits.csv.gz")) {
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

    /**
     * Divides every pixel by {@link #MAX_PIXEL}, so that pixels lie in [0, 1]. One scale for all
     * pixels keeps an image an image: the same stroke gives the same input wherever it lies, which
     * is what the shared filters of a convolution rely on. (Standardising each pixel with its own
     * mean and deviation, as the dense sample does, magnifies the rarely set border pixels; with
     * this network it reached a lower test accuracy.)
     */
    static Dataset scale(Dataset data) {
        double[] pixels = data.features();
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] /= MAX_PIXEL;
        }
        return new Dataset(pixels, data.targets(), data.size(), data.featureCount(), data.targetCount());
    }

    /**
     * Splits, scales, trains, evaluates, writes the training chart to {@link #chartFile()} and the
     * trained weights to {@link #weightsFile()}.
     * The held-out images are the trainer's validation data only so that the chart shows their
     * loss and accuracy per epoch: nothing is decided with them (no early stopping).
     *
     * @param progress whether to show a progress bar on a terminal (plain lines elsewhere)
     */
    static Result run(boolean progress) {
        Datasets.Split split = Datasets.split(load(), TRAINING_FRACTION, SPLIT_SEED);
        Dataset training = scale(split.first());
        Dataset test = scale(split.second());

        DigitsCnn network = new DigitsCnn();
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
        writeWeights(network);

        double[] predictions = new double[test.size() * CLASSES];
        network.predict(test.features(), test.size(), predictions);
        double[] targets = test.targets();
        return new Result(
                history,
                test.size(),
                Metrics.accuracy(predictions, targets, test.size(), CLASSES),
                Metrics.confusionMatrix(predictions, targets, test.size(), CLASSES),
                network);
    }

    /**
     * Writes the trained weights as a safetensors file, which PyTorch loads into the same layers
     * ({@code load_state_dict(safetensors.torch.load_file(...))}) and from which {@code nnc
     * export-onnx} makes an ONNX model.
     */
    private static void writeWeights(DigitsCnn network) {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(weightsFile()))) {
            SafeTensors.write(network, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + weightsFile(), e);
        }
    }

    /** Where {@link #run} writes the trained weights: {@code target/digits-cnn.safetensors}. */
    static Path weightsFile() {
        return targetDirectory().resolve("digits-cnn.safetensors");
    }

    /**
     * Where {@link #run} writes the training chart: {@code target/digits-cnn-training.svg}, beside the compiled
     * classes, wherever the JVM was started.
     */
    static Path chartFile() {
        return targetDirectory().resolve("digits-cnn-training.svg");
    }

    /** The build directory: the parent of the compiled classes, wherever the JVM was started. */
    private static Path targetDirectory() {
        try {
            Path classes = Path.of(DigitsCnnSample.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return classes.getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Shows the training's progress, then prints the path of the training chart, the test
     * accuracy and the confusion matrix.
     */
    public static void main(String[] args) {
        System.out.printf(
                Locale.ROOT,
                "DigitsCnn: 1x8x8 images, %d classes, %d parameters; %d epochs, batch size %d%n",
                DigitsCnn.OUTPUT_SIZE,
                DigitsCnn.PARAMETER_COUNT,
                EPOCHS,
                BATCH_SIZE);
        Result result = run(true);
        System.out.printf("%ntraining chart: %s%n", chartFile());
        System.out.printf(
                "trained weights: %s (safetensors: PyTorch loads them, nnc export-onnx exports them)%n", weightsFile());
        System.out.printf(
                Locale.ROOT,
                "%ntest accuracy: %.2f%% (%d of %d images)%n%n",
                100 * result.accuracy(),
                Math.round(result.accuracy() * result.testRows()),
                result.testRows());
        System.out.print(result.confusion());
    }
}
