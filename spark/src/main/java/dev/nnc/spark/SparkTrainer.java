package dev.nnc.spark;

import dev.nnc.runtime.EpochReport;
import dev.nnc.runtime.NonFiniteTrainingException;
import dev.nnc.runtime.TrainableNetwork;
import dev.nnc.runtime.TrainingChart;
import dev.nnc.runtime.TrainingHistory;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Synchronous data-parallel training of a generated network on Apache Spark, in the pattern of
 * MLlib's own optimisers: every step the driver broadcasts the parameters, each partition
 * computes with the generated {@code trainingGradient} the gradient sum of the rows it holds of
 * the step's global batch, Spark adds the partitions' sums with {@code treeAggregate}, and the
 * driver divides by the batch's row count and applies one {@code applyGradient} (with the
 * network's clipping and optimizer, once).
 *
 * <p>The global batches are those of {@link GlobalBatches}: a seeded shuffle of all rows per
 * epoch, whatever the partitioning. For a network without dropout and batch_norm, training here
 * gives the parameters of one JVM training on the same batches, to rounding. With dropout, a
 * partition's masks come from (seed, step, partition); with batch_norm, a partition normalises
 * with its own rows' statistics (as PyTorch's DistributedDataParallel does), and the driver's
 * running statistics become the row-weighted mean of the partitions' updated ones.
 *
 * <p>Thread-safe once built; one {@code fit} at a time per network.
 */
public final class SparkTrainer {

    private static final byte[] MAGIC = "NNSP".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;

    private final String featuresColumn;
    private final String targetsColumn;
    private final int batchSize;
    private final int epochs;
    private final long seed;
    private final int aggregationDepth;
    private final int checkpointEvery;
    private final Path checkpointDirectory;
    private final Path resumeFrom;
    private final PrintStream progress;
    private final Path chart;

    private SparkTrainer(Builder b) {
        this.featuresColumn = b.featuresColumn;
        this.targetsColumn = b.targetsColumn;
        this.batchSize = b.batchSize;
        this.epochs = b.epochs;
        this.seed = b.seed;
        this.aggregationDepth = b.aggregationDepth;
        this.checkpointEvery = b.checkpointEvery;
        this.checkpointDirectory = b.checkpointDirectory;
        this.resumeFrom = b.resumeFrom;
        this.progress = b.progress;
        this.chart = b.chart;
    }

    /** A builder with the defaults: columns "features" and "targets", batch 32, 10 epochs, seed 1. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains {@code network} on {@code data}; when it returns, {@code network} holds the trained
     * parameters, optimizer state and running statistics.
     *
     * @param network the driver's network: its parameters are the starting point, and its
     *     optimizer takes every step
     * @param factory makes the executors' instances of the same class, e.g. {@code Digits::new}
     * @param data one row per sample, with the features and targets as numeric array columns of
     *     {@code network.inputSize()} and {@code network.targetSize()} values
     * @return one report per epoch that ran (after a resume, the remaining ones)
     * @throws InvalidRowException if a row has the wrong width or a null, naming the row
     * @throws NonFiniteTrainingException if a step's gradient or loss is NaN or infinite, naming
     *     the epoch, the step and the first parameter entry; the network keeps the state before
     *     that step
     * @throws SparkTrainingException if Spark gives up on a step after its retries
     */
    public <N extends TrainableNetwork> List<SparkEpochReport> fit(
            N network, NetworkFactory<? extends N> factory, Dataset<Row> data) {
        Objects.requireNonNull(network, "network");
        requireFactoryFits(network, factory);
        Columns.requireNumericArray(data.schema(), featuresColumn);
        Columns.requireNumericArray(data.schema(), targetsColumn);
        JavaSparkContext context =
                JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        JavaRDD<TrainingBlock> blocks =
                blocks(data, network.inputSize(), network.targetSize()).persist(StorageLevel.MEMORY_AND_DISK());
        String runId = UUID.randomUUID().toString();
        boolean cached = false;
        try {
            long total = call(() -> blocks.map(block -> (long) block.rows()).fold(0L, Long::sum), null);
            if (total == 0) {
                throw new IllegalArgumentException("the training data has no rows");
            }
            cached = true;
            int rows = (int) total;
            int start = resumeFrom == null ? 0 : resume(network, rows);
            Run run = new Run(network, factory, context, blocks, runId, rows);
            List<SparkEpochReport> reports = new ArrayList<>();
            for (int epoch = start; epoch < epochs; epoch++) {
                SparkEpochReport report = run.epoch(epoch);
                reports.add(report);
                if (progress != null) {
                    progress.println(report);
                }
                if (chart != null) {
                    writeChart(network, reports);
                }
                if (checkpointEvery > 0 && (epoch + 1) % checkpointEvery == 0) {
                    writeCheckpoint(network, epoch + 1, rows);
                }
            }
            return reports;
        } finally {
            release(blocks, runId, cached);
        }
    }

