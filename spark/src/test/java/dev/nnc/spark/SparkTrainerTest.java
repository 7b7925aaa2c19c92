package dev.nnc.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.NonFiniteTrainingException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training in local[2]: one JVM's result, determinism, checkpoints and the failures. */
class SparkTrainerTest {

    private static SparkSession spark;

    private static final TestData DATA = TestData.classes(203, 3);

    @BeforeAll
    static void start() {
        spark = TestData.session("local[2]");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static SparkTrainer.Builder trainer(int batchSize, int epochs) {
        return SparkTrainer.builder().batchSize(batchSize).epochs(epochs).seed(5);
    }

    @Test
    void givesTheParametersOfOneJvmOnTheSameBatches() {
        Plain local = new Plain();
        DATA.trainLocally(local, 16, 3, 5);
        for (int partitions : new int[] {2, 3}) {
            Plain distributed = new Plain();
            List<SparkEpochReport> reports =
                    trainer(16, 3).build().fit(distributed, Plain::new, DATA.frame(spark, partitions));
            assertEquals(3, reports.size());
            double difference =
                    TestData.relativeDifference(TestData.parameters(distributed), TestData.parameters(local));
            assertTrue(difference <= 1e-12, partitions + " partitions: relative difference " + difference);
        }
    }

    @Test
    void aFloatNetworkTrainsLikeOneJvmToFloatRounding() {
        PlainFloat local = new PlainFloat();
        DATA.trainLocally(local, 32, 1, 5);
        PlainFloat distributed = new PlainFloat();
        trainer(32, 1).build().fit(distributed, PlainFloat::new, DATA.frame(spark, 2));
        double difference = TestData.relativeDifference(TestData.parameters(distributed), TestData.parameters(local));
        assertTrue(difference <= 1e-4, "relative difference " + difference);
    }

    @Test
    void printsAProgressLinePerEpochDrawsTheChartAndLowersTheLoss(@TempDir Path directory) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Path chart = directory.resolve("charts/plain-training.svg");
        List<SparkEpochReport> reports = trainer(16, 4)
                .progress(new PrintStream(printed, true, StandardCharsets.UTF_8))
                .chart(chart)
                .build()
                .fit(new Plain(), NetworkFactory.of(Plain.class), DATA.frame(spark, 2));
        String[] lines = printed.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(4, lines.length);
        assertTrue(lines[0].startsWith("epoch 1/4  loss "), lines[0]);
        assertTrue(lines[0].contains("203 samples in ") && lines[0].endsWith("samples/s)"), lines[0]);
        assertEquals(203, reports.get(3).samples());
        assertTrue(reports.get(3).loss() < reports.get(0).loss(), reports.toString());
        String svg = Files.readString(chart);
        assertTrue(svg.startsWith("<svg") || svg.startsWith("<?xml"), svg.substring(0, 40));
        assertTrue(svg.contains("id=\"training-loss\""), "the training loss is drawn");
        assertTrue(svg.contains("4 epochs"), "every epoch is in the chart");
        assertFalse(svg.contains("validation-loss\""), "Spark training has no validation series");
    }

    @Test
    void dropoutMasksRepeatFromTheSeedStepAndPartition() {
        Dataset<Row> frame = DATA.frame(spark, 2);
        Dropped first = new Dropped();
        trainer(16, 2).build().fit(first, Dropped::new, frame);
        Dropped second = new Dropped();
        trainer(16, 2).build().fit(second, Dropped::new, frame);
        assertArrayEquals(TestData.parameters(first), TestData.parameters(second));

        Dropped otherSeed = new Dropped();
        trainer(16, 2).seed(6).build().fit(otherSeed, Dropped::new, frame);
        assertFalse(java.util.Arrays.equals(TestData.parameters(first), TestData.parameters(otherSeed)));

        // The masks depend on the partition, so the partitioning changes the result, unlike
        // for a network without dropout.
        Dropped threeParts = new Dropped();
        trainer(16, 2).build().fit(threeParts, Dropped::new, DATA.frame(spark, 3));
        assertTrue(TestData.relativeDifference(TestData.parameters(threeParts), TestData.parameters(first)) > 1e-6);
    }

