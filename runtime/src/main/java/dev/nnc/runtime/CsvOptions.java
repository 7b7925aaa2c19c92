package dev.nnc.runtime;

import java.util.Arrays;
import java.util.List;

/**
 * How {@link Datasets#readCsv} turns numeric CSV lines into a {@link Dataset}.
 *
 * <p>Every column that is not a target column is a feature, in file order. Column indices count
 * from 0; a negative index counts from the end, so -1 is the last column. Build options with the
 * factories and refine them with the {@code with*} methods:
 *
 * <pre>{@code
 * CsvOptions.classification(-1, 3).withHeaderLines(1)   // iris.csv: label last, one header line
 * CsvOptions.regression(0, 1).withDelimiter(';')        // first two columns are targets
 * }</pre>
 *
 * @param headerLines the number of lines to skip at the start of the input
 * @param delimiter the field separator
 * @param targetColumns the target columns; empty for unlabelled data
 * @param classes for classification, the number of classes into which the single target column (an
 *     integer label in [0, classes)) is one-hot encoded; 0 to keep the target values as they are
 */
public record CsvOptions(int headerLines, char delimiter, List<Integer> targetColumns, int classes) {

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if {@code headerLines < 0}, {@code classes} is 1 or
     *     negative, a column is repeated, or {@code classes > 0} without exactly one target column
     */
    public CsvOptions {
        if (headerLines < 0) {
            throw new IllegalArgumentException("headerLines must be >= 0, found " + headerLines);
        }
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r' || delimiter == '.' || delimiter == '-') {
            throw new IllegalArgumentException("'" + delimiter + "' cannot be a delimiter of numeric CSV");
        }
        targetColumns = List.copyOf(targetColumns);
        if (targetColumns.stream().distinct().count() != targetColumns.size()) {
            throw new IllegalArgumentException("target columns repeat: " + targetColumns);
        }
        if (classes == 1 || classes < 0) {
            throw new IllegalArgumentException("classes must be 0 (no one-hot encoding) or >= 2, found " + classes);
        }
        if (classes > 0 && targetColumns.size() != 1) {
            throw new IllegalArgumentException(
                    "one-hot encoding needs exactly one label column, found " + targetColumns.size());
        }
    }

    /** One integer label column, one-hot encoded into {@code classes} targets; no header. */
    public static CsvOptions classification(int labelColumn, int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException("classification needs at least 2 classes, found " + classes);
        }
        return new CsvOptions(0, ',', List.of(labelColumn), classes);
    }

    /** The given columns as raw numeric targets, in the given order; no header. */
    public static CsvOptions regression(int... targetColumns) {
        if (targetColumns.length == 0) {
            throw new IllegalArgumentException("regression needs at least one target column");
        }
        return new CsvOptions(0, ',', Arrays.stream(targetColumns).boxed().toList(), 0);
    }

    /** All columns are features; the dataset has no targets. */
    public static CsvOptions featuresOnly() {
        return new CsvOptions(0, ',', List.of(), 0);
    }

    /** These options with {@code headerLines} lines skipped at the start. */
    public CsvOptions withHeaderLines(int headerLines) {
        return new CsvOptions(headerLines, delimiter, targetColumns, classes);
    }

    /** These options with another field separator. */
    public CsvOptions withDelimiter(char delimiter) {
        return new CsvOptions(headerLines, delimiter, targetColumns, classes);
    }
}