    /**
     * Draws the epochs of this fit so far with {@link TrainingChart}: the training loss per epoch
     * (there is no validation set on Spark), the lowest marked as the best. Written after every
     * epoch, since a Spark epoch is long enough that the picture is worth watching.
     */
    private void writeChart(TrainableNetwork network, List<SparkEpochReport> reports) {
        List<EpochReport> epochs = new ArrayList<>(reports.size());
        int best = 0;
        for (int i = 0; i < reports.size(); i++) {
            SparkEpochReport r = reports.get(i);
            epochs.add(new EpochReport(r.epoch(), r.epochs(), r.loss(), Double.NaN, Double.NaN, r.millis()));
            if (r.loss() < reports.get(best).loss()) {
                best = i;
            }
        }
        try {
            TrainingChart.write(new TrainingHistory(epochs, best + 1, false, false), network.name(), chart);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write training chart " + chart + ": " + e.getMessage(), e);
        }
    }

    /**
     * Drops the run's workers and plans on the executors and the cached rows. Best effort: the
     * executors' state of a run is only a cache, so a release that fails wastes memory, nothing
     * else. Skipped when the rows never became a cache (reading them failed): the release would
     * read them again.
     */
    private static void release(JavaRDD<TrainingBlock> blocks, String runId, boolean cached) {
        if (cached) {
            try {
                blocks.foreachPartition(ignored -> ExecutorState.release(runId));
            } catch (Exception e) {
                // See above: nothing to undo.
            }
        }
        ExecutorState.release(runId);
        blocks.unpersist(false);
    }

    /** One training run's driver state. */
    private final class Run {
        private final TrainableNetwork network;
        private final NetworkFactory<? extends TrainableNetwork> factory;
        private final JavaSparkContext context;
        private final JavaRDD<TrainingBlock> blocks;
        private final String runId;
        private final int rows;
        private final int steps;
        private final double[] parameters;
        private final double[] bufferValues;
        private final double[] gradient;

        Run(
                TrainableNetwork network,
                NetworkFactory<? extends TrainableNetwork> factory,
                JavaSparkContext context,
                JavaRDD<TrainingBlock> blocks,
                String runId,
                int rows) {
            this.network = network;
            this.factory = factory;
            this.context = context;
            this.blocks = blocks;
            this.runId = runId;
            this.rows = rows;
            this.steps = GlobalBatches.steps(rows, batchSize);
            this.parameters = new double[network.parameterCount()];
            this.bufferValues = network.bufferCount() == 0 ? null : new double[network.bufferCount()];
            this.gradient = new double[network.parameterCount()];
        }

