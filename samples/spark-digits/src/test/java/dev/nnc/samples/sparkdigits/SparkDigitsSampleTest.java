package dev.nnc.samples.sparkdigits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SparkDigitsSampleTest {

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("spark-digits test")
                .config("spark.ui.enabled", false)
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void readsAllImagesOfTheDataSet() {
        assertEquals(
                1797,
                SparkDigitsSample.read(spark, SparkDigitsSample.bundledCsv()).count());
    }

    @Test
    void reachesAtLeast95PercentTestAccuracyAndDrawsTheChart() throws Exception {
        SparkDigitsSample.Result result = SparkDigitsSample.run(spark, SparkDigitsSample.bundledCsv(), null);
        assertEquals(SparkDigitsSample.EPOCHS, result.history().size());
        // randomSplit cuts near 75/25; every image is in exactly one part.
        assertEquals(1797, result.history().get(0).samples() + result.testRows());
        assertEquals(result.testRows(), result.scored().count());
        assertTrue(result.accuracy() >= 0.95, "test accuracy " + result.accuracy() + " is below 0.95");
        String chart = Files.readString(SparkDigitsSample.chartFile());
        assertTrue(
                chart.contains("id=\"training-loss\"") && chart.contains(SparkDigitsSample.EPOCHS + " epochs"), chart);
    }
}
