package dev.nnc.samples.co2;

import dev.nnc.runtime.Dataset;
import dev.nnc.runtime.Metrics;
import dev.nnc.runtime.Standardizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The weekly Mauna Loa series and what the sample does with it besides training: filling the
 * missing weeks, the training/test split, standardisation, the 52-week windows the network reads,
 * and the two baseline forecasts the network is compared with.
 *
 * <p>Weeks are numbered 0 to {@code size - 1} in file order; week {@code i} belongs to the test
 * part when {@code i >= trainingWeeks}. The network forecasts the change from the week before: it
 * reads the 52 weekly changes up to week {@code i - 1} (so the weeks {@code i - 53} to {@code i -
 * 1}) and the forecast of week {@code i} is week {@code i - 1} plus the predicted change.
 */
final class Co2Data {

    /** The weeks a forecast reads. */
    static final int WINDOW = 52;

    /** The share of the weeks, from the start, that training may see. */
    static final double TRAINING_FRACTION = 0.8;

    /** The input row: the 52 standardised weekly changes, then the week of the year of the target week. */
    static final int FEATURES = WINDOW + 1;

    /** The weeks of the year, 0 to 52: the rows of the network's embedding. */
    static final int WEEKS_OF_YEAR = 53;

    /**
     * The first week that has a full window of weekly changes: the change of week {@code i} needs
     * week {@code i - 1}, so the 52 changes before week 53 reach back to week 0.
     */
    static final int FIRST_TARGET = WINDOW + 1;

    private static final DateTimeFormatter DATE = DateTimeFormatter.BASIC_ISO_DATE;

    private Co2Data() {}

    /**
     * The weeks of the file, in order, with their mean concentration in ppm, or NaN for a week
     * without a value.
     */
    record Series(LocalDate[] weeks, double[] ppm) {
        Series {
            if (weeks.length != ppm.length) {
                throw new IllegalArgumentException(
                        "expected one value per week, found " + weeks.length + " weeks and " + ppm.length + " values");
            }
            weeks = weeks.clone();
            ppm = ppm.clone();
        }

        @Override
        public LocalDate[] weeks() {
            return weeks.clone();
        }

        @Override
        public double[] ppm() {
            return ppm.clone();
        }

        int size() {
            return ppm.length;
        }

        /** The number of weeks without a value. */
        int missing() {
            return (int) Arrays.stream(ppm).filter(Double::isNaN).count();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Series s && Arrays.equals(weeks, s.weeks) && Arrays.equals(ppm, s.ppm);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(weeks) + Arrays.hashCode(ppm);
        }

        @Override
        public String toString() {
            return "Series[" + size() + " weeks, " + missing() + " missing]";
        }
    }