        SparkEpochReport epoch(int epoch) {
            long started = System.nanoTime();
            double lossSum = 0;
            long samples = 0;
            for (int batch = 0; batch < steps; batch++) {
                TrainingStep.Location location = new TrainingStep.Location(epoch, epochs, batch, steps);
                GradientSum sum = aggregate(location);
                int expected = Math.min(batchSize, rows - batch * batchSize);
                if (sum.count != expected) {
                    throw new IllegalStateException(location + ": the partitions held " + sum.count
                            + " rows of the batch instead of " + expected
                            + "; the data changed while training (a non-deterministic source recomputed?)");
                }
                update(sum, location);
                lossSum += sum.loss;
                samples += sum.count;
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            return new SparkEpochReport(epoch + 1, epochs, lossSum / samples, samples, millis);
        }

        private GradientSum aggregate(TrainingStep.Location location) {
            network.getParameters(parameters);
            Broadcast<double[]> sharedParameters = context.broadcast(parameters);
            Broadcast<double[]> sharedBuffers = null;
            if (bufferValues != null) {
                network.getBuffers(bufferValues);
                sharedBuffers = context.broadcast(bufferValues);
            }
            TrainingStep step =
                    new TrainingStep(runId, factory, sharedParameters, sharedBuffers, seed, rows, batchSize, location);
            try {
                return call(
                        () -> blocks.treeAggregate(new GradientSum(), step, GradientSum::add, aggregationDepth),
                        location);
            } finally {
                sharedParameters.destroy();
                if (sharedBuffers != null) {
                    sharedBuffers.destroy();
                }
            }
        }

        /** Checks the summed gradient, then applies its mean: the only update of the step. */
        private void update(GradientSum sum, TrainingStep.Location location) {
            double count = sum.count;
            for (int i = 0; i < gradient.length; i++) {
                gradient[i] = sum.gradient[i] / count;
                if (!Double.isFinite(gradient[i])) {
                    throw nonFinite(location, NonFiniteTrainingException.Quantity.GRADIENT, gradient[i], i);
                }
            }
            double loss = sum.loss / count;
            if (!Double.isFinite(loss)) {
                throw nonFinite(location, NonFiniteTrainingException.Quantity.LOSS, loss, -1);
            }
            network.applyGradient(gradient);
            if (bufferValues != null) {
                for (int i = 0; i < bufferValues.length; i++) {
                    bufferValues[i] = sum.buffers[i] / count;
                }
                network.setBuffers(bufferValues);
            }
        }

        private NonFiniteTrainingException nonFinite(
                TrainingStep.Location location, NonFiniteTrainingException.Quantity quantity, double value, int entry) {
            long step = location.globalStep();
            NonFiniteTrainingException failure;
            if (entry < 0) {
                failure = new NonFiniteTrainingException(step, quantity, value);
            } else {
                int tensor = 0;
                int offset = 0;
                int size = size(network.parameterShapes().get(0));
                while (entry >= offset + size) {
                    offset += size;
                    tensor++;
                    size = size(network.parameterShapes().get(tensor));
                }
                failure = new NonFiniteTrainingException(
                        step, quantity, value, network.parameterNames().get(tensor), entry - offset);
            }
            return failure.withLocation(location.toString());
        }
    }

    private static int size(int[] shape) {
        int size = 1;
        for (int dimension : shape) {
            size *= dimension;
        }
        return size;
    }

    /** The rows as one {@link TrainingBlock} per partition, each row numbered by its position. */
    private JavaRDD<TrainingBlock> blocks(Dataset<Row> data, int inputs, int targets) {
        String features = featuresColumn;
        String labels = targetsColumn;
        return data.select(features, labels)
                .toJavaRDD()
                .zipWithIndex()
                .mapPartitionsWithIndex(
                        (partition, rows) -> List.of(block(partition, rows, features, inputs, labels, targets))
                                .iterator(),
                        true);
    }

