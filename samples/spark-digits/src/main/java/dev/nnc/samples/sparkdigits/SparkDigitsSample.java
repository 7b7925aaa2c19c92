package dev.nnc.samples.sparkdigits;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.stddev_pop;
import static org.apache.spark.sql.functions.when;

import dev.nnc.spark.SparkEpochReport;
import dev.nnc.spark.SparkScoring;
import dev.nnc.spark.SparkTrainer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Trains the generated {@link Digits} network on Apache Spark: reads the digits CSV into a
 * DataFrame, splits it 75/25, standardises the pixels with the training part's statistics, trains
 * with {@link SparkTrainer} and scores the test part with {@link SparkScoring}.
 *
 * <p>{@code main} runs in {@code local[2]} unless a master is set ({@code spark-submit
 * --master ...}); its one optional argument is the path of the CSV (any path Spark reads, such
 * as {@code hdfs://} or {@code s3a://}), by default the copy on the class path.
 */
public final class SparkDigitsSample {

    static final int PIXELS = 64;
    static final int CLASSES = 10;
    static final long SPLIT_SEED = 42;
    static final int EPOCHS = 30;
    static final int BATCH_SIZE = 32;

    private SparkDigitsSample() {}

    /** What a run produced. */
    record Result(List<SparkEpochReport> history, long testRows, double accuracy, Dataset<Row> scored) {}

    /**
     * Reads the CSV (64 pixel values 0..16, then the digit) into the columns {@code features}
     * (array of 64 raw pixel values), {@code label} and {@code targets} (one-hot).
     */
    static Dataset<Row> read(SparkSession spark, String path) {
        Dataset<Row> raw = spark.read().option("inferSchema", true).csv(path);
        Column[] pixels = new Column[PIXELS];
        for (int i = 0; i < PIXELS; i++) {
            pixels[i] = col("_c" + i).cast("double");
        }
        Column label = col("_c" + PIXELS).cast("int");
        Column[] oneHot = new Column[CLASSES];
        for (int k = 0; k < CLASSES; k++) {
            oneHot[k] = when(label.equalTo(k), 1.0).otherwise(0.0);
        }
        return raw.select(
                functions.array(pixels).as("features"),
                label.as("label"),
                functions.array(oneHot).as("targets"));
    }

    /**
     * {@code frame} with each pixel standardised by {@code training}'s mean and standard
     * deviation (a pixel that never varies is only centred).
     */
    static Dataset<Row> standardize(Dataset<Row> frame, Dataset<Row> training) {
        List<Column> statistics = new ArrayList<>();
        for (int i = 0; i < PIXELS; i++) {
            Column pixel = col("features").getItem(i);
            statistics.add(avg(pixel));
            statistics.add(stddev_pop(pixel));
        }
        Row moments = training.agg(
                        statistics.get(0),
                        statistics.subList(1, statistics.size()).toArray(Column[]::new))
                .first();
        Column[] scaled = new Column[PIXELS];
        for (int i = 0; i < PIXELS; i++) {
            double mean = moments.getDouble(2 * i);
            double deviation = moments.getDouble(2 * i + 1);
            scaled[i] = col("features").getItem(i).minus(lit(mean)).divide(lit(deviation > 0 ? deviation : 1.0));
        }
        return frame.withColumn("features", functions.array(scaled));
    }

    /**
     * Splits, standardises, trains and scores.
     *
     * @param progress where the trainer prints one line per epoch, or {@code null} for silence
     */
    static Result run(SparkSession spark, String path, PrintStream progress) {
        Dataset<Row>[] parts = read(spark, path).randomSplit(new double[] {0.75, 0.25}, SPLIT_SEED);
        Dataset<Row> training = standardize(parts[0], parts[0]).cache();
        Dataset<Row> test = standardize(parts[1], parts[0]).cache();

        Digits network = new Digits();
        SparkTrainer.Builder trainer = SparkTrainer.builder()
                .epochs(EPOCHS)
                .batchSize(BATCH_SIZE)
                .seed(1)
                .chart(chartFile());
        if (progress != null) {
            trainer.progress(progress);
        }
        List<SparkEpochReport> history = trainer.build().fit(network, Digits::new, training);

        Dataset<Row> scored = SparkScoring.withPredictions(test, network, Digits::new, "features", "probabilities")
                .withColumn("predicted", expr("array_position(probabilities, array_max(probabilities)) - 1"))
                .cache();
        Row accuracy = scored.agg(
                        avg(when(col("predicted").equalTo(col("label")), 1.0).otherwise(0.0)), functions.count(lit(1)))
                .first();
        return new Result(history, accuracy.getLong(1), accuracy.getDouble(0), scored);
    }

    /**
     * Where {@link #run} writes the training chart: {@code target/spark-digits-training.svg}, beside
     * the compiled classes, wherever the JVM was started.
     */
    static Path chartFile() {
        try {
            Path classes = Path.of(SparkDigitsSample.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return classes.getParent().resolve("spark-digits-training.svg");
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The digits CSV on the class path, copied to a file that Spark can read. */
    static String bundledCsv() {
        try (InputStream in = SparkDigitsSample.class.getResourceAsStream("/digits.csv.gz")) {
            if (in == null) {
                throw new IllegalStateException("digits.csv.gz is not on the class path");
            }
            Path file = Files.createTempFile("digits", ".csv.gz");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Prints a progress line per epoch, the test accuracy, the path of the training chart and a few scored rows. */
    public static void main(String[] args) {
        SparkSession.Builder builder = SparkSession.builder().appName("nnc digits on Spark");
        if (!new SparkConf().contains("spark.master")) {
            builder.master("local[2]");
        }
        SparkSession spark = builder.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            String path = args.length > 0 ? args[0] : bundledCsv();
            System.out.printf(
                    Locale.ROOT,
                    "Digits on Spark (%s): %d inputs, %d classes, %d parameters; %d epochs, batch size %d%n",
                    spark.sparkContext().master(),
                    Digits.INPUT_SIZE,
                    Digits.OUTPUT_SIZE,
                    Digits.PARAMETER_COUNT,
                    EPOCHS,
                    BATCH_SIZE);
            Result result = run(spark, path, System.out);
            System.out.printf(
                    Locale.ROOT,
                    "%ntest accuracy: %.2f%% (%d of %d images)%n%n",
                    100 * result.accuracy(),
                    Math.round(result.accuracy() * result.testRows()),
                    result.testRows());
            System.out.printf("training chart: %s%n%n", chartFile());
            result.scored().select("label", "predicted", "probabilities").show(5, 60);
        } finally {
            spark.stop();
        }
    }
}
