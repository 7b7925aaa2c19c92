package dev.nnc.samples.co2;

import dev.nnc.runtime.Dataset;
import dev.nnc.runtime.Standardizer;
import dev.nnc.runtime.Trainer;
import dev.nnc.runtime.TrainingHistory;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;

/**
 * Forecasts the weekly Mauna Loa CO2 concentration one week ahead with the generated network
 * {@link Co2Forecast} (a GRU over the weekly changes and an embedding of the week of the year): trained on the first 80% of the weeks, measured on the last 20% beside the
 * last-value and seasonal-naive forecasts.
 */
public final class Co2Sample {

    static final int EPOCHS = 20;
    static final int BATCH_SIZE = 32;
    static final long SHUFFLE_SEED = 1;

    private Co2Sample() {}

    /** The data as the network sees it, and the split. */
    record Prepared(
            LocalDate[] weeks,
            double[] ppm,
            int filledWeeks,
            int trainingWeeks,
            Standardizer changes,
            Dataset training,
            Dataset test) {

        Prepared {
            weeks = weeks.clone();
            ppm = ppm.clone();
        }

        @Override
        public LocalDate[] weeks() {
            return weeks.clone();
        }

        /** The concentrations in ppm, the missing weeks filled. */
        @Override
        public double[] ppm() {
            return ppm.clone();
        }

        int testWeeks() {
            return ppm.length - trainingWeeks;
        }
    }

    /** What a run produced; the RMSEs are in ppm over the test weeks. */
    record Result(
            TrainingHistory history,
            int testWeeks,
            double networkRmse,
            double lastValueRmse,
            double seasonalNaiveRmse,
            double yearlyIncrease) {}

    /**
     * Loads the series, fills the missing weeks by linear interpolation, standardises the weekly
     * changes with the training weeks' statistics and cuts the windows: a training window for every
     * target week before the split, a test window for every week after it.
     */
    static Prepared prepare() {
        Co2Data.Series series = Co2Data.load();
        double[] ppm = Co2Data.interpolate(series.ppm());
        LocalDate[] weeks = series.weeks();
        int trainingWeeks = Co2Data.trainingWeeks(ppm.length);
        double[] changes = Co2Data.weeklyChanges(ppm);
        Standardizer standardizer = Co2Data.fitStandardizer(changes, 1, trainingWeeks);
        double[] standardized = Co2Data.standardize(standardizer, changes);
        return new Prepared(
                weeks,
                ppm,
                series.missing(),
                trainingWeeks,
                standardizer,
                Co2Data.windows(standardized, weeks, Co2Data.FIRST_TARGET, trainingWeeks),
                Co2Data.windows(standardized, weeks, trainingWeeks, ppm.length));
    }

    /**
     * Trains a fresh network, writes the training chart to {@link #chartFile()}, and measures the
     * network and the baselines on the test weeks. The test windows are the trainer's validation
     * data only so that the chart shows their loss per epoch: nothing is decided with them (no
     * early stopping).
     *
     * @param progress whether to show a progress bar on a terminal (plain lines elsewhere)
     */
    static Result run(Prepared data, boolean progress) {
        Co2Forecast network = new Co2Forecast();
        Trainer.Builder trainer = Trainer.builder()
                .epochs(EPOCHS)
                .batchSize(BATCH_SIZE)
                .seed(SHUFFLE_SEED)
                .validationData(data.test())
                .chart(chartFile());
        if (progress) {
            trainer.progressBar();
        }
        TrainingHistory history = trainer.build().fit(network, data.training());

        double[] ppm = data.ppm();
        int from = data.trainingWeeks();
        int to = ppm.length;
        double[] predicted = new double[data.test().size()];
        network.predict(data.test().features(), data.test().size(), predicted);
        double[] forecast = Co2Data.forecastFromChanges(ppm, from, predicted, data.changes());
        double increase = Co2Data.meanYearlyIncrease(ppm, from);
        return new Result(
                history,
                to - from,
                Co2Data.rmse(forecast, ppm, from),
                Co2Data.rmse(Co2Data.lastValueForecast(ppm, from, to), ppm, from),
                Co2Data.rmse(Co2Data.seasonalNaiveForecast(ppm, from, to, increase), ppm, from),
                increase);
    }

    /**
     * Where {@link #run} writes the training chart: {@code target/co2-training.svg}, beside the compiled
     * classes, wherever the JVM was started.
     */
    static Path chartFile() {
        try {
            Path classes = Path.of(Co2Sample.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return classes.getParent().resolve("co2-training.svg");
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Prints what the data became, the training's progress, the chart's path and the test RMSEs. */
    public static void main(String[] args) {
        Prepared data = prepare();
        LocalDate[] weeks = data.weeks();
        int split = data.trainingWeeks();
        PrintStream out = System.out;
        out.printf(
                Locale.ROOT,
                "weekly CO2 at Mauna Loa, %s to %s: %d weeks, %d without a value, filled by linear"
                        + " interpolation between the weeks on either side%n",
                weeks[0],
                weeks[weeks.length - 1],
                weeks.length,
                data.filledWeeks());
        out.printf(
                Locale.ROOT,
                "training: %d windows, target weeks %s to %s; test: %d weeks, %s to %s%n",
                data.training().size(),
                weeks[Co2Data.FIRST_TARGET],
                weeks[split - 1],
                data.testWeeks(),
                weeks[split],
                weeks[weeks.length - 1]);
        out.printf(
                Locale.ROOT,
                "input: the 52 weekly changes before the forecast week, standardised with the training"
                        + " weeks' mean %.4f and deviation %.4f ppm, and the forecast week's week of the year%n",
                data.changes().mean()[0],
                data.changes().std()[0]);
        out.printf(
                Locale.ROOT,
                "Co2Forecast: concat(gru 16 of [52, 1], embedding 53 x 4 of the week of the year) -> dense 1,"
                        + " %d parameters; loss: MSE of the standardised changes; Adam; %d epochs of batch %d%n%n",
                Co2Forecast.PARAMETER_COUNT,
                EPOCHS,
                BATCH_SIZE);
        long start = System.nanoTime();
        Result result = run(data, true);
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "%ntrained in %.1f s; training chart: %s%n", seconds, chartFile());
        out.printf(Locale.ROOT, "%nnext-week forecasts of the %d test weeks, RMSE in ppm:%n", result.testWeeks());
        out.printf(Locale.ROOT, "  Co2Forecast (GRU and week embedding)         %.3f%n", result.networkRmse());
        out.printf(Locale.ROOT, "  last value (the week before)                 %.3f%n", result.lastValueRmse());
        out.printf(
                Locale.ROOT,
                "  seasonal naive (52 weeks before + %.2f ppm)  %.3f%n",
                result.yearlyIncrease(),
                result.seasonalNaiveRmse());
    }
}
