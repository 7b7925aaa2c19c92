package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.LinearTestNetwork.Loss;
import dev.nnc.runtime.NonFiniteTrainingException.Quantity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    /** Three well-separated Gaussian blobs in the plane, one-hot labelled. */
    private static Dataset blobs(int perClass, long seed) {
        SeededRandom random = new SeededRandom(seed);
        double[][] centres = {{-2, 0}, {2, 0}, {0, 3}};
        int n = 3 * perClass;
        double[] x = new double[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            x[2 * i] = centres[labels[i]][0] + 0.5 * random.nextGaussian();
            x[2 * i + 1] = centres[labels[i]][1] + 0.5 * random.nextGaussian();
        }
        return new Dataset(x, Datasets.oneHot(labels, 3), n, 2, 3);
    }

    /** y = 2x - 1 on x in [-1, 1]. */
    private static Dataset line(int n) {
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = -1 + 2.0 * i / (n - 1);
            y[i] = 2 * x[i] - 1;
        }
        return new Dataset(x, y, n, 1, 1);
    }

    @Test
    void trainsAClassifierAndReportsValidationAccuracy() {
        LinearTestNetwork network = new LinearTestNetwork(2, 3, Loss.SOFTMAX_CROSS_ENTROPY, 0.5, 1);
        TrainingHistory history = Trainer.builder()
                .epochs(15)
                .batchSize(8)
                .seed(3)
                .validationSplit(0.25)
                .build()
                .fit(network, blobs(40, 9));

        assertEquals(15, history.epochs().size());
        assertFalse(history.stoppedEarly());
        double[] losses = history.losses();
        assertTrue(losses[14] < losses[0] / 3, "loss should fall: " + java.util.Arrays.toString(losses));
        assertTrue(history.last().validationAccuracy() >= 0.95, history.last().toString());
    }

    @Test
    void sameSeedGivesBitwiseEqualParametersAndAnotherSeedDoesNot() {
        double[] a = trainedParameters(5);
        assertArrayEquals(a, trainedParameters(5));
        assertFalse(java.util.Arrays.equals(a, trainedParameters(6)));
    }

    private static double[] trainedParameters(long seed) {
        LinearTestNetwork network = new LinearTestNetwork(2, 3, Loss.SOFTMAX_CROSS_ENTROPY, 0.1, 1);
        Trainer.builder().epochs(3).batchSize(7).seed(seed).build().fit(network, blobs(10, 2));
        double[] parameters = new double[network.parameterCount()];
        network.getParameters(parameters);
        return parameters;
    }

    @Test
    void printsOneProgressLinePerEpochInTheDocumentedFormat() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        List<EpochReport> heard = new ArrayList<>();
        Trainer.builder()
                .epochs(3)
                .validationSplit(0.2)
                .progress(new PrintStream(buffer, true, StandardCharsets.UTF_8))
                .listener(heard::add)
                .build()
                .fit(new LinearTestNetwork(2, 3, Loss.SOFTMAX_CROSS_ENTROPY, 0.1, 1), blobs(10, 2));

        String[] lines = buffer.toString(StandardCharsets.UTF_8).split("\\R");
        assertEquals(3, lines.length);
        for (int i = 0; i < 3; i++) {
            assertTrue(
                    lines[i].matches("epoch " + (i + 1) + "/3  loss \\d+\\.\\d{4}  val_loss \\d+\\.\\d{4}"
                            + "  val_acc \\d+\\.\\d%  \\d+ ms"),
                    lines[i]);
            assertEquals(heard.get(i).toString(), lines[i]);
        }
    }

    @Test
    void theProgressBarOffATerminalPrintsThePlainLines() {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        List<EpochReport> heard = new ArrayList<>();
        Trainer.builder()
                .epochs(3)
                .validationSplit(0.2)
                .progressBar(new PrintStream(plain, true, StandardCharsets.UTF_8), () -> false, System::nanoTime)
                .listener(heard::add)
                .build()
                .fit(new LinearTestNetwork(2, 3, Loss.SOFTMAX_CROSS_ENTROPY, 0.1, 1), blobs(10, 2));

        String expected = heard.stream().map(r -> r + System.lineSeparator()).reduce("", String::concat);
        assertEquals(expected, plain.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theProgressBarOnATerminalRedrawsDuringAnEpochAndLeavesTheEpochsLine() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        List<EpochReport> heard = new ArrayList<>();
        long[] now = {0};
        // Every clock read is 0.3 s later, so every batch redraws.
        LongSupplier clock = () -> now[0] += 300_000_000L;
        Trainer.builder()
                .epochs(2)
                .batchSize(10)
                .progressBar(new PrintStream(buffer, true, StandardCharsets.UTF_8), () -> true, clock)
                .listener(heard::add)
                .build()
                .fit(new LinearTestNetwork(2, 3, Loss.SOFTMAX_CROSS_ENTROPY, 0.1, 1), blobs(10, 2));

        String[] lines = buffer.toString(StandardCharsets.UTF_8).split(System.lineSeparator());
        assertEquals(2, lines.length);
        for (int i = 0; i < 2; i++) {
            String[] draws = lines[i].split("\r", -1);
            // Nothing before the first carriage return, three batches of 10 rows, then the report.
            assertEquals(1 + 3 + 1, draws.length, lines[i]);
            for (int b = 1; b <= 3; b++) {
                assertTrue(draws[b].startsWith("epoch " + (i + 1) + "/2 ["), draws[b]);
                assertTrue(draws[b].contains("] " + b + "/3  loss "), draws[b]);
            }
            assertEquals(heard.get(i).toString(), draws[4].stripTrailing());
        }
    }

    @Test
    void aNonFiniteLossEndsTheProgressBarsLineBeforeTheExceptionIsThrown() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        LinearTestNetwork network = new LinearTestNetwork(1, 1, Loss.HALF_SQUARED_ERROR, 0.1, 1) {
            private int calls;

            @Override
            public double trainStep(double[] xs, double[] ys, int n) {
                // The second batch of the second epoch, after the bar showed the first.
                return ++calls == 4 ? Double.NaN : super.trainStep(xs, ys, n);
            }
        };
        long[] now = {0};
        Trainer trainer = Trainer.builder()
                .epochs(5)
                .batchSize(5)
                .progressBar(
                        new PrintStream(buffer, true, StandardCharsets.UTF_8), () -> true, () -> now[0] += 300_000_000L)
                .build();

        NonFiniteTrainingException e =
                assertThrows(NonFiniteTrainingException.class, () -> trainer.fit(network, line(10)));
        assertEquals("epoch 2/5, batch 2/2", e.location().orElseThrow());
        String text = buffer.toString(StandardCharsets.UTF_8);
        assertTrue(text.endsWith("] 1/2  loss " + text.substring(text.lastIndexOf("loss ") + 5)), text);
        assertTrue(text.endsWith(" left" + System.lineSeparator()), text);
    }

    @Test
    void writesTheTrainingChartOfTheWholeRun(@TempDir Path directory) throws IOException {
        Path chart = directory.resolve("out/chart.svg");
        long[] now = {0};
        LinearTestNetwork network = new LinearTestNetwork(2, 3, Loss.SOFTMAX_CROSS_ENTROPY, 0.1, 1);
        TrainingHistory history = Trainer.builder()
                .epochs(4)
                .validationSplit(0.2)
                .progressBar(
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        () -> false,
                        () -> now[0])
                .chart(chart)
                .listener(report -> {
                    // The chart of epoch 1 is written at once, that of epoch 2 a second later.
                    if (report.epoch() == 2) {
                        assertEquals(1, epochsDrawn(chart));
                        now[0] += Trainer.CHART_INTERVAL_NANOS;
                    } else if (report.epoch() == 3) {
                        assertEquals(2, epochsDrawn(chart));
                    } else if (report.epoch() == 4) {
                        assertEquals(2, epochsDrawn(chart), "no second write within a second");
                    }
                })
                .build()
                .fit(network, blobs(10, 2));
        assertEquals(TrainingChart.svg(history, "Linear"), Files.readString(chart, StandardCharsets.UTF_8));
    }

    /** The dots of the training loss in the chart file: one per epoch for short runs. */
    private static int epochsDrawn(Path chart) {
        try {
            String svg = Files.readString(chart, StandardCharsets.UTF_8);
            int from = svg.indexOf("id=\"training-loss\"");
            String series = svg.substring(from, svg.indexOf("</g>", from));
            return series.split("<circle", -1).length - 1;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void progressLineOmitsValidationFiguresWithoutValidationData() {
        EpochReport report = new EpochReport(3, 50, 0.12344, Double.NaN, Double.NaN, 12);
        assertEquals("epoch 3/50  loss 0.1234  12 ms", report.toString());
        assertEquals(
                "epoch 3/50  loss 0.1234  val_loss 0.1502  val_acc 95.6%  12 ms",
                new EpochReport(3, 50, 0.12344, 0.1502, 0.956, 12).toString());
    }

    @Test
    void earlyStoppingStopsAfterPatienceAndRestoresTheBestEpochsParameters() {
        // Validation wants the opposite slope, so its loss rises once training makes progress.
        Dataset training = line(20);
        double[] flipped = training.targets();
        for (int i = 0; i < flipped.length; i++) {
            flipped[i] = -flipped[i];
        }
        Dataset validation = new Dataset(training.features(), flipped, 20, 1, 1);
        LinearTestNetwork network = new LinearTestNetwork(1, 1, Loss.HALF_SQUARED_ERROR, 0.05, 1);
        List<double[]> parametersAfterEpoch = new ArrayList<>();
        TrainingHistory history = Trainer.builder()
                .epochs(100)
                .batchSize(4)
                .validationData(validation)
                .earlyStopping(3)
                .listener(report -> {
                    double[] p = new double[network.parameterCount()];
                    network.getParameters(p);
                    parametersAfterEpoch.add(p);
                })
                .build()
                .fit(network, training);

        assertTrue(history.stoppedEarly());
        assertEquals(history.bestEpoch() + 3, history.epochs().size());
        assertTrue(history.restoredBestParameters());
        double[] finalParameters = new double[network.parameterCount()];
        network.getParameters(finalParameters);
        assertArrayEquals(parametersAfterEpoch.get(history.bestEpoch() - 1), finalParameters);
        double bestValidationLoss = history.best().validationLoss();
        for (double loss : history.validationLosses()) {
            assertTrue(loss >= bestValidationLoss);
        }
    }

    @Test
    void divergingTrainingStopsWithANonFiniteLossNamingEpochAndBatch() {
        // A learning rate far above 2 / (max x²) makes plain SGD on squared error blow up.
        Dataset data = new Dataset(new double[] {100, -80, 90, -70}, new double[] {1, 2, 3, 4}, 4, 1, 1);
        LinearTestNetwork network = new LinearTestNetwork(1, 1, Loss.HALF_SQUARED_ERROR, 1.0, 1);
        Trainer trainer =
                Trainer.builder().epochs(1000).batchSize(2).shuffle(false).build();

        NonFiniteTrainingException e = assertThrows(NonFiniteTrainingException.class, () -> trainer.fit(network, data));
        assertEquals(Quantity.LOSS, e.quantity());
        assertTrue(e.location().orElseThrow().matches("epoch \\d+/1000, batch [12]/2"), e.getMessage());
        assertTrue(e.getMessage().contains("lower learning rate"), e.getMessage());
    }

    @Test
    void addsTheLocationToANonFiniteExceptionThrownByTheNetwork() {
        LinearTestNetwork network = new LinearTestNetwork(1, 1, Loss.HALF_SQUARED_ERROR, 0.1, 1) {
            private int calls;

            @Override
            public double trainStep(double[] xs, double[] ys, int n) {
                if (++calls == 7) {
                    throw new NonFiniteTrainingException(calls, Quantity.GRADIENT, Double.NaN, "linear.bias", 0);
                }
                return super.trainStep(xs, ys, n);
            }
        };
        Trainer trainer = Trainer.builder().epochs(5).batchSize(5).build();
        NonFiniteTrainingException e =
                assertThrows(NonFiniteTrainingException.class, () -> trainer.fit(network, line(10)));
        assertEquals("epoch 4/5, batch 1/2", e.location().orElseThrow());
        assertEquals("linear.bias", e.parameterName().orElseThrow());
    }

    @Test
    void rejectsDataThatDoesNotFitTheNetworkNamingBothSizes() {
        Trainer trainer = Trainer.builder().build();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> trainer.fit(new LinearTestNetwork(3, 3, Loss.SOFTMAX_CROSS_ENTROPY, 0.1, 1), blobs(5, 1)));
        assertEquals(
                "training data has 2 features and 3 targets per row, but network 'Linear' expects 3 inputs"
                        + " and 3 targets",
                e.getMessage());
    }

    @Test
    void rejectsEarlyStoppingWithoutValidationAndConflictingValidationSettings() {
        Trainer trainer = Trainer.builder().earlyStopping(2).build();
        assertThrows(
                IllegalArgumentException.class,
                () -> trainer.fit(new LinearTestNetwork(1, 1, Loss.HALF_SQUARED_ERROR, 0.1, 1), line(10)));
        assertThrows(
                IllegalArgumentException.class,
                () -> Trainer.builder()
                        .validationSplit(0.2)
                        .validationData(line(4))
                        .build());
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder().batchSize(0));
    }

    @Test
    void allocatesNothingPerBatch() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(
                bean instanceof com.sun.management.ThreadMXBean, "thread allocation counters unavailable");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);

        Dataset data = line(1000);
        // Warm up so that class loading and lambda linkage are not counted.
        allocatedByFit(threads, data, 2);
        long shortRun = allocatedByFit(threads, data, 2);
        long longRun = allocatedByFit(threads, data, 12);
        // 10 more epochs are 10,000 more batches (batch size 1); even 8 bytes per batch would add 80 KB.
        long perEpoch = (longRun - shortRun) / 10;
        assertTrue(perEpoch < 2_000, "allocated " + perEpoch + " bytes per epoch of 1,000 batches");
    }

    private static Trainer.Builder resumable(int epochs) {
        return Trainer.builder()
                .epochs(epochs)
                .batchSize(7)
                .seed(5)
                .validationSplit(0.25)
                .earlyStopping(2)
                .minDelta(0.02);
    }

    private static double[] parametersOf(TrainableNetwork network) {
        double[] values = new double[network.parameterCount()];
        network.getParameters(values);
        return values;
    }

    @Test
    void aResumedFitGivesBitForBitTheUninterruptedFit(@TempDir Path directory) throws IOException {
        Dataset data = blobs(30, 3);
        LinearTestNetwork whole = new LinearTestNetwork(2, 3, Loss.SOFTMAX_CROSS_ENTROPY, 0.05, 1);
        TrainingHistory expected = resumable(40).build().fit(whole, data);
        assertTrue(expected.stoppedEarly() && expected.restoredBestParameters(), "early stopping takes part");
        assertTrue(expected.epochs().size() > 4, "the run goes past the checkpoint");

        LinearTestNetwork interrupted = new LinearTestNetwork(2, 3, Loss.SOFTMAX_CROSS_ENTROPY, 0.05, 1);
        resumable(4).checkpointEvery(2, directory).build().fit(interrupted, data);
        try (Stream<Path> files = Files.list(directory)) {
            assertEquals(
                    List.of("epoch-000002.nnct", "epoch-000004.nnct"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(),
                    "one file per checkpoint and no temporary file left");
        }

        LinearTestNetwork resumed = new LinearTestNetwork(2, 3, Loss.SOFTMAX_CROSS_ENTROPY, 0.05, 77);
        TrainingHistory actual = resumable(40)
                .resumeFrom(Trainer.checkpointFile(directory, 4))
                .build()
                .fit(resumed, data);
        assertArrayEquals(parametersOf(whole), parametersOf(resumed));
        assertEquals(whole.step(), resumed.step());
        assertArrayEquals(expected.losses(), actual.losses());
        assertArrayEquals(expected.validationLosses(), actual.validationLosses());
        assertEquals(expected.bestEpoch(), actual.bestEpoch());
        assertEquals(expected.stoppedEarly(), actual.stoppedEarly());
        assertEquals(expected.restoredBestParameters(), actual.restoredBestParameters());
    }

    @Test
    void resumingAnotherRunIsRejectedBeforeAnythingChanges(@TempDir Path directory) {
        Dataset data = blobs(30, 3);
        resumable(2)
                .checkpointEvery(2, directory)
                .build()
                .fit(new LinearTestNetwork(2, 3, Loss.SOFTMAX_CROSS_ENTROPY, 0.05, 1), data);
        LinearTestNetwork network = new LinearTestNetwork(2, 3, Loss.SOFTMAX_CROSS_ENTROPY, 0.05, 8);
        double[] before = parametersOf(network);
        Trainer otherBatch = resumable(4)
                .batchSize(8)
                .resumeFrom(Trainer.checkpointFile(directory, 2))
                .build();
        java.io.UncheckedIOException e =
                assertThrows(java.io.UncheckedIOException.class, () -> otherBatch.fit(network, data));
        assertInstanceOf(ParameterFileException.class, e.getCause());
        assertTrue(e.getMessage().contains("batch size 7") && e.getMessage().contains("batch size 8"), e.getMessage());
        assertArrayEquals(before, parametersOf(network));
        assertEquals(0, network.step());
    }

    @Test
    void aCorruptedCheckpointIsRejected(@TempDir Path directory) throws IOException {
        Dataset data = blobs(30, 3);
        resumable(2)
                .checkpointEvery(1, directory)
                .build()
                .fit(new LinearTestNetwork(2, 3, Loss.SOFTMAX_CROSS_ENTROPY, 0.05, 1), data);
        Path file = Trainer.checkpointFile(directory, 2);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        Trainer trainer = resumable(4).resumeFrom(file).build();
        LinearTestNetwork network = new LinearTestNetwork(2, 3, Loss.SOFTMAX_CROSS_ENTROPY, 0.05, 1);
        java.io.UncheckedIOException e =
                assertThrows(java.io.UncheckedIOException.class, () -> trainer.fit(network, data));
        assertTrue(e.getMessage().contains("corrupted nnc trainer checkpoint"), e.getMessage());
    }

    private static long allocatedByFit(com.sun.management.ThreadMXBean threads, Dataset data, int epochs) {
        LinearTestNetwork network = new LinearTestNetwork(1, 1, Loss.HALF_SQUARED_ERROR, 1e-3, 1);
        Trainer trainer = Trainer.builder().epochs(epochs).batchSize(1).build();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        TrainingHistory history = trainer.fit(network, data);
        long after = threads.getThreadAllocatedBytes(id);
        assertNotEquals(0, history.epochs().size());
        return after - before;
    }
}
