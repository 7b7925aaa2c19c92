package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.CsvOptions;
import dev.nnc.runtime.Dataset;
import dev.nnc.runtime.Datasets;
import dev.nnc.runtime.Metrics;
import dev.nnc.runtime.SeededRandom;
import dev.nnc.runtime.TrainableNetwork;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The generated {@code Digits} network of {@code examples/digits.nn} learns the real 8x8 digits
 * (data/digits.csv.gz, 1797 images) to at least 95 % test accuracy on a 75/25 split, trained
 * through {@code trainStep} alone: minibatches of 32, shuffled each epoch, pixels scaled to
 * [0, 1].
 */
class DigitsTrainingTest {

    @Test
    void digitsReachesNinetyFivePercentTestAccuracy() throws IOException {
        Dataset all = Datasets.readCsv(Path.of("..", "data", "digits.csv.gz"), CsvOptions.classification(-1, 10));
        Datasets.Split split = Datasets.split(all, 0.75, 42);
        Dataset train = scaled(split.first());
        Dataset test = scaled(split.second());

        TrainableNetwork digits = GeneratedClasses.compileExample("digits.nn").newInstance("Digits");
        int batch = 32;
        double[] xs = new double[batch * train.featureCount()];
        double[] ys = new double[batch * train.targetCount()];
        int[] order = new int[train.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        SeededRandom random = new SeededRandom(7);
        for (int epoch = 0; epoch < 40; epoch++) {
            shuffle(order, random);
            for (int start = 0; start + batch <= order.length; start += batch) {
                for (int b = 0; b < batch; b++) {
                    train.copyFeatures(order[start + b], xs, b * train.featureCount());
                    train.copyTargets(order[start + b], ys, b * train.targetCount());
                }
                digits.trainStep(xs, ys, batch);
            }
        }

        double[] predictions = new double[test.size() * 10];
        digits.predict(test.features(), test.size(), predictions);
        double accuracy = Metrics.accuracy(predictions, test.targets(), test.size(), 10);
        assertTrue(accuracy >= 0.95, "test accuracy " + accuracy);
    }

    private static Dataset scaled(Dataset data) {
        double[] features = data.features();
        for (int i = 0; i < features.length; i++) {
            features[i] /= 16.0;
        }
        return new Dataset(features, data.targets(), data.size(), data.featureCount(), data.targetCount());
    }

    private static void shuffle(int[] order, SeededRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
