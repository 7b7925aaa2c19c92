package dev.nnc.spark;

import dev.nnc.runtime.Network;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Batch scoring: a network's predictions as a new column of a DataFrame. Each partition makes one
 * instance with the factory, gives it the trained network's parameters and buffers (broadcast
 * once), and calls the batched {@code predict(xs, n, outs)} on blocks of rows.
 */
public final class SparkScoring {

    /** Rows per {@code predict} call unless told otherwise. */
    public static final int DEFAULT_BLOCK_ROWS = 256;

    private SparkScoring() {}

    /**
     * {@code data} with one more column, {@code outputColumn}: the network's {@code
     * outputSize()} outputs per row as {@code array<double>}. Lazy, like every Spark
     * transformation; the parameters are those of {@code trained} now.
     *
     * @param data the rows to score, with the inputs in {@code featuresColumn}, an array of
     *     {@code inputSize()} numbers per row
     * @param trained the network whose parameters and buffers score
     * @param factory makes instances of {@code trained}'s class on the executors
     * @throws IllegalArgumentException if the columns do not fit; a row of the wrong width fails
     *     the job with an {@link InvalidRowException} (as the cause of Spark's exception) naming it
     */
    public static <N extends Network> Dataset<Row> withPredictions(
            Dataset<Row> data,
            N trained,
            NetworkFactory<? extends N> factory,
            String featuresColumn,
            String outputColumn) {
        return withPredictions(data, trained, factory, featuresColumn, outputColumn, DEFAULT_BLOCK_ROWS);
    }

    /** As {@link #withPredictions(Dataset, Network, NetworkFactory, String, String)}, with a block size. */
    public static <N extends Network> Dataset<Row> withPredictions(
            Dataset<Row> data,
            N trained,
            NetworkFactory<? extends N> factory,
            String featuresColumn,
            String outputColumn,
            int blockRows) {
        Objects.requireNonNull(trained, "trained");
        Objects.requireNonNull(factory, "factory");
        if (blockRows < 1) {
            throw new IllegalArgumentException("blockRows must be at least 1, found " + blockRows);
        }
        StructType schema = data.schema();
        Columns.requireNumericArray(schema, featuresColumn);
        if (List.of(schema.fieldNames()).contains(outputColumn)) {
            throw new IllegalArgumentException("the data already has a column '" + outputColumn + "'");
        }
        double[] parameters = new double[trained.parameterCount()];
        trained.getParameters(parameters);
        double[] buffers = trained.bufferCount() == 0 ? null : new double[trained.bufferCount()];
        if (buffers != null) {
            trained.getBuffers(buffers);
        }
        JavaSparkContext context =
                JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        Broadcast<double[]> sharedParameters = context.broadcast(parameters);
        Broadcast<double[]> sharedBuffers = buffers == null ? null : context.broadcast(buffers);
        int field = schema.fieldIndex(featuresColumn);
        StructType scored = schema.add(outputColumn, new ArrayType(DataTypes.DoubleType, false), false);
        MapPartitionsFunction<Row, Row> score = rows -> new Scorer(
                factory.create(), sharedParameters.value(), sharedBuffers, rows, field, featuresColumn, blockRows);
        return data.mapPartitions(score, Encoders.row(scored));
    }

    /** Scores one partition block by block, lazily, as Spark pulls rows. */
    private static final class Scorer implements Iterator<Row> {
        private final Network network;
        private final Iterator<Row> rows;
        private final int field;
        private final String column;
        private final int blockRows;
        private final double[] xs;
        private final double[] outs;
        private final List<Row> block;
        private int next;
        private long rowNumber;

        Scorer(
                Network network,
                double[] parameters,
                Broadcast<double[]> buffers,
                Iterator<Row> rows,
                int field,
                String column,
                int blockRows) {
            this.network = network;
            network.setParameters(parameters);
            if (buffers != null) {
                network.setBuffers(buffers.value());
            }
            this.rows = rows;
            this.field = field;
            this.column = column;
            this.blockRows = blockRows;
            this.xs = new double[blockRows * network.inputSize()];
            this.outs = new double[blockRows * network.outputSize()];
            this.block = new ArrayList<>(blockRows);
        }

        @Override
        public boolean hasNext() {
            return next < block.size() || rows.hasNext();
        }

        @Override
        public Row next() {
            if (next == block.size()) {
                fill();
            }
            Row row = block.get(next);
            int outputs = network.outputSize();
            double[] out = new double[outputs];
            System.arraycopy(outs, next * outputs, out, 0, outputs);
            next++;
            Object[] values = new Object[row.length() + 1];
            for (int i = 0; i < row.length(); i++) {
                values[i] = row.get(i);
            }
            values[row.length()] = out;
            return RowFactory.create(values);
        }

        private void fill() {
            block.clear();
            next = 0;
            int inputs = network.inputSize();
            while (block.size() < blockRows && rows.hasNext()) {
                Row row = rows.next();
                Columns.read(row, field, column, inputs, rowNumber++, xs, block.size() * inputs);
                block.add(row);
            }
            network.predict(xs, block.size(), outs);
        }
    }
}
