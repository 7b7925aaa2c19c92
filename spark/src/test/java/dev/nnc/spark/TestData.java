package dev.nnc.spark;

import dev.nnc.runtime.SeededRandom;
import dev.nnc.runtime.TrainableNetwork;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Seeded synthetic data and the single-JVM training that Spark's must reproduce. */
final class TestData {

    static final int FEATURES = 5;
    static final int CLASSES = 3;

    static final StructType SCHEMA = new StructType(new StructField[] {
        new StructField("id", DataTypes.IntegerType, false, Metadata.empty()),
        new StructField("features", new ArrayType(DataTypes.DoubleType, false), false, Metadata.empty()),
        new StructField("targets", new ArrayType(DataTypes.DoubleType, false), false, Metadata.empty())
    });

    final double[][] xs;
    final double[][] ys;

    private TestData(double[][] xs, double[][] ys) {
        this.xs = xs;
        this.ys = ys;
    }

    /** {@code rows} samples of 3 classes, decided by two linear scores; one-hot targets. */
    static TestData classes(int rows, long seed) {
        SeededRandom random = new SeededRandom(seed);
        double[][] xs = new double[rows][FEATURES];
        double[][] ys = new double[rows][CLASSES];
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < FEATURES; f++) {
                xs[r][f] = random.nextGaussian();
            }
            double a = xs[r][0] + 0.5 * xs[r][1] - xs[r][2];
            double b = xs[r][3] - 0.7 * xs[r][4];
            ys[r][a > 0.3 ? 0 : b > 0 ? 1 : 2] = 1;
        }
        return new TestData(xs, ys);
    }

    /** The same rows with one scalar target: the sum of the features. */
    static TestData regression(int rows, long seed) {
        TestData data = classes(rows, seed);
        double[][] ys = new double[rows][1];
        for (int r = 0; r < rows; r++) {
            for (double x : data.xs[r]) {
                ys[r][0] += x;
            }
        }
        return new TestData(data.xs, ys);
    }

    int rows() {
        return xs.length;
    }

    /** The rows in order, as a DataFrame of {@code partitions} partitions (id, features, targets). */
    Dataset<Row> frame(SparkSession spark, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < xs.length; r++) {
            rows.add(RowFactory.create(r, xs[r], ys[r]));
        }
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return spark.createDataFrame(context.parallelize(rows, partitions), SCHEMA);
    }

    /** One JVM, no Spark: trainStep on the global batches of {@link GlobalBatches}. */
    void trainLocally(TrainableNetwork network, int batchSize, int epochs, long seed) {
        int n = rows();
        int inputs = network.inputSize();
        int targets = network.targetSize();
        double[] bx = new double[batchSize * inputs];
        double[] by = new double[batchSize * targets];
        for (int epoch = 0; epoch < epochs; epoch++) {
            int[] order = GlobalBatches.order(seed, epoch, n);
            for (int from = 0; from < n; from += batchSize) {
                int m = Math.min(batchSize, n - from);
                for (int k = 0; k < m; k++) {
                    System.arraycopy(xs[order[from + k]], 0, bx, k * inputs, inputs);
                    System.arraycopy(ys[order[from + k]], 0, by, k * targets, targets);
                }
                network.trainStep(bx, by, m);
            }
        }
    }

    static double[] parameters(TrainableNetwork network) {
        double[] values = new double[network.parameterCount()];
        network.getParameters(values);
        return values;
    }

    /** The largest |a - b| / max(|b|, 1e-3) over the entries: relative, but not for values near 0. */
    static double relativeDifference(double[] a, double[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-3));
        }
        return worst;
    }

    static SparkSession session(String master) {
        return SparkSession.builder()
                .master(master)
                .appName("nnc-spark tests")
                .config("spark.ui.enabled", false)
                .config("spark.sql.shuffle.partitions", 4)
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
    }
}
