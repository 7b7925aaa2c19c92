package dev.nnc.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Loading and preparing {@link Dataset}s: numeric CSV, one-hot encoding, seeded splits and
 * standardisation.
 *
 * <pre>{@code
 * Dataset iris = Datasets.readCsv(Path.of("iris.csv"), CsvOptions.classification(-1, 3).withHeaderLines(1));
 * Datasets.Split split = Datasets.split(iris, 0.75, 42);
 * Datasets.Standardized data = Datasets.standardize(split.first(), split.second());
 * }</pre>
 */
public final class Datasets {

    private Datasets() {}

    /** Two disjoint parts of a dataset, e.g. training and test rows. */
    public record Split(Dataset first, Dataset second) {}

    /**
     * A training set and another set, both transformed by the standardizer fitted on the training
     * set.
     */
    public record Standardized(Dataset training, Dataset other, Standardizer standardizer) {}

    /**
     * Reads a numeric CSV file, decompressing it with gzip when its name ends in {@code .gz}.
     *
     * @throws IOException if the file cannot be read or is malformed; the message names the file
     *     and the line
     */
    public static Dataset readCsv(Path path, CsvOptions options) throws IOException {
        try (InputStream raw = Files.newInputStream(path);
                InputStream in = path.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return readCsv(reader, path.toString(), options);
        }
    }

    /**
     * Reads numeric CSV from {@code reader}, which is read to its end but not closed.
     *
     * @throws IOException if reading fails or the input is malformed; the message names the line
     */
    public static Dataset readCsv(Reader reader, CsvOptions options) throws IOException {
        return readCsv(reader, "CSV input", options);
    }

    private static Dataset readCsv(Reader reader, String source, CsvOptions options) throws IOException {
        return new CsvParser(source, options).parse(new BufferedReader(reader));
    }

