package dev.nnc.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Scoring a DataFrame: the predictions of the driver's network, per row, in a new column. */
class SparkScoringTest {

    private static SparkSession spark;

    private static final TestData DATA = TestData.classes(101, 9);

    @BeforeAll
    static void start() {
        spark = TestData.session("local[2]");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void addsThePredictionsOfEveryRowAsAColumn() {
        Plain network = new Plain(77);
        Dataset<Row> scored =
                SparkScoring.withPredictions(DATA.frame(spark, 3), network, Plain::new, "features", "prediction", 7);
        assertEquals(
                "array<double>", scored.schema().apply("prediction").dataType().simpleString());
        List<Row> rows = scored.orderBy("id").collectAsList();
        assertEquals(DATA.rows(), rows.size());
        double[] expected = new double[Plain.OUTPUT_SIZE];
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            assertEquals(r, row.getInt(0));
            network.predict(DATA.xs[r], expected);
            List<Double> found = row.getList(3);
            double[] actual = found.stream().mapToDouble(Double::doubleValue).toArray();
            assertArrayEquals(expected, actual, 1e-15, "row " + r);
        }
    }

    @Test
    void scoresWithTheRunningStatisticsOfABatchNormNetwork() {
        TestData data = TestData.classes(64, 2);
        Normed network = new Normed();
        data.trainLocally(network, 16, 2, 1);
        Dataset<Row> scored =
                SparkScoring.withPredictions(data.frame(spark, 2), network, Normed::new, "features", "prediction");
        List<Row> rows = scored.orderBy("id").collectAsList();
        double[] expected = new double[Normed.OUTPUT_SIZE];
        for (int r = 0; r < rows.size(); r++) {
            network.predict(data.xs[r], expected);
            List<Double> found = rows.get(r).getList(3);
            assertArrayEquals(
                    expected, found.stream().mapToDouble(Double::doubleValue).toArray(), 1e-15, "row " + r);
        }
    }

    @Test
    void failsOnARowOfTheWrongWidth() {
        Dataset<Row> frame = DATA.frame(spark, 2)
                .withColumn(
                        "features",
                        functions
                                .when(functions.col("id").equalTo(5), functions.slice(functions.col("features"), 1, 3))
                                .otherwise(functions.col("features")));
        Dataset<Row> scored = SparkScoring.withPredictions(frame, new Plain(), Plain::new, "features", "prediction");
        Exception failure = assertThrows(Exception.class, scored::collectAsList);
        Throwable cause = failure;
        while (cause != null && !(cause instanceof InvalidRowException)) {
            cause = cause.getCause();
        }
        assertTrue(cause != null, "no InvalidRowException in " + failure);
        assertTrue(cause.getMessage().contains("has 3 values, but the network takes 5"), cause.getMessage());
    }

    @Test
    void rejectsAnOutputColumnThatExists() {
        IllegalArgumentException failure = assertThrows(
                IllegalArgumentException.class,
                () -> SparkScoring.withPredictions(
                        DATA.frame(spark, 2), new Plain(), Plain::new, "features", "targets"));
        assertEquals("the data already has a column 'targets'", failure.getMessage());
    }
}
