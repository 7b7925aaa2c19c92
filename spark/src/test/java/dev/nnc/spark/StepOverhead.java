package dev.nnc.spark;

import dev.nnc.runtime.SeededRandom;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Measures the time of one training step of N5 (784-256-128-10, double) on Spark against one JVM
 * on the same machine, for global batches of 512 and 4096, in the master given as the first
 * argument ({@code local[1]}, {@code local[2]}). Not a test: BENCHMARKS.md reports its output.
 * The first epoch warms up the JIT and the cache of the rows and is not counted.
 *
 * <pre>
 * java $SPARK_JVM_OPTIONS -cp ... dev.nnc.spark.StepOverhead local[2]
 * </pre>
 */
public final class StepOverhead {

    private static final int ROWS = 8192;

    private StepOverhead() {}

    public static void main(String[] args) throws IOException {
        String master = args.length > 0 ? args[0] : "local[2]";
        SparkSession spark = TestData.session(master);
        spark.sparkContext().setLogLevel("ERROR");
        try {
            double[][] xs = new double[ROWS][N5.INPUT_SIZE];
            double[][] ys = new double[ROWS][N5.TARGET_SIZE];
            SeededRandom random = new SeededRandom(105);
            List<Row> rows = new ArrayList<>();
            for (int r = 0; r < ROWS; r++) {
                for (int i = 0; i < N5.INPUT_SIZE; i++) {
                    xs[r][i] = random.nextDouble();
                }
                ys[r][random.nextInt(N5.TARGET_SIZE)] = 1;
                rows.add(RowFactory.create(r, xs[r], ys[r]));
            }
            int partitions = spark.sparkContext().defaultParallelism();
            // Read back from files, as real data would be: a DataFrame made with parallelize
            // carries its rows in its partition objects, which Spark serializes into every task.
            Path file = Files.createTempDirectory("spark-n5-").resolve("rows.parquet");
            spark.createDataFrame(
                            JavaSparkContext.fromSparkContext(spark.sparkContext())
                                    .parallelize(rows, partitions),
                            TestData.SCHEMA)
                    .write()
                    .parquet(file.toString());
            Dataset<Row> frame = spark.read().parquet(file.toString());
            for (int batch : new int[] {512, 4096}) {
                int steps = GlobalBatches.steps(ROWS, batch);
                int epochs = batch == 512 ? 3 : 6;
                List<SparkEpochReport> reports = SparkTrainer.builder()
                        .batchSize(batch)
                        .epochs(epochs)
                        .build()
                        .fit(new N5(), N5::new, frame);
                long sparkMillis = 0;
                for (SparkEpochReport report : reports.subList(1, reports.size())) {
                    sparkMillis += report.millis();
                }
                double sparkStep = sparkMillis / (double) ((epochs - 1) * steps);
                double localStep = oneJvmStep(xs, ys, batch, (epochs - 1) * steps);
                System.out.printf(
                        Locale.ROOT,
                        "%s, %d partitions, batch %d: Spark %.1f ms/step, one JVM %.1f ms/step, overhead %.1f ms"
                                + " (%.0f%%)%n",
                        master,
                        partitions,
                        batch,
                        sparkStep,
                        localStep,
                        sparkStep - localStep,
                        100 * (sparkStep - localStep) / localStep);
            }
        } finally {
            spark.stop();
        }
    }

    /** The mean time of one trainStep on {@code batch} rows, after as many warm-up steps. */
    private static double oneJvmStep(double[][] xs, double[][] ys, int batch, int steps) {
        N5 network = new N5();
        double[] bx = new double[batch * N5.INPUT_SIZE];
        double[] by = new double[batch * N5.TARGET_SIZE];
        for (int k = 0; k < batch; k++) {
            System.arraycopy(xs[k], 0, bx, k * N5.INPUT_SIZE, N5.INPUT_SIZE);
            System.arraycopy(ys[k], 0, by, k * N5.TARGET_SIZE, N5.TARGET_SIZE);
        }
        for (int s = 0; s < steps; s++) {
            network.trainStep(bx, by, batch);
        }
        long started = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            network.trainStep(bx, by, batch);
        }
        return (System.nanoTime() - started) / 1e6 / steps;
    }
}