    @Test
    void batchNormUsesEachPartitionsStatisticsAndAveragesTheRunningOnes() {
        int rows = 40;
        TestData data = TestData.classes(rows, 8);
        Normed driver = new Normed();
        trainer(rows, 1).build().fit(driver, Normed::new, data.frame(spark, 2));

        // One step over all 40 rows; parallelize puts rows 0-19 in partition 0, 20-39 in 1.
        Normed start = new Normed();
        double[] gradient = new double[start.parameterCount()];
        double[] meanGradient = new double[start.parameterCount()];
        double[] meanBuffers = new double[Normed.BUFFER_COUNT];
        for (int partition = 0; partition < 2; partition++) {
            Normed part = start.copy();
            double[] xs = new double[20 * TestData.FEATURES];
            double[] ys = new double[20 * TestData.CLASSES];
            for (int r = 0; r < 20; r++) {
                System.arraycopy(data.xs[partition * 20 + r], 0, xs, r * TestData.FEATURES, TestData.FEATURES);
                System.arraycopy(data.ys[partition * 20 + r], 0, ys, r * TestData.CLASSES, TestData.CLASSES);
            }
            part.trainingGradient(xs, ys, 20, gradient);
            double[] buffers = new double[Normed.BUFFER_COUNT];
            part.getBuffers(buffers);
            for (int i = 0; i < gradient.length; i++) {
                meanGradient[i] += gradient[i] * 20 / rows;
            }
            for (int i = 0; i < buffers.length; i++) {
                meanBuffers[i] += buffers[i] * 20 / rows;
            }
        }
        start.applyGradient(meanGradient);
        assertTrue(TestData.relativeDifference(TestData.parameters(driver), TestData.parameters(start)) <= 1e-12);
        double[] driverBuffers = new double[Normed.BUFFER_COUNT];
        driver.getBuffers(driverBuffers);
        assertTrue(TestData.relativeDifference(driverBuffers, meanBuffers) <= 1e-12);

        // In one partition, the batch statistics are the global batch's: one JVM's result.
        Normed whole = new Normed();
        trainer(16, 2).build().fit(whole, Normed::new, data.frame(spark, 1));
        Normed local = new Normed();
        data.trainLocally(local, 16, 2, 5);
        assertTrue(TestData.relativeDifference(TestData.parameters(whole), TestData.parameters(local)) <= 1e-12);
        double[] localBuffers = new double[Normed.BUFFER_COUNT];
        local.getBuffers(localBuffers);
        whole.getBuffers(driverBuffers);
        assertTrue(TestData.relativeDifference(driverBuffers, localBuffers) <= 1e-12);
    }

    @Test
    void resumesFromACheckpointBitForBit(@TempDir Path directory) throws Exception {
        Dataset<Row> frame = DATA.frame(spark, 2);
        Dropped straight = new Dropped();
        trainer(16, 4).checkpointEvery(2, directory).build().fit(straight, Dropped::new, frame);
        assertTrue(Files.exists(SparkTrainer.checkpointFile(directory, 2)));
        assertTrue(Files.exists(SparkTrainer.checkpointFile(directory, 4)));

        Dropped resumed = new Dropped();
        List<SparkEpochReport> reports = trainer(16, 4)
                .resumeFrom(SparkTrainer.checkpointFile(directory, 2))
                .build()
                .fit(resumed, Dropped::new, frame);
        assertEquals(
                List.of(3, 4), reports.stream().map(SparkEpochReport::epoch).toList());
        assertArrayEquals(TestData.parameters(straight), TestData.parameters(resumed));

        IllegalArgumentException otherBatches = assertThrows(
                IllegalArgumentException.class,
                () -> trainer(8, 4)
                        .resumeFrom(SparkTrainer.checkpointFile(directory, 2))
                        .build()
                        .fit(new Dropped(), Dropped::new, frame));
        assertTrue(otherBatches.getMessage().contains("batch size 16"), otherBatches.getMessage());
    }