    private static TrainingBlock block(
            int partition, Iterator<Tuple2<Row, Long>> rows, String features, int inputs, String labels, int targets) {
        List<Tuple2<Row, Long>> all = new ArrayList<>();
        rows.forEachRemaining(all::add);
        long values = (long) all.size() * Math.max(inputs, targets);
        if (values > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("partition " + partition + " holds " + all.size()
                    + " rows, too many for one array of features: repartition the data into more partitions");
        }
        int[] indices = new int[all.size()];
        double[] xs = new double[all.size() * inputs];
        double[] ys = new double[all.size() * targets];
        for (int r = 0; r < all.size(); r++) {
            long index = all.get(r)._2();
            if (index > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("more than " + Integer.MAX_VALUE + " training rows");
            }
            Row row = all.get(r)._1();
            Columns.read(row, 0, features, inputs, index, xs, r * inputs);
            Columns.read(row, 1, labels, targets, index, ys, r * targets);
            indices[r] = (int) index;
        }
        return new TrainingBlock(partition, indices, xs, ys);
    }

    /** Work that runs Spark jobs: Spark's failures become nnc-spark's exceptions. */
    @FunctionalInterface
    private interface SparkCall<T> {
        T run() throws Exception;
    }

    private static <T> T call(SparkCall<T> work, TrainingStep.Location location) {
        try {
            return work.run();
        } catch (Exception e) {
            throw translate(e, location);
        }
    }