    /**
     * One-hot encodes class labels: row {@code i} of the result has a 1 in column {@code
     * labels[i]} and 0 elsewhere.
     *
     * @throws IllegalArgumentException if {@code classes < 2} or a label is outside [0, classes)
     */
    public static double[] oneHot(int[] labels, int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException("one-hot encoding needs at least 2 classes, found " + classes);
        }
        double[] encoded = new double[Math.multiplyExact(labels.length, classes)];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(
                        "label " + labels[i] + " at index " + i + " is outside [0, " + classes + ")");
            }
            encoded[i * classes + labels[i]] = 1.0;
        }
        return encoded;
    }

    /**
     * Shuffles the rows with a {@link SeededRandom} and splits them: the first part gets {@code
     * round(fraction * size)} rows, the second the rest. The same seed gives the same split.
     *
     * @param fraction the share of rows in the first part, strictly between 0 and 1 (e.g. 0.75)
     * @throws IllegalArgumentException if the fraction is out of range or would leave a part empty
     */
    public static Split split(Dataset data, double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("fraction must be strictly between 0 and 1, found " + fraction);
        }
        int n = data.size();
        int firstSize = (int) Math.round(fraction * n);
        if (firstSize < 1 || firstSize > n - 1) {
            throw new IllegalArgumentException("a " + fraction + " split of " + n + " rows leaves a part empty");
        }
        int[] order = shuffledIndices(n, new SeededRandom(seed));
        return new Split(
                data.rows(Arrays.copyOfRange(order, 0, firstSize)), data.rows(Arrays.copyOfRange(order, firstSize, n)));
    }

    /**
     * Fits a {@link Standardizer} on {@code training} and applies it to both {@code training} and
     * {@code other}. Keep the returned standardizer to transform inputs at prediction time.
     */
    public static Standardized standardize(Dataset training, Dataset other) {
        Standardizer standardizer = Standardizer.fit(training);
        return new Standardized(standardizer.apply(training), standardizer.apply(other), standardizer);
    }

    /** A uniformly random permutation of 0 .. n-1 (Fisher-Yates). */
    static int[] shuffledIndices(int n, SeededRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        shuffle(order, n, random);
        return order;
    }

    /** Shuffles the first {@code n} entries of {@code order} in place (Fisher-Yates). */
    static void shuffle(int[] order, int n, SeededRandom random) {
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Parses one CSV input; keeps the line number for messages. */
    private static final class CsvParser {
        private final String source;
        private final CsvOptions options;
        private int lineNumber;
        private int columns = -1;
        private boolean[] isTarget;
        private int[] targetColumns;
        private double[] features = new double[1024];
        private double[] targets = new double[1024];
        private int featureLength;
        private int targetLength;
        private int rows;

        CsvParser(String source, CsvOptions options) {
            this.source = source;
            this.options = options;
        }

        Dataset parse(BufferedReader reader) throws IOException {
            for (int i = 0; i < options.headerLines(); i++) {
                if (nextLine(reader) == null) {
                    throw error("the input ends within its " + options.headerLines() + " header lines");
                }
            }
            String line;
            while ((line = nextLine(reader)) != null) {
                if (!line.isBlank()) {
                    parseRow(line);
                }
            }
            if (rows == 0) {
                throw new IOException(source + ": no data rows");
            }
            int featureCount = columns - targetColumns.length;
            int targetCount = options.classes() > 0 ? options.classes() : targetColumns.length;
            return new Dataset(
                    Arrays.copyOf(features, featureLength),
                    Arrays.copyOf(targets, targetLength),
                    rows,
                    featureCount,
                    targetCount);
        }

        private String nextLine(BufferedReader reader) throws IOException {
            String line = reader.readLine();
            if (line != null) {
                lineNumber++;
                if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
            }
            return line;
        }

        private void parseRow(String line) throws IOException {
            String[] fields = split(line);
            if (columns < 0) {
                defineColumns(fields.length);
            } else if (fields.length != columns) {
                throw error("expected " + columns + " columns as in the first row, found " + fields.length);
            }
            for (int c = 0; c < columns; c++) {
                if (!isTarget[c]) {
                    features = ensure(features, featureLength + 1);
                    features[featureLength++] = parseNumber(fields[c], c);
                }
            }
            int classes = options.classes();
            if (classes > 0) {
                int label = parseLabel(fields[targetColumns[0]], targetColumns[0], classes);
                targets = ensure(targets, targetLength + classes);
                Arrays.fill(targets, targetLength, targetLength + classes, 0.0);
                targets[targetLength + label] = 1.0;
                targetLength += classes;
            } else {
                for (int column : targetColumns) {
                    targets = ensure(targets, targetLength + 1);
                    targets[targetLength++] = parseNumber(fields[column], column);
                }
            }
            rows++;
        }

        private String[] split(String line) {
            String delimiter = String.valueOf(options.delimiter());
            String[] fields = line.split(Pattern.quote(delimiter), -1);
            for (int i = 0; i < fields.length; i++) {
                fields[i] = fields[i].strip();
            }
            return fields;
        }

        private void defineColumns(int count) throws IOException {
            List<Integer> requested = options.targetColumns();
            targetColumns = new int[requested.size()];
            isTarget = new boolean[count];
            for (int t = 0; t < targetColumns.length; t++) {
                int index = requested.get(t);
                int resolved = index < 0 ? count + index : index;
                if (resolved < 0 || resolved >= count) {
                    throw error("target column " + index + " does not exist; the first row has " + count + " columns");
                }
                if (isTarget[resolved]) {
                    throw error("target columns " + requested + " name column " + resolved + " twice");
                }
                targetColumns[t] = resolved;
                isTarget[resolved] = true;
            }
            if (count - targetColumns.length < 1) {
                throw error("no feature columns left: the row has " + count + " columns, all of them targets");
            }
            columns = count;
        }

        private double parseNumber(String field, int column) throws IOException {
            if (field.isEmpty()) {
                throw error("column " + (column + 1) + " is empty");
            }
            double value;
            try {
                value = Double.parseDouble(field);
            } catch (NumberFormatException e) {
                throw error("column " + (column + 1) + ": '" + field + "' is not a number");
            }
            if (!Double.isFinite(value)) {
                throw error("column " + (column + 1) + ": '" + field + "' is not a finite number");
            }
            return value;
        }

        private int parseLabel(String field, int column, int classes) throws IOException {
            double value = parseNumber(field, column);
            if (value != Math.rint(value)) {
                throw error("column " + (column + 1) + ": label '" + field + "' is not an integer class index");
            }
            if (value < 0 || value >= classes) {
                throw error("column " + (column + 1) + ": label " + field + " is outside [0, " + classes + ")");
            }
            return (int) value;
        }

        private IOException error(String message) {
            return new IOException(source + ":" + lineNumber + ": " + message);
        }

        private static double[] ensure(double[] array, int length) {
            return length <= array.length ? array : Arrays.copyOf(array, Math.max(length, array.length * 2));
        }
    }
}
