package dev.nnc.runtime;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The file that {@link Trainer.Builder#checkpointEvery} writes and {@link
 * Trainer.Builder#resumeFrom} reads: the network's checkpoint and the trainer's own state after
 * an epoch, so that a resumed {@code fit} continues bit for bit.
 *
 * <p>Layout (big-endian, framed like {@link CheckpointFile}: magic, version, body length, body,
 * CRC32 of every byte before it):
 *
 * <pre>
 * bytes  "NNCT"                     magic
 * int    1                          format version
 * int    body length in bytes
 * body:
 *   int     training rows, batch size; long seed; boolean shuffle; int validation rows;
 *           boolean whether best parameters are kept (early stopping that restores them)
 *   int     epochs completed
 *   long    batches trained (the trainer's step)
 *   long x4, double, boolean        the shuffling generator (see {@link SeededRandom})
 *   int x training rows             the row order, which each epoch's shuffle permutes further
 *   double  best monitored loss; int best epoch; int epochs since the best
 *   int     length of the best parameters (-1 for none), then the values
 *   int     reports; per report: double loss, validation loss, validation accuracy; long millis
 *   bytes   the network's checkpoint ({@link CheckpointFile}, framed on its own)
 * int    CRC32
 * </pre>
 */
final class TrainerCheckpoint {
    static final int VERSION = 1;
    static final byte[] MAGIC = "NNCT".getBytes(StandardCharsets.US_ASCII);
    private static final String KIND = "trainer checkpoint";

    /** The settings a checkpoint was written with, which a resumed fit must share. */
    record Settings(int rows, int batchSize, long seed, boolean shuffle, int validationRows, boolean keepsBest) {}

    /** One epoch's figures; the total of epochs comes from the resumed trainer. */
    record Report(double loss, double validationLoss, double validationAccuracy, long millis) {}

    /** The trainer's state after {@code epoch}, without the network. */
    record State(
            Settings settings,
            int epoch,
            long step,
            SeededRandom random,
            int[] order,
            double bestMonitored,
            int bestEpoch,
            int sinceBest,
            double[] bestParameters,
            List<Report> reports) {}

    private TrainerCheckpoint() {}

    static void write(OutputStream out, State state, TrainableNetwork network) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(body);
        Settings s = state.settings();
        data.writeInt(s.rows());
        data.writeInt(s.batchSize());
        data.writeLong(s.seed());
        data.writeBoolean(s.shuffle());
        data.writeInt(s.validationRows());
        data.writeBoolean(s.keepsBest());
        data.writeInt(state.epoch());
        data.writeLong(state.step());
        state.random().writeState(data);
        for (int row : state.order()) {
            data.writeInt(row);
        }
        data.writeDouble(state.bestMonitored());
        data.writeInt(state.bestEpoch());
        data.writeInt(state.sinceBest());
        double[] best = state.bestParameters();
        data.writeInt(best == null ? -1 : best.length);
        if (best != null) {
            for (double value : best) {
                data.writeDouble(value);
            }
        }
        data.writeInt(state.reports().size());
        for (Report report : state.reports()) {
            data.writeDouble(report.loss());
            data.writeDouble(report.validationLoss());
            data.writeDouble(report.validationAccuracy());
            data.writeLong(report.millis());
        }
        data.flush();
        network.saveCheckpoint(body);
        CheckpointFile.writeEnvelope(out, MAGIC, VERSION, body.toByteArray());
    }

    /**
     * Reads a checkpoint, checks it against {@code expected}, and only then restores the network
     * from it: a rejected file changes nothing.
     */
    static State read(InputStream in, Settings expected, TrainableNetwork network) throws IOException {
        byte[] body = CheckpointFile.readEnvelope(in, MAGIC, VERSION, KIND);
        DataInputStream data = new DataInputStream(new ByteArrayInputStream(body));
        State state;
        try {
            Settings settings = new Settings(
                    data.readInt(),
                    data.readInt(),
                    data.readLong(),
                    data.readBoolean(),
                    data.readInt(),
                    data.readBoolean());
            if (!settings.equals(expected)) {
                throw new ParameterFileException("trainer checkpoint was written by a fit with " + describe(settings)
                        + ", but this fit has " + describe(expected) + ": it would not continue the same run");
            }
            int epoch = data.readInt();
            long step = data.readLong();
            SeededRandom random = SeededRandom.readState(data);
            int[] order = new int[settings.rows()];
            for (int i = 0; i < order.length; i++) {
                order[i] = data.readInt();
                if (order[i] < 0 || order[i] >= order.length) {
                    throw ParameterFile.corrupted("row " + order[i] + " in the order of " + order.length, KIND);
                }
            }
            double bestMonitored = data.readDouble();
            int bestEpoch = data.readInt();
            int sinceBest = data.readInt();
            int bestLength = data.readInt();
            if (bestLength != (settings.keepsBest() ? network.parameterCount() : -1)) {
                throw ParameterFile.corrupted(bestLength + " best parameters", KIND);
            }
            double[] best = bestLength < 0 ? null : new double[bestLength];
            for (int i = 0; best != null && i < best.length; i++) {
                best[i] = data.readDouble();
            }
            int count = data.readInt();
            if (count != epoch || epoch < 0) {
                throw ParameterFile.corrupted(count + " reports after " + epoch + " epochs", KIND);
            }
            List<Report> reports = new ArrayList<>();
            for (int r = 0; r < count; r++) {
                reports.add(new Report(data.readDouble(), data.readDouble(), data.readDouble(), data.readLong()));
            }
            state = new State(settings, epoch, step, random, order, bestMonitored, bestEpoch, sinceBest, best, reports);
        } catch (ParameterFileException e) {
            throw e;
        } catch (EOFException e) {
            throw ParameterFile.corrupted("the body ends before its contents are complete", KIND);
        }
        byte[] nested = data.readAllBytes();
        // magic, version and length, the body, the checksum: nothing may follow.
        int header = CheckpointFile.MAGIC.length + 2 * Integer.BYTES;
        if (nested.length >= header) {
            long framed = header
                    + (long) ByteBuffer.wrap(nested, header - Integer.BYTES, Integer.BYTES)
                            .getInt()
                    + Integer.BYTES;
            if (nested.length > framed) {
                throw ParameterFile.corrupted((nested.length - framed) + " unexpected bytes at the end", KIND);
            }
        }
        // The network's checkpoint is verified completely before the network changes.
        network.restoreCheckpoint(new ByteArrayInputStream(nested));
        return state;
    }

    private static String describe(Settings s) {
        return s.rows() + " training rows, batch size " + s.batchSize() + ", seed " + s.seed() + ", shuffle "
                + s.shuffle() + ", " + s.validationRows() + " validation rows and "
                + (s.keepsBest() ? "" : "no ") + "best parameters kept";
    }
}
