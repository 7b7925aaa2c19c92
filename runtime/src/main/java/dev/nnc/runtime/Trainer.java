package dev.nnc.runtime;

import dev.nnc.runtime.NonFiniteTrainingException.Quantity;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Trains any {@link TrainableNetwork} on a {@link Dataset} with mini-batches, reproducibly.
 *
 * <pre>{@code
 * TrainingHistory history = Trainer.builder()
 *         .epochs(50)
 *         .batchSize(32)
 *         .seed(42)
 *         .validationSplit(0.2)
 *         .earlyStopping(5)
 *         .progressBar()
 *         .chart(Path.of("target/training.svg"))
 *         .build()
 *         .fit(network, training);
 * }</pre>
 *
 * <p>Each epoch visits every training row once, in an order shuffled by a {@link SeededRandom}, so
 * the same seed, data and initial network give the same result. After the epoch it evaluates the
 * validation set, reports an {@link EpochReport} to the listeners and the progress stream, and
 * applies early stopping: after {@code patience} epochs without a validation loss lower than the
 * best by more than {@code minDelta}, training stops and (by default) the best epoch's parameters
 * are restored.
 *
 * <p>With {@link Builder#checkpointEvery}, the run's complete state goes to a file every few
 * epochs, and {@link Builder#resumeFrom} continues an interrupted run from one: the resumed fit
 * gives bit for bit the parameters and history of the uninterrupted one, early stopping included.
 *
 * <p>{@link Builder#progressBar()} shows a progress bar with the time left on an interactive
 * terminal and plain lines elsewhere; {@link Builder#chart} draws the loss and accuracy curves
 * into an SVG file ({@link TrainingChart}).
 *
 * <p>A NaN or infinite loss stops training with a {@link NonFiniteTrainingException} that names
 * the epoch and batch. The training loop allocates nothing per batch: rows are gathered into
 * buffers allocated once per {@link #fit} call. A trainer is immutable and may be reused.
 */
public final class Trainer {

    private final int epochs;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final double validationSplit;
    private final Dataset validationData;
    private final int patience;
    private final double minDelta;
    private final boolean restoreBestParameters;
    private final PrintStream progress;
    private final BooleanSupplier progressBar;
    private final LongSupplier clock;
    private final Path chart;
    private final List<TrainingListener> listeners;
    private final int checkpointInterval;
    private final Path checkpointDirectory;
    private final Path resumeFrom;

    private Trainer(Builder b) {
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.validationSplit = b.validationSplit;
        this.validationData = b.validationData;
        this.patience = b.patience;
        this.minDelta = b.minDelta;
        this.restoreBestParameters = b.restoreBestParameters;
        this.progress = b.progress;
        this.progressBar = b.progressBar;
        this.clock = b.clock;
        this.chart = b.chart;
        this.listeners = List.copyOf(b.listeners);
        this.checkpointInterval = b.checkpointInterval;
        this.checkpointDirectory = b.checkpointDirectory;
        this.resumeFrom = b.resumeFrom;
    }

    /**
     * The file in which {@link Builder#checkpointEvery} keeps the state after {@code epoch}:
     * {@code directory/epoch-000012.nnct}, so that names sort by epoch.
     */
    public static Path checkpointFile(Path directory, int epoch) {
        return directory.resolve(String.format(Locale.ROOT, "epoch-%06d.nnct", epoch));
    }

    /** Returns a builder with 10 epochs, batch size 32, seed 0, shuffling on, no validation. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains {@code network} in place on {@code data}.
     *
     * @return the per-epoch history
     * @throws IllegalArgumentException if the data does not fit the network (the message gives
     *     both sizes), or early stopping is configured without validation data
     * @throws NonFiniteTrainingException if a loss becomes NaN or infinite
     * @throws UncheckedIOException if a checkpoint or the {@link Builder#chart chart} cannot be
     *     written, or the checkpoint to resume from
     *     cannot be read or belongs to another network or run (its cause, a {@link
     *     ParameterFileException}, says which); a rejected checkpoint changes nothing
     */
    public TrainingHistory fit(TrainableNetwork network, Dataset data) {
        checkFits(network, data, "training data");
        Dataset training = data;
        Dataset validation = validationData;
        if (validationSplit > 0) {
            Datasets.Split split = Datasets.split(data, 1 - validationSplit, seed);
            training = split.first();
            validation = split.second();
        }
        if (validation != null) {
            checkFits(network, validation, "validation data");
        } else if (patience > 0) {
            throw new IllegalArgumentException(
                    "early stopping monitors the validation loss: set validationSplit or validationData");
        }
        return new Run(network, training, validation).execute();
    }

    private static void checkFits(TrainableNetwork network, Dataset data, String what) {
        if (data.featureCount() != network.inputSize() || data.targetCount() != network.targetSize()) {
            throw new IllegalArgumentException(what + " has " + data.featureCount() + " features and "
                    + data.targetCount() + " targets per row, but network '" + network.name() + "' expects "
                    + network.inputSize() + " inputs and " + network.targetSize() + " targets");
        }
        if (data.size() == 0) {
            throw new IllegalArgumentException(what + " is empty");
        }
    }

    /** The state of one {@link #fit} call; all buffers are allocated here, before the first batch. */
    private final class Run {
        private final TrainableNetwork network;
        private final int n;
        private final int features;
        private final int targets;
        private final double[] xs;
        private final double[] ys;
        private final int[] order;
        private final int batch;
        private final int batches;
        private final double[] batchX;
        private final double[] batchY;
        private final double[] lastX;
        private final double[] lastY;
        private final Dataset validation;
        private final double[] validationX;
        private final double[] validationY;
        private final double[] validationOut;
        private final double[] bestParameters;
        private final SeededRandom random;
        private final TrainerCheckpoint.Settings settings;
        private long step;
        /** The bar on an interactive terminal, or null; set when the first epoch is known. */
        private ProgressBar bar;

        private long nextChart;

        Run(TrainableNetwork network, Dataset training, Dataset validation) {
            this.network = network;
            this.n = training.size();
            this.features = training.featureCount();
            this.targets = training.targetCount();
            this.xs = training.features();
            this.ys = training.targets();
            this.order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            this.batch = Math.min(batchSize, n);
            this.batches = (n + batch - 1) / batch;
            this.batchX = new double[batch * features];
            this.batchY = new double[batch * targets];
            // An exactly sized pair for the final, shorter batch, so networks that insist on exact
            // lengths work too.
            int rest = n - (batches - 1) * batch;
            this.lastX = rest == batch ? batchX : new double[rest * features];
            this.lastY = rest == batch ? batchY : new double[rest * targets];
            this.validation = validation;
            this.validationX = validation == null ? null : validation.features();
            this.validationY = validation == null ? null : validation.targets();
            this.validationOut = validation != null && isOneHot(validationY, targets, network.outputSize())
                    ? new double[validation.size() * network.outputSize()]
                    : null;
            this.bestParameters = restoreBestParameters && patience > 0 ? new double[network.parameterCount()] : null;
            // Derived from the seed but distinct from the validation split's stream.
            this.random = new SeededRandom(SeededRandom.splitMix64(seed));
            this.settings = new TrainerCheckpoint.Settings(
                    n, batchSize, seed, shuffle, validation == null ? 0 : validation.size(), bestParameters != null);
        }

        TrainingHistory execute() {
            List<EpochReport> reports = new ArrayList<>(epochs);
            double bestMonitored = Double.POSITIVE_INFINITY;
            int bestEpoch = 0;
            int sinceBest = 0;
            int first = 1;
            if (resumeFrom != null) {
                TrainerCheckpoint.State state = resume();
                for (TrainerCheckpoint.Report r : state.reports()) {
                    reports.add(new EpochReport(
                            reports.size() + 1,
                            epochs,
                            r.loss(),
                            r.validationLoss(),
                            r.validationAccuracy(),
                            r.millis()));
                }
                bestMonitored = state.bestMonitored();
                bestEpoch = state.bestEpoch();
                sinceBest = state.sinceBest();
                first = state.epoch() + 1;
            }
            if (progress != null && progressBar != null && progressBar.getAsBoolean()) {
                bar = new ProgressBar(progress, clock, first, epochs, batches);
            }
            nextChart = clock.getAsLong();
            try {
                return train(reports, bestMonitored, bestEpoch, sinceBest, first);
            } finally {
                if (bar != null) {
                    bar.finish();
                }
            }
        }

        /** Trains from epoch {@code first} on, with the reports and early-stopping state so far. */
        private TrainingHistory train(
                List<EpochReport> reports, double bestMonitored, int bestEpoch, int sinceBest, int first) {
            boolean stoppedEarly = false;
            for (int epoch = first; epoch <= epochs; epoch++) {
                long start = System.nanoTime();
                if (bar != null) {
                    bar.startEpoch(epoch);
                }
                double loss = trainEpoch(epoch);
                double validationLoss = Double.NaN;
                double validationAccuracy = Double.NaN;
                if (validation != null) {
                    validationLoss = network.loss(validationX, validationY, validation.size());
                    if (!Double.isFinite(validationLoss)) {
                        throw NonFiniteTrainingException.at(
                                step, Quantity.LOSS, validationLoss, "validation after epoch " + epoch + "/" + epochs);
                    }
                    if (validationOut != null) {
                        network.predict(validationX, validation.size(), validationOut);
                        validationAccuracy = Metrics.accuracy(validationOut, validationY, validation.size(), targets);
                    }
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                EpochReport report = new EpochReport(epoch, epochs, loss, validationLoss, validationAccuracy, millis);
                reports.add(report);
                if (bar != null) {
                    bar.endEpoch(report);
                } else if (progress != null) {
                    progress.println(report);
                }
                for (TrainingListener listener : listeners) {
                    listener.onEpoch(report);
                }

                double monitored = validation != null ? validationLoss : loss;
                if (monitored < bestMonitored - minDelta || bestEpoch == 0) {
                    bestMonitored = monitored;
                    bestEpoch = epoch;
                    sinceBest = 0;
                    if (bestParameters != null) {
                        network.getParameters(bestParameters);
                    }
                } else if (patience > 0 && ++sinceBest >= patience) {
                    // No checkpoint: the run ends here, and a resumed one would train on.
                    stoppedEarly = epoch < epochs;
                    break;
                }
                if (checkpointInterval > 0 && epoch % checkpointInterval == 0) {
                    checkpoint(epoch, reports, bestMonitored, bestEpoch, sinceBest);
                }
                if (chart != null && epoch < epochs && clock.getAsLong() - nextChart >= 0) {
                    writeChart(new TrainingHistory(reports, bestEpoch, false, false));
                }
            }
            boolean restore = bestParameters != null && bestEpoch != reports.size();
            if (restore) {
                network.setParameters(bestParameters);
            }
            TrainingHistory history = new TrainingHistory(reports, bestEpoch, stoppedEarly, restore);
            if (chart != null) {
                writeChart(history);
            }
            return history;
        }

        private void writeChart(TrainingHistory history) {
            try {
                TrainingChart.write(history, network.name(), chart);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write training chart " + chart + ": " + e.getMessage(), e);
            }
            nextChart = clock.getAsLong() + CHART_INTERVAL_NANOS;
        }

        /** Restores the network and this run from {@link #resumeFrom}; returns the rest of the state. */
        private TrainerCheckpoint.State resume() {
            TrainerCheckpoint.State state;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(resumeFrom))) {
                state = TrainerCheckpoint.read(in, settings, network);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot resume from " + resumeFrom + ": " + e.getMessage(), e);
            }
            random.setState(state.random());
            System.arraycopy(state.order(), 0, order, 0, n);
            step = state.step();
            if (bestParameters != null) {
                System.arraycopy(state.bestParameters(), 0, bestParameters, 0, bestParameters.length);
            }
            return state;
        }

        /**
         * Writes the state after {@code epoch} to a temporary file beside its final name and moves
         * it there, so that the final name never holds half a checkpoint.
         */
        private void checkpoint(
                int epoch, List<EpochReport> reports, double bestMonitored, int bestEpoch, int sinceBest) {
            List<TrainerCheckpoint.Report> figures = new ArrayList<>();
            for (EpochReport r : reports) {
                figures.add(
                        new TrainerCheckpoint.Report(r.loss(), r.validationLoss(), r.validationAccuracy(), r.millis()));
            }
            TrainerCheckpoint.State state = new TrainerCheckpoint.State(
                    settings, epoch, step, random, order, bestMonitored, bestEpoch, sinceBest, bestParameters, figures);
            Path target = checkpointFile(checkpointDirectory, epoch);
            try {
                Files.createDirectories(checkpointDirectory);
                Path temporary = Files.createTempFile(checkpointDirectory, target.getFileName() + ".", ".tmp");
                try {
                    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temporary))) {
                        TrainerCheckpoint.write(out, state, network);
                    }
                    moveReplacing(temporary, target);
                } finally {
                    Files.deleteIfExists(temporary);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
            }
        }

        private double trainEpoch(int epoch) {
            if (shuffle) {
                Datasets.shuffle(order, n, random);
            }
            double sum = 0;
            for (int b = 0; b < batches; b++) {
                int from = b * batch;
                int m = Math.min(batch, n - from);
                double[] bx = m == batch ? batchX : lastX;
                double[] by = m == batch ? batchY : lastY;
                for (int r = 0; r < m; r++) {
                    int row = order[from + r];
                    System.arraycopy(xs, row * features, bx, r * features, features);
                    System.arraycopy(ys, row * targets, by, r * targets, targets);
                }
                step++;
                double loss;
                try {
                    loss = network.trainStep(bx, by, m);
                } catch (NonFiniteTrainingException e) {
                    throw e.withLocation(location(epoch, b));
                }
                if (!Double.isFinite(loss)) {
                    throw NonFiniteTrainingException.at(step, Quantity.LOSS, loss, location(epoch, b));
                }
                sum += loss * m;
                if (bar != null) {
                    bar.batchDone(b + 1, sum, from + m);
                }
            }
            return sum / n;
        }

        private String location(int epoch, int b) {
            return "epoch " + epoch + "/" + epochs + ", batch " + (b + 1) + "/" + batches;
        }
    }

    /** The shortest time between two writes of the chart during a fit: a second. */
    static final long CHART_INTERVAL_NANOS = 1_000_000_000L;

    /** Moves atomically where the file system can, and otherwise replaces the target in one move. */
    static void moveReplacing(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Validation accuracy only makes sense when targets are class indicators and outputs scores. */
    private static boolean isOneHot(double[] y, int width, int outputs) {
        if (width < 2 || outputs != width) {
            return false;
        }
        for (int row = 0; row < y.length / width; row++) {
            int ones = 0;
            for (int j = 0; j < width; j++) {
                double v = y[row * width + j];
                if (v == 1) {
                    ones++;
                } else if (v != 0) {
                    return false;
                }
            }
            if (ones != 1) {
                return false;
            }
        }
        return true;
    }

    /** Configures a {@link Trainer}; every setter validates its argument at once. */
    public static final class Builder {
        private int epochs = 10;
        private int batchSize = 32;
        private long seed;
        private boolean shuffle = true;
        private double validationSplit;
        private Dataset validationData;
        private int patience;
        private double minDelta;
        private boolean restoreBestParameters = true;
        private PrintStream progress;
        private BooleanSupplier progressBar;
        private LongSupplier clock = System::nanoTime;
        private Path chart;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private int checkpointInterval;
        private Path checkpointDirectory;
        private Path resumeFrom;

        private Builder() {}

        /** The number of passes over the training data, at least 1. */
        public Builder epochs(int epochs) {
            this.epochs = positive("epochs", epochs);
            return this;
        }

        /** The number of rows per optimizer step, at least 1; the last batch of an epoch may be smaller. */
        public Builder batchSize(int batchSize) {
            this.batchSize = positive("batchSize", batchSize);
            return this;
        }

        /** The seed of the shuffling order and of the validation split. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Whether to reshuffle the rows every epoch (default true). */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /**
         * Holds out this fraction of the data, chosen by a seeded shuffle, for validation; 0 (the
         * default) for none. Excludes {@link #validationData}.
         */
        public Builder validationSplit(double fraction) {
            if (!(fraction >= 0 && fraction < 1)) {
                throw new IllegalArgumentException("validationSplit must be in [0, 1), found " + fraction);
            }
            this.validationSplit = fraction;
            return this;
        }

        /** Validates on this dataset after every epoch. Excludes {@link #validationSplit}. */
        public Builder validationData(Dataset validationData) {
            this.validationData = Objects.requireNonNull(validationData, "validationData");
            return this;
        }

        /**
         * Stops after {@code patience} epochs without improvement of the validation loss; 0 (the
         * default) never stops early.
         */
        public Builder earlyStopping(int patience) {
            if (patience < 0) {
                throw new IllegalArgumentException("patience must be >= 0, found " + patience);
            }
            this.patience = patience;
            return this;
        }

        /** The amount by which the validation loss must drop to count as an improvement (default 0). */
        public Builder minDelta(double minDelta) {
            if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
                throw new IllegalArgumentException("minDelta must be finite and >= 0, found " + minDelta);
            }
            this.minDelta = minDelta;
            return this;
        }

        /**
         * Whether early stopping restores the parameters of the best epoch when training ends after
         * it (default true).
         */
        public Builder restoreBestParameters(boolean restore) {
            this.restoreBestParameters = restore;
            return this;
        }

        /**
         * Prints one progress line per epoch (see {@link EpochReport#toString()}) to {@code out},
         * and nothing else: the plain output for logs. Replaces {@link #progressBar()}.
         */
        public Builder progress(PrintStream out) {
            this.progress = Objects.requireNonNull(out, "out");
            this.progressBar = null;
            return this;
        }

        /**
         * Shows progress on {@code System.out}: on an interactive terminal, a line that is
         * rewritten a few times a second while an epoch runs, with a bar, the batches done, the
         * epoch's mean loss so far and the time left for the fit, and that becomes the epoch's
         * {@link EpochReport} line when the epoch ends; elsewhere (output redirected, a CI log, an
         * IDE console without a terminal, {@code TERM=dumb}), the same lines as {@link
         * #progress(PrintStream) progress(System.out)}. The system property {@code nnc.progress}
         * overrides the detection: {@code -Dnnc.progress=plain} forces the plain lines, {@code
         * bar} the bar, {@code auto} is the default. The decision is made when {@code fit}
         * starts. Between redraws a batch costs a clock read. Replaces {@link #progress}.
         */
        public Builder progressBar() {
            return progressBar(System.out, ProgressBar::detect, System::nanoTime);
        }

        /** {@link #progressBar()} on {@code out}, with the terminal test and the clock given. */
        Builder progressBar(PrintStream out, BooleanSupplier interactive, LongSupplier clock) {
            this.progress = Objects.requireNonNull(out, "out");
            this.progressBar = Objects.requireNonNull(interactive, "interactive");
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Writes the {@link TrainingChart} of the run, titled with the network's name, to {@code
         * file} (creating its directory): during the fit after an epoch when a second has passed
         * since the last write, so a browser can follow the training, and after the last epoch
         * with the whole history. A file that cannot be written ends the fit with an {@link
         * UncheckedIOException}.
         */
        public Builder chart(Path file) {
            this.chart = Objects.requireNonNull(file, "file");
            return this;
        }

        /** Adds a listener called after every epoch. */
        public Builder listener(TrainingListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * After every {@code epochs}-th epoch, writes the state of the run to {@link
         * #checkpointFile checkpointFile(directory, epoch)} (created with its directory if
         * needed, replaced if present): the network's checkpoint (parameters, buffers, optimizer
         * state, dropout generator) and the trainer's (epoch, shuffling generator and order,
         * early-stopping state with the best parameters, the reports so far). Each file is
         * written beside its name and moved there, so an interruption never leaves half of one
         * under the name. The epoch at which early stopping ends the run writes none.
         */
        public Builder checkpointEvery(int epochs, Path directory) {
            this.checkpointInterval = positive("checkpoint interval", epochs);
            this.checkpointDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Starts {@code fit} from a file that {@link #checkpointEvery} wrote: the network's state
         * is replaced by the file's (its {@code restoreCheckpoint}), and training continues with
         * the next epoch, so that the result is bit for bit that of the run that wrote the file
         * had it not stopped. The history covers every epoch, the earlier ones included. The
         * fit must have the same data, batch size, seed, shuffling and validation rows, and keep
         * best parameters the same way (otherwise it would not continue the same run, and the
         * file is rejected before anything changes); {@link #epochs} may be larger, to train on.
         */
        public Builder resumeFrom(Path checkpoint) {
            this.resumeFrom = Objects.requireNonNull(checkpoint, "checkpoint");
            return this;
        }

        /**
         * Builds the trainer.
         *
         * @throws IllegalArgumentException if both a validation split and validation data are set
         */
        public Trainer build() {
            if (validationSplit > 0 && validationData != null) {
                throw new IllegalArgumentException("set either validationSplit or validationData, not both");
            }
            return new Trainer(this);
        }

        private static int positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, found " + value);
            }
            return value;
        }
    }
}