    /** Reads {@code co2.csv} from the class path. */
    static Series load() {
        try (InputStream raw = Co2Data.class.getResourceAsStream("/co2.csv")) {
            if (raw == null) {
                throw new IllegalStateException("co2.csv is not on the class path");
            }
            return parse(new InputStreamReader(raw, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses the header {@code date,co2} and lines {@code YYYYMMDD,ppm}, where an empty value
     * marks a week without a measurement. The weeks must follow each other 7 days apart, since
     * {@link #interpolate} and the windows count weeks by position.
     *
     * @throws IllegalArgumentException naming the line of a malformed row or a gap between weeks
     */
    static Series parse(Reader reader) throws IOException {
        BufferedReader lines = new BufferedReader(reader);
        String header = lines.readLine();
        if (!"date,co2".equals(header)) {
            throw new IllegalArgumentException("expected the header 'date,co2', found '" + header + "'");
        }
        List<LocalDate> weeks = new ArrayList<>();
        List<Double> ppm = new ArrayList<>();
        int lineNumber = 1;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            lineNumber++;
            String[] fields = line.split(",", -1);
            if (fields.length != 2) {
                throw new IllegalArgumentException(
                        "line " + lineNumber + ": expected 'date,co2', found '" + line + "'");
            }
            LocalDate week = LocalDate.parse(fields[0], DATE);
            if (!weeks.isEmpty() && !week.equals(weeks.get(weeks.size() - 1).plusWeeks(1))) {
                throw new IllegalArgumentException("line " + lineNumber + ": " + week + " does not follow "
                        + weeks.get(weeks.size() - 1) + " by one week");
            }
            weeks.add(week);
            ppm.add(fields[1].isEmpty() ? Double.NaN : Double.parseDouble(fields[1]));
        }
        return new Series(
                weeks.toArray(LocalDate[]::new),
                ppm.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * Fills every run of NaN weeks on the straight line between the weeks on either side: a week
     * {@code k} of {@code m} missing weeks between values {@code a} and {@code b} gets
     * {@code a + (b - a) k / (m + 1)}.
     *
     * @throws IllegalArgumentException if the first or the last week has no value, which no
     *     interpolation can fill
     */
    static double[] interpolate(double[] values) {
        double[] filled = values.clone();
        int n = filled.length;
        if (n == 0 || Double.isNaN(filled[0]) || Double.isNaN(filled[n - 1])) {
            throw new IllegalArgumentException("the first and the last week need a value to interpolate between");
        }
        int before = 0;
        for (int i = 1; i < n; i++) {
            if (Double.isNaN(filled[i])) {
                continue;
            }
            int gap = i - before;
            for (int k = 1; k < gap; k++) {
                filled[before + k] = filled[before] + (filled[i] - filled[before]) * k / gap;
            }
            before = i;
        }
        return filled;
    }

    /** The weeks, counted from the start, that belong to the training part. */
    static int trainingWeeks(int weeks) {
        return (int) (weeks * TRAINING_FRACTION);
    }

    /**
     * The change of every week from the week before, {@code ppm[i] - ppm[i - 1]}; week 0 has no
     * week before it and gets NaN.
     */
    static double[] weeklyChanges(double[] ppm) {
        double[] changes = new double[ppm.length];
        if (ppm.length > 0) {
            changes[0] = Double.NaN;
        }
        for (int i = 1; i < ppm.length; i++) {
            changes[i] = ppm[i] - ppm[i - 1];
        }
        return changes;
    }

    /** The mean and standard deviation of {@code values[from]} to {@code values[to - 1]}, and only those. */
    static Standardizer fitStandardizer(double[] values, int from, int to) {
        double[] part = Arrays.copyOfRange(values, from, to);
        return Standardizer.fit(new Dataset(part, new double[0], part.length, 1, 0));
    }

    /** Every value standardised with {@code standardizer}, fitted on one value per row. */
    static double[] standardize(Standardizer standardizer, double[] values) {
        double[] standardized = values.clone();
        standardizer.applyInPlace(standardized, standardized.length);
        return standardized;
    }

    /** A standardised value back in the units of the data. */
    static double unstandardize(Standardizer standardizer, double value) {
        return value * standardizer.std()[0] + standardizer.mean()[0];
    }

    /**
     * The forecasts in ppm of the weeks {@code from, from + 1, ...}, given the network's forecasts
     * of their standardised weekly changes: the week before plus the change.
     */
    static double[] forecastFromChanges(double[] ppm, int from, double[] standardizedChanges, Standardizer changes) {
        double[] forecast = new double[standardizedChanges.length];
        for (int r = 0; r < forecast.length; r++) {
            forecast[r] = ppm[from + r - 1] + unstandardize(changes, standardizedChanges[r]);
        }
        return forecast;
    }

    /** The week of the year of {@code date}: 0 for January 1 to 7, up to 52 for the last days. */
    static int weekOfYear(LocalDate date) {
        return (date.getDayOfYear() - 1) / 7;
    }

    /**
     * One row per target week {@code i} in {@code [fromTarget, toTarget)}: the input is the 52
     * values of the weeks {@code i - 52} to {@code i - 1}, oldest first (the {@code [52, 1]}
     * sequence {@code gru} reads), then the week of the year of week {@code i} (0 to 52, the id
     * the network's embedding looks up); the target is {@code values[i]}.
     *
     * @throws IllegalArgumentException if a window would start before the first week or a target
     *     lie after the last one
     */
    static Dataset windows(double[] values, LocalDate[] weeks, int fromTarget, int toTarget) {
        if (fromTarget < WINDOW || toTarget > values.length || fromTarget >= toTarget) {
            throw new IllegalArgumentException("expected " + WINDOW + " <= fromTarget < toTarget <= " + values.length
                    + ", found " + fromTarget + " and " + toTarget);
        }
        int rows = toTarget - fromTarget;
        double[] x = new double[rows * FEATURES];
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            int target = fromTarget + r;
            System.arraycopy(values, target - WINDOW, x, r * FEATURES, WINDOW);
            x[r * FEATURES + WINDOW] = weekOfYear(weeks[target]);
            y[r] = values[target];
        }
        return new Dataset(x, y, rows, FEATURES, 1);
    }

    /**
     * The mean change over 52 weeks within the training part: the mean of {@code ppm[i] - ppm[i -
     * 52]} over the training weeks {@code i >= 52}.
     */
    static double meanYearlyIncrease(double[] ppm, int trainingWeeks) {
        if (trainingWeeks <= WINDOW || trainingWeeks > ppm.length) {
            throw new IllegalArgumentException("expected more than " + WINDOW + " training weeks, at most " + ppm.length
                    + ", found " + trainingWeeks);
        }
        double sum = 0;
        for (int i = WINDOW; i < trainingWeeks; i++) {
            sum += ppm[i] - ppm[i - WINDOW];
        }
        return sum / (trainingWeeks - WINDOW);
    }

    /** The last-value forecast for the weeks {@code [from, to)}: each week's forecast is the week before. */
    static double[] lastValueForecast(double[] ppm, int from, int to) {
        return Arrays.copyOfRange(ppm, from - 1, to - 1);
    }

    /**
     * The seasonal-naive forecast for the weeks {@code [from, to)}: the value 52 weeks earlier plus
     * {@code yearlyIncrease}.
     */
    static double[] seasonalNaiveForecast(double[] ppm, int from, int to, double yearlyIncrease) {
        double[] forecast = new double[to - from];
        for (int i = from; i < to; i++) {
            forecast[i - from] = ppm[i - WINDOW] + yearlyIncrease;
        }
        return forecast;
    }

    /** The root mean squared error of forecasts for the weeks {@code from, from + 1, ...}. */
    static double rmse(double[] forecast, double[] ppm, int from) {
        double[] actual = Arrays.copyOfRange(ppm, from, from + forecast.length);
        return Math.sqrt(Metrics.meanSquaredError(forecast, actual, forecast.length, 1));
    }
}
