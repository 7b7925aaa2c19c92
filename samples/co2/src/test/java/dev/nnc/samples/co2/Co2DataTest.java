package dev.nnc.samples.co2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.Dataset;
import dev.nnc.runtime.Standardizer;
import java.io.IOException;
import java.io.StringReader;
import java.time.LocalDate;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Co2DataTest {

    private static final double NaN = Double.NaN;

    @Test
    void loadsEveryWeekOfTheFileWithItsGaps() {
        Co2Data.Series series = Co2Data.load();
        assertEquals(2284, series.size());
        assertEquals(59, series.missing());
        assertEquals(LocalDate.of(1958, 3, 29), series.weeks()[0]);
        assertEquals(LocalDate.of(2001, 12, 29), series.weeks()[series.size() - 1]);
        assertEquals(316.1, series.ppm()[0]);
        assertTrue(Double.isNaN(series.ppm()[6]), "1958-05-10 has no value in the file");
    }

    @Test
    void everyTestWeekIsMeasuredSoTheRmseNeverComparesWithFilledValues() {
        Co2Data.Series series = Co2Data.load();
        double[] ppm = series.ppm();
        // From the week before the first test week, which the first forecast starts from.
        for (int i = Co2Data.trainingWeeks(series.size()) - 1; i < series.size(); i++) {
            assertFalse(Double.isNaN(ppm[i]), "week " + series.weeks()[i]);
        }
    }

    @Test
    void parsesEmptyValuesAsMissingWeeks() throws IOException {
        Co2Data.Series series = Co2Data.parse(new StringReader("date,co2\n20000101,370.5\n20000108,\n20000115,371\n"));
        assertArrayEquals(
                new LocalDate[] {LocalDate.of(2000, 1, 1), LocalDate.of(2000, 1, 8), LocalDate.of(2000, 1, 15)},
                series.weeks());
        assertArrayEquals(new double[] {370.5, NaN, 371}, series.ppm());
        assertEquals(1, series.missing());
    }

    @Test
    void rejectsWeeksThatDoNotFollowEachOtherByOneWeek() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Co2Data.parse(new StringReader("date,co2\n20000101,370.5\n20000115,371\n")));
        assertEquals("line 3: 2000-01-15 does not follow 2000-01-01 by one week", e.getMessage());
    }

    @Test
    void fillsEachGapOnTheStraightLineBetweenItsNeighbours() {
        double[] filled = Co2Data.interpolate(new double[] {1, NaN, 3, 4, NaN, NaN, NaN, 0});
        assertArrayEquals(new double[] {1, 2, 3, 4, 3, 2, 1, 0}, filled, 1e-12);
    }

    @Test
    void leavesMeasuredWeeksAndTheInputUnchanged() {
        double[] values = {5, NaN, 6};
        Co2Data.interpolate(values);
        assertTrue(Double.isNaN(values[1]));
        assertArrayEquals(new double[] {1, 2, 3}, Co2Data.interpolate(new double[] {1, 2, 3}));
    }

    @Test
    void cannotFillAGapAtEitherEnd() {
        assertThrows(IllegalArgumentException.class, () -> Co2Data.interpolate(new double[] {NaN, 1, 2}));
        assertThrows(IllegalArgumentException.class, () -> Co2Data.interpolate(new double[] {1, 2, NaN}));
    }

    @Test
    void interpolatesTheWholeSeriesIncludingTheSixWeekGapOf1958() {
        double[] filled = Co2Data.interpolate(Co2Data.load().ppm());
        assertTrue(Arrays.stream(filled).allMatch(Double::isFinite));
        // 1958-05-31 to 1958-06-28 are missing between 317.9 (05-24) and 315.8 (07-05).
        double step = (315.8 - 317.9) / 6;
        for (int k = 1; k <= 5; k++) {
            assertEquals(317.9 + k * step, filled[8 + k], 1e-12);
        }
    }

    @Test
    void splitsEightyPercentOfTheWeeksForTraining() {
        assertEquals(1827, Co2Data.trainingWeeks(2284));
        assertEquals(8, Co2Data.trainingWeeks(10));
    }

    @Test
    void theWeeklyChangesAreTheDifferencesFromTheWeekBefore() {
        double[] changes = Co2Data.weeklyChanges(new double[] {1, 3, 2, 2.5});
        assertTrue(Double.isNaN(changes[0]), "week 0 has no week before it");
        assertArrayEquals(new double[] {2, -1, 0.5}, Arrays.copyOfRange(changes, 1, 4), 1e-12);
    }

    @Test
    void standardisesWithTheStatisticsOfTheTrainingWeeksOnly() {
        // Training values 1, 2, 3 (mean 2, population std sqrt(2/3)); neither the NaN before them
        // nor the test value 100 after them may move either statistic.
        double[] values = {NaN, 1, 2, 3, 100};
        Standardizer standardizer = Co2Data.fitStandardizer(values, 1, 4);
        assertArrayEquals(new double[] {2}, standardizer.mean(), 1e-12);
        assertArrayEquals(new double[] {Math.sqrt(2.0 / 3)}, standardizer.std(), 1e-12);

        double[] standardized = Co2Data.standardize(standardizer, values);
        double s = Math.sqrt(2.0 / 3);
        assertArrayEquals(new double[] {-1 / s, 0, 1 / s, 98 / s}, Arrays.copyOfRange(standardized, 1, 5), 1e-12);
        assertEquals(100, Co2Data.unstandardize(standardizer, standardized[4]), 1e-12);
    }

    @Test
    void theTrainingChangesOfTheRealSeriesHaveZeroMeanAndUnitDeviationAfterStandardising() {
        double[] changes =
                Co2Data.weeklyChanges(Co2Data.interpolate(Co2Data.load().ppm()));
        int training = Co2Data.trainingWeeks(changes.length);
        Standardizer standardizer = Co2Data.fitStandardizer(changes, 1, training);
        assertEquals(0.0234, standardizer.mean()[0], 1e-4, "ppm per week");
        assertEquals(0.482, standardizer.std()[0], 1e-3, "ppm per week");
        double[] z = Co2Data.standardize(standardizer, changes);
        double mean = Arrays.stream(z, 1, training).average().orElseThrow();
        double variance =
                Arrays.stream(z, 1, training).map(v -> (v - mean) * (v - mean)).sum() / (training - 1);
        assertEquals(0, mean, 1e-12);
        assertEquals(1, variance, 1e-12);
        // The test weeks rise faster than the training weeks did, so their changes sit above 0.
        double testMean = Arrays.stream(z, training, z.length).average().orElseThrow();
        assertTrue(testMean > 0, "mean standardised test change " + testMean);
    }

    @Test
    void turnsForecastChangesIntoForecastsFromTheWeekBefore() {
        Standardizer changes = new Standardizer(new double[] {0.5}, new double[] {2});
        double[] ppm = {300, 301, 302, 303};
        double[] forecast = Co2Data.forecastFromChanges(ppm, 2, new double[] {0, 1}, changes);
        assertArrayEquals(new double[] {301 + 0.5, 302 + 2.5}, forecast, 1e-12);
    }

    @Test
    void countsTheWeeksOfTheYearFromZero() {
        assertEquals(0, Co2Data.weekOfYear(LocalDate.of(2001, 1, 1)));
        assertEquals(0, Co2Data.weekOfYear(LocalDate.of(2001, 1, 7)));
        assertEquals(1, Co2Data.weekOfYear(LocalDate.of(2001, 1, 8)));
        assertEquals(51, Co2Data.weekOfYear(LocalDate.of(2001, 12, 24)));
        assertEquals(52, Co2Data.weekOfYear(LocalDate.of(2001, 12, 31)));
        assertEquals(52, Co2Data.weekOfYear(LocalDate.of(2000, 12, 31)));
    }

    @Test
    void buildsWindowsOfTheFiftyTwoPreviousWeeksFollowedByTheTargetWeekOfTheYear() {
        int n = 60;
        LocalDate[] weeks = new LocalDate[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            weeks[i] = LocalDate.of(2000, 1, 1).plusWeeks(i);
            values[i] = 10 * i;
        }
        Dataset windows = Co2Data.windows(values, weeks, 52, 55);
        assertEquals(3, windows.size());
        assertEquals(52 + 1, windows.featureCount());
        assertEquals(1, windows.targetCount());
        for (int r = 0; r < 3; r++) {
            assertEquals(values[52 + r], windows.target(r, 0));
            for (int t = 0; t < 52; t++) {
                assertEquals(values[r + t], windows.feature(r, t), "row " + r + ", step " + t);
            }
            assertEquals(Co2Data.weekOfYear(weeks[52 + r]), windows.feature(r, 52), "row " + r);
        }
        // The last step of a window is the week just before its target; 2000-12-30 + 1 week is
        // in week 0 of 2001.
        assertEquals(values[51], windows.feature(0, 51));
        assertEquals(52, Co2Data.weekOfYear(weeks[52]));
        assertEquals(0, windows.feature(1, 52));
    }

    @Test
    void rejectsWindowsThatWouldReachOutsideTheSeries() {
        double[] values = new double[60];
        LocalDate[] weeks = new LocalDate[60];
        Arrays.fill(weeks, LocalDate.of(2000, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Co2Data.windows(values, weeks, 51, 55));
        assertThrows(IllegalArgumentException.class, () -> Co2Data.windows(values, weeks, 52, 61));
    }

    @Test
    void theFirstWindowOfChangesStartsAtTheFirstChange() {
        double[] ppm = new double[60];
        LocalDate[] weeks = new LocalDate[60];
        for (int i = 0; i < 60; i++) {
            ppm[i] = i * i;
            weeks[i] = LocalDate.of(2000, 1, 1).plusWeeks(i);
        }
        double[] changes = Co2Data.weeklyChanges(ppm);
        Dataset first = Co2Data.windows(changes, weeks, Co2Data.FIRST_TARGET, Co2Data.FIRST_TARGET + 1);
        assertEquals(1, first.feature(0, 0), "the change of week 1");
        assertEquals(2 * 52 + 1, first.target(0, 0), "the change of week 53");
        // One week earlier the window would hold the undefined change of week 0.
        assertThrows(
                IllegalArgumentException.class,
                () -> Co2Data.windows(changes, weeks, Co2Data.FIRST_TARGET - 1, Co2Data.FIRST_TARGET));
    }

    @Test
    void everyWeekOfTheYearIsAnIdOfTheEmbedding() {
        Co2Data.Series series = Co2Data.load();
        double[] values = new double[series.size()];
        Dataset all = Co2Data.windows(values, series.weeks(), Co2Data.FIRST_TARGET, series.size());
        boolean[] seen = new boolean[Co2Data.WEEKS_OF_YEAR];
        for (int r = 0; r < all.size(); r++) {
            double id = all.feature(r, Co2Data.WINDOW);
            assertEquals(Math.rint(id), id);
            seen[(int) id] = true;
        }
        for (int week = 0; week < seen.length; week++) {
            assertTrue(seen[week], "week " + week + " of the year never occurs");
        }
    }

    @Test
    void measuresTheMeanYearlyIncreaseOnTheTrainingWeeksOnly() {
        // A rise of 2 per 52 weeks over the first 60 weeks, then a jump the training part must
        // not see.
        double[] ppm = new double[70];
        for (int i = 0; i < ppm.length; i++) {
            ppm[i] = i < 60 ? 300 + 2.0 * i / 52 : 1000;
        }
        assertEquals(2, Co2Data.meanYearlyIncrease(ppm, 60), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Co2Data.meanYearlyIncrease(ppm, 52));
    }

    @Test
    void theBaselinesForecastFromTheWeekBeforeAndFromFiftyTwoWeeksBefore() {
        double[] ppm = new double[60];
        for (int i = 0; i < ppm.length; i++) {
            ppm[i] = i * i;
        }
        assertArrayEquals(new double[] {55 * 55, 56 * 56}, Co2Data.lastValueForecast(ppm, 56, 58));
        assertArrayEquals(new double[] {4 * 4 + 1.5, 5 * 5 + 1.5}, Co2Data.seasonalNaiveForecast(ppm, 56, 58, 1.5));
    }

    @Test
    void theRmseIsTheRootOfTheMeanSquaredErrorInTheUnitsOfTheData() {
        double[] ppm = {0, 10, 20, 30};
        assertEquals(Math.sqrt((9 + 16) / 2.0), Co2Data.rmse(new double[] {23, 26}, ppm, 2), 1e-12);
    }

    @Test
    void theBaselinesOnTheRealTestWeeks() {
        double[] ppm = Co2Data.interpolate(Co2Data.load().ppm());
        int training = Co2Data.trainingWeeks(ppm.length);
        double increase = Co2Data.meanYearlyIncrease(ppm, training);
        assertEquals(1.2025, increase, 1e-4);
        double last = Co2Data.rmse(Co2Data.lastValueForecast(ppm, training, ppm.length), ppm, training);
        double seasonal =
                Co2Data.rmse(Co2Data.seasonalNaiveForecast(ppm, training, ppm.length, increase), ppm, training);
        assertEquals(0.513, last, 1e-3);
        assertEquals(0.947, seasonal, 1e-3);
    }
}
