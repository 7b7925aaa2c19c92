package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    private static final CsvOptions FLOWERS = CsvOptions.classification(-1, 3).withHeaderLines(1);

    @TempDir
    Path tempDir;

    @Test
    void readsClassificationCsvWithHeaderAndOneHotLabels() throws IOException {
        Dataset data = Datasets.readCsv(resource("flowers.csv"), FLOWERS);
        assertEquals(6, data.size());
        assertEquals(2, data.featureCount());
        assertEquals(3, data.targetCount());
        assertArrayEquals(new double[] {4.5, 1.5}, data.featureRow(3));
        assertArrayEquals(new double[] {0, 1, 0}, data.targetRow(3));
        assertArrayEquals(new double[] {0, 0, 1}, data.targetRow(5));
    }

    @Test
    void readsRawTargetColumnsInTheRequestedOrder() throws IOException {
        String csv = "1,2,3,4\n5,6,7,8\n";
        Dataset data = Datasets.readCsv(new StringReader(csv), CsvOptions.regression(3, 0));
        assertArrayEquals(new double[] {2, 3}, data.featureRow(0));
        assertArrayEquals(new double[] {8, 5}, data.targetRow(1));
    }

    @Test
    void readsFeaturesOnlyWithAnotherDelimiterAndSkipsBlankLines() throws IOException {
        String csv = "\uFEFF1; 2\n\n 3 ;4\n\n";
        Dataset data = Datasets.readCsv(
                new StringReader(csv), CsvOptions.featuresOnly().withDelimiter(';'));
        assertEquals(new Dataset(new double[] {1, 2, 3, 4}, new double[0], 2, 2, 0), data);
    }

    @Test
    void readsGzipCompressedFilesByTheirExtension() throws IOException {
        Path gz = tempDir.resolve("flowers.csv.gz");
        try (InputStream in = Files.newInputStream(resource("flowers.csv"));
                OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            in.transferTo(out);
        }
        assertEquals(Datasets.readCsv(resource("flowers.csv"), FLOWERS), Datasets.readCsv(gz, FLOWERS));
    }

    @Test
    void reportsTheLineOfARowWithTheWrongNumberOfColumns() {
        assertCsvError("1,2,0\n3,4,1\n5,1\n", "CSV input:3: expected 3 columns as in the first row, found 2");
    }

    @Test
    void reportsTheLineAndColumnOfANonNumber() {
        assertCsvError("1,2,0\n3,x4,1\n", "CSV input:2: column 2: 'x4' is not a number");
        assertCsvError("1,,0\n", "CSV input:1: column 2 is empty");
        assertCsvError("1,NaN,0\n", "CSV input:1: column 2: 'NaN' is not a finite number");
    }

    @Test
    void reportsLabelsThatAreNotClassIndices() {
        assertCsvError("1,2,3\n", "CSV input:1: column 3: label 3 is outside [0, 3)");
        assertCsvError("1,2,1.5\n", "CSV input:1: column 3: label '1.5' is not an integer class index");
    }

    @Test
    void reportsHeaderOnlyInputAndMissingTargetColumn() {
        IOException empty = assertThrows(IOException.class, () -> Datasets.readCsv(new StringReader("a,b\n"), FLOWERS));
        assertEquals("CSV input: no data rows", empty.getMessage());
        IOException missing = assertThrows(
                IOException.class, () -> Datasets.readCsv(new StringReader("1,2\n"), CsvOptions.regression(5)));
        assertEquals("CSV input:1: target column 5 does not exist; the first row has 2 columns", missing.getMessage());
    }

    @Test
    void oneHotEncodesLabelsAndRejectsOutOfRangeOnes() {
        assertArrayEquals(new double[] {0, 1, 0, 1, 0, 0, 0, 0, 1}, Datasets.oneHot(new int[] {1, 0, 2}, 3));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Datasets.oneHot(new int[] {0, 3}, 3));
        assertEquals("label 3 at index 1 is outside [0, 3)", e.getMessage());
    }

    @Test
    void splitIsAReproduciblePartitionOfTheRows() {
        Dataset data = numbered(20);
        Datasets.Split split = Datasets.split(data, 0.75, 42);
        assertEquals(15, split.first().size());
        assertEquals(5, split.second().size());
        assertEquals(split, Datasets.split(data, 0.75, 42));
        assertNotEquals(split, Datasets.split(data, 0.75, 43));

        Set<Double> seen = new HashSet<>();
        for (Dataset part : new Dataset[] {split.first(), split.second()}) {
            for (int i = 0; i < part.size(); i++) {
                // Features and targets of a row must stay together.
                assertEquals(part.feature(i, 0) * 10, part.target(i, 0));
                assertTrue(seen.add(part.feature(i, 0)), "row appears twice");
            }
        }
        assertEquals(20, seen.size());
    }

    @Test
    void splitRejectsFractionsThatLeaveAPartEmpty() {
        assertThrows(IllegalArgumentException.class, () -> Datasets.split(numbered(10), 1.0, 1));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Datasets.split(numbered(10), 0.99, 1));
        assertEquals("a 0.99 split of 10 rows leaves a part empty", e.getMessage());
    }

    @Test
    void standardizeFitsOnTrainingDataOnlyAndAppliesTheSameTransformToTheOther() {
        Dataset training = new Dataset(new double[] {1, 5, 3, 5, 5, 5}, new double[] {0, 1, 2}, 3, 2, 1);
        Dataset other = new Dataset(new double[] {7, 6}, new double[] {9}, 1, 2, 1);
        Datasets.Standardized result = Datasets.standardize(training, other);

        double std = Math.sqrt(8.0 / 3);
        assertArrayEquals(new double[] {3, 5}, result.standardizer().mean());
        assertArrayEquals(new double[] {std, 1}, result.standardizer().std(), "constant feature gets std 1");
        assertArrayEquals(
                new double[] {-2 / std, 0, 0, 0, 2 / std, 0}, result.training().features(), 1e-15);
        assertArrayEquals(new double[] {4 / std, 1}, result.other().features(), 1e-15);
        assertArrayEquals(new double[] {9}, result.other().targets(), "targets are unchanged");
    }

    @Test
    void readsTheSharedIrisAndDigitsDataWhenPresent() throws IOException {
        Path shared = Path.of("..", "..", "shared", "data");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shared), "shared data not present");
        Dataset iris = Datasets.readCsv(shared.resolve("iris.csv"), FLOWERS);
        assertEquals(150, iris.size());
        assertEquals(4, iris.featureCount());
        Dataset digits = Datasets.readCsv(shared.resolve("digits.csv.gz"), CsvOptions.classification(-1, 10));
        assertEquals(1797, digits.size());
        assertEquals(64, digits.featureCount());
        assertEquals(10, digits.targetCount());
    }

    private static Dataset numbered(int n) {
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = 10 * i;
        }
        return new Dataset(x, y, n, 1, 1);
    }

    private static void assertCsvError(String csv, String expectedMessage) {
        IOException e = assertThrows(
                IOException.class, () -> Datasets.readCsv(new StringReader(csv), CsvOptions.classification(-1, 3)));
        assertEquals(expectedMessage, e.getMessage());
    }

    private static Path resource(String name) {
        try {
            return Path.of(DatasetsTest.class.getResource(name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