    @Test
    void namesTheRowOfTheWrongWidth() {
        Dataset<Row> frame = DATA.frame(spark, 2)
                .withColumn(
                        "features",
                        functions
                                .when(functions.col("id").equalTo(17), functions.slice(functions.col("features"), 1, 4))
                                .otherwise(functions.col("features")));
        Plain network = new Plain();
        double[] before = TestData.parameters(network);
        InvalidRowException failure = assertThrows(
                InvalidRowException.class, () -> trainer(16, 1).build().fit(network, Plain::new, frame));
        assertTrue(
                failure.getMessage().contains("row 17: column 'features' has 4 values, but the network takes 5"),
                failure.getMessage());
        assertArrayEquals(before, TestData.parameters(network));
    }

    @Test
    void rejectsColumnsThatAreNotNumericArrays() {
        Dataset<Row> frame = DATA.frame(spark, 2);
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class,
                () -> trainer(16, 1).featuresColumn("pixels").build().fit(new Plain(), Plain::new, frame));
        assertTrue(missing.getMessage().startsWith("no column 'pixels'"), missing.getMessage());
        IllegalArgumentException scalar = assertThrows(
                IllegalArgumentException.class,
                () -> trainer(16, 1).featuresColumn("id").build().fit(new Plain(), Plain::new, frame));
        assertTrue(scalar.getMessage().contains("found int"), scalar.getMessage());
    }

    @Test
    void namesTheEpochStepAndParameterOfANonFiniteGradient() {
        TestData data = TestData.classes(64, 4);
        data.xs[17][2] = Double.NaN;
        Plain network = new Plain();
        NonFiniteTrainingException failure = assertThrows(
                NonFiniteTrainingException.class,
                () -> trainer(16, 3).build().fit(network, Plain::new, data.frame(spark, 2)));
        // The first epoch already meets row 17; its step is where row 17 is in the epoch order.
        int[] first = GlobalBatches.order(5, 0, 64);
        int position = 0;
        while (first[position] != 17) {
            position++;
        }
        assertEquals(NonFiniteTrainingException.Quantity.GRADIENT, failure.quantity());
        assertEquals(
                "epoch 1/3, step " + (position / 16 + 1) + "/4",
                failure.location().orElseThrow());
        assertEquals(position / 16 + 1, failure.step());
        assertEquals("h.weight", failure.parameterName().orElseThrow(), failure.getMessage());
        for (double value : TestData.parameters(network)) {
            assertTrue(Double.isFinite(value), "the failed step must not be applied");
        }
    }

    @Test
    void anExecutorFailureStopsTrainingWithTheStepAndLeavesTheNetworkAsItWas() {
        Plain network = new Plain();
        double[] before = TestData.parameters(network);
        NetworkFactory<Plain> failing = () -> {
            // Spark names its task threads so; the driver's own check of the factory passes.
            if (Thread.currentThread().getName().startsWith("Executor task launch")) {
                throw new IllegalStateException("simulated executor failure");
            }
            return new Plain();
        };
        SparkTrainingException failure = assertThrows(
                SparkTrainingException.class, () -> trainer(16, 2).build().fit(network, failing, DATA.frame(spark, 2)));
        assertEquals(1, failure.epoch());
        assertEquals(1, failure.step());
        assertTrue(failure.getMessage().startsWith("training stopped at epoch 1/2, step 1/13"), failure.getMessage());
        assertTrue(failure.getMessage().contains("simulated executor failure"), failure.getMessage());
        assertArrayEquals(before, TestData.parameters(network));
    }
}