    private static RuntimeException translate(Exception e, TrainingStep.Location location) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidRowException invalid) {
                return new InvalidRowException(invalid.getMessage(), e);
            }
        }
        String where = location == null ? "while reading the training data" : "at " + location;
        return new SparkTrainingException(
                "training stopped " + where + ": Spark gave up after its task retries (spark.task.maxFailures)"
                        + (location == null ? "" : "; the network holds the state after the last completed step")
                        + ". Cause: " + e.getMessage(),
                location == null ? 0 : location.epoch() + 1,
                location == null ? 0 : location.batch() + 1,
                e);
    }

    /** Checks on the driver what would otherwise fail on every executor. */
    private static void requireFactoryFits(TrainableNetwork network, NetworkFactory<?> factory) {
        Objects.requireNonNull(factory, "factory");
        try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
            out.writeObject(factory);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("the NetworkFactory is not serializable (" + e.getMessage()
                    + "): use a constructor reference such as Digits::new or NetworkFactory.of(Digits.class)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Object made = factory.create();
        if (made.getClass() != network.getClass()) {
            throw new IllegalArgumentException(
                    "the factory makes " + made.getClass().getName() + ", but the network is a "
                            + network.getClass().getName());
        }
    }

    /**
     * Writes the network's checkpoint after {@code epoch} epochs, with what a resume must match
     * (seed, batch size, row count: the batches it continues), replacing the file atomically.
     */
    private void writeCheckpoint(TrainableNetwork network, int epoch, int rows) {
        Path target = checkpointFile(checkpointDirectory, epoch);
        try {
            Files.createDirectories(checkpointDirectory);
            Path temporary = Files.createTempFile(checkpointDirectory, target.getFileName() + ".", ".tmp");
            try {
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temporary))) {
                    DataOutputStream header = new DataOutputStream(out);
                    header.write(MAGIC);
                    header.writeInt(VERSION);
                    header.writeInt(epoch);
                    header.writeLong(seed);
                    header.writeInt(batchSize);
                    header.writeInt(rows);
                    header.flush();
                    network.saveCheckpoint(out);
                }
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        }
    }

    /** Restores {@link #resumeFrom} into {@code network}; returns the epochs it had completed. */
    private int resume(TrainableNetwork network, int rows) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(resumeFrom))) {
            DataInputStream header = new DataInputStream(in);
            byte[] magic = header.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IllegalArgumentException(resumeFrom + " is not an nnc-spark checkpoint");
            }
            int version = header.readInt();
            if (version != VERSION) {
                throw new IllegalArgumentException(
                        resumeFrom + " has checkpoint version " + version + "; this nnc-spark reads " + VERSION);
            }
            int epoch = header.readInt();
            long savedSeed = header.readLong();
            int savedBatch = header.readInt();
            int savedRows = header.readInt();
            if (savedSeed != seed || savedBatch != batchSize || savedRows != rows) {
                throw new IllegalArgumentException(String.format(
                        Locale.ROOT,
                        "%s was written with seed %d, batch size %d and %d rows, but this run has seed %d,"
                                + " batch size %d and %d rows: it would not continue the same batches",
                        resumeFrom,
                        savedSeed,
                        savedBatch,
                        savedRows,
                        seed,
                        batchSize,
                        rows));
            }
            if (epoch > epochs) {
                throw new IllegalArgumentException(
                        resumeFrom + " is after epoch " + epoch + ", beyond the " + epochs + " epochs of this run");
            }
            network.restoreCheckpoint(in);
            return epoch;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + resumeFrom + ": " + e.getMessage(), e);
        }
    }

    /** The path of the checkpoint written after {@code epoch} epochs in {@code directory}. */
    public static Path checkpointFile(Path directory, int epoch) {
        return directory.resolve(String.format(Locale.ROOT, "epoch-%04d.nnsp", epoch));
    }

    /** Builds a {@link SparkTrainer}. */
    public static final class Builder {
        private String featuresColumn = "features";
        private String targetsColumn = "targets";
        private int batchSize = 32;
        private int epochs = 10;
        private long seed = 1;
        private int aggregationDepth = 2;
        private int checkpointEvery;
        private Path checkpointDirectory;
        private Path resumeFrom;
        private PrintStream progress;
        private Path chart;

        private Builder() {}

        /** The column of the inputs: an array of {@code inputSize()} numbers per row. */
        public Builder featuresColumn(String column) {
            this.featuresColumn = Objects.requireNonNull(column, "column");
            return this;
        }

        /** The column of the targets: an array of {@code targetSize()} numbers per row. */
        public Builder targetsColumn(String column) {
            this.targetsColumn = Objects.requireNonNull(column, "column");
            return this;
        }

        /** The global batch size: rows per optimizer step over all partitions (default 32). */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, found " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** The number of epochs, counting those a resumed checkpoint completed (default 10). */
        public Builder epochs(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be at least 1, found " + epochs);
            }
            this.epochs = epochs;
            return this;
        }

        /** The seed of the batches' order and of the dropout masks (default 1). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The depth of {@code treeAggregate} (default 2, as MLlib's); 1 adds every sum on the driver. */
        public Builder aggregationDepth(int depth) {
            if (depth < 1) {
                throw new IllegalArgumentException("aggregationDepth must be at least 1, found " + depth);
            }
            this.aggregationDepth = depth;
            return this;
        }

        /**
         * Writes a checkpoint to {@code directory} after every {@code epochs} epochs, as {@code
         * epoch-NNNN.nnsp} ({@link #checkpointFile}): the network's {@code saveCheckpoint} with the
         * epoch, seed, batch size and row count.
         */
        public Builder checkpointEvery(int epochs, Path directory) {
            if (epochs < 1) {
                throw new IllegalArgumentException("checkpoint interval must be at least 1, found " + epochs);
            }
            this.checkpointEvery = epochs;
            this.checkpointDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Continues from a checkpoint that {@link #checkpointEvery} wrote: restores the network's
         * whole training state and runs the remaining epochs on the same batches. The seed, batch
         * size and row count must be the checkpoint's.
         */
        public Builder resumeFrom(Path checkpoint) {
            this.resumeFrom = Objects.requireNonNull(checkpoint, "checkpoint");
            return this;
        }

        /** Prints a progress line per epoch (loss, samples/s) to {@code out}, on the driver. */
        public Builder progress(PrintStream out) {
            this.progress = out;
            return this;
        }

        /**
         * Draws the training loss per epoch as an SVG file ({@link TrainingChart}), rewritten on
         * the driver after every epoch; its directory is created if needed.
         */
        public Builder chart(Path file) {
            this.chart = Objects.requireNonNull(file, "file");
            return this;
        }

        public SparkTrainer build() {
            return new SparkTrainer(this);
        }
    }
}
