package dev.nnc.runtime;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * The versioned binary format of training checkpoints: everything a network's {@code save}
 * writes (parameters, then buffers), the optimizer's state, the step count and the state of the
 * dropout generator, so that training resumed from a checkpoint continues bit for bit as if it
 * had never stopped. Generated networks write it with {@code saveCheckpoint} and read it with
 * {@code loadCheckpoint} and {@code restoreCheckpoint}.
 *
 * <p>Layout (big-endian, as written by {@link DataOutputStream}):
 *
 * <pre>
 * bytes  "NNCK"                     magic
 * int    1                          format version
 * int    body length in bytes
 * body:
 *   UTF    network name             modified UTF-8 with a 2-byte length
 *   UTF    optimizer                its spelling in the language: "sgd", "adam", ...
 *   long   step                     optimizer steps taken
 *   int    tensor count             the tensor section of {@link ParameterFile}:
 *   per tensor:
 *     UTF    tensor name            the parameters ("hidden.weight"), the buffers, then per
 *                                   state kind the state of every parameter ("exp_avg:hidden.weight")
 *     int    rank, then rank ints   dimensions (rank 0 is a scalar)
 *     double values                 row-major, product of the dimensions
 *   boolean                         whether a dropout generator follows
 *   long x4, double, boolean        its state words and spare Gaussian (see {@link SeededRandom})
 * int    CRC32                      over every byte before it
 * </pre>
 *
 * <p>Values are stored as doubles also for float networks (every float is a double exactly).
 * {@link #read} verifies the whole checkpoint before it returns anything, so a network never
 * takes half of one: a corrupted or truncated checkpoint, another network's, one written with
 * another optimizer kind (the hyperparameters are not recorded: the spec's apply) or a parameter
 * file are rejected with a {@link ParameterFileException} that says which. A checkpoint's
 * length is in its header, so it can be read from the middle of a stream: {@code read} consumes
 * exactly its bytes.
 */
public final class CheckpointFile {

    /** The current format version, written by {@link #write} and the only one {@link #read} accepts. */
    public static final int VERSION = 1;

    static final byte[] MAGIC = "NNCK".getBytes(StandardCharsets.US_ASCII);
    private static final String KIND = "checkpoint";

    private CheckpointFile() {}

    /**
     * What one network's checkpoints hold: its name and optimizer, and the names and shapes of
     * the tensors, the {@code save}d ones first, then the optimizer's state.
     */
    public static final class Layout {
        private final String network;
        private final String optimizer;
        private final List<String> names;
        private final List<int[]> shapes;
        private final boolean random;
        private final int valueCount;

        private Layout(String network, String optimizer, List<String> names, List<int[]> shapes, boolean random) {
            this.network = network;
            this.optimizer = optimizer;
            this.names = List.copyOf(names);
            this.shapes = List.copyOf(shapes);
            this.random = random;
            this.valueCount = Math.toIntExact(ParameterFile.checkLayout(this.names, this.shapes));
        }

        /**
         * The layout of a network's checkpoints.
         *
         * @param network the network's name
         * @param optimizer the spelling of its optimizer, e.g. {@code "adam"}
         * @param parameterNames its parameter tensors, in flattening order
         * @param parameterShapes their shapes
         * @param bufferNames its buffers (state that is not trained), in flattening order
         * @param bufferShapes their shapes
         * @param stateKinds the optimizer's state per parameter, e.g. {@code ["exp_avg",
         *     "exp_avg_sq"]}: each kind is a tensor of every parameter's shape
         * @param random whether the network has a dropout generator
         * @throws IllegalArgumentException if names and shapes do not pair up
         */
        public static Layout of(
                String network,
                String optimizer,
                List<String> parameterNames,
                List<int[]> parameterShapes,
                List<String> bufferNames,
                List<int[]> bufferShapes,
                List<String> stateKinds,
                boolean random) {
            List<String> names = new ArrayList<>(parameterNames);
            List<int[]> shapes = new ArrayList<>(parameterShapes);
            names.addAll(bufferNames);
            shapes.addAll(bufferShapes);
            for (String kind : stateKinds) {
                for (int p = 0; p < parameterNames.size(); p++) {
                    names.add(kind + ":" + parameterNames.get(p));
                    shapes.add(parameterShapes.get(p));
                }
            }
            return new Layout(
                    Objects.requireNonNull(network, "network"),
                    Objects.requireNonNull(optimizer, "optimizer"),
                    names,
                    shapes,
                    random);
        }

        /** The number of values, over every tensor: the length of the flat array {@link #write} takes. */
        public int valueCount() {
            return valueCount;
        }
    }

    /** A checkpoint as read and verified by {@link #read}. */
    public static final class Contents {
        private final double[] values;
        private final long step;
        private final SeededRandom random;

        private Contents(double[] values, long step, SeededRandom random) {
            this.values = values;
            this.step = step;
            this.random = random;
        }

        /** Every value, tensor after tensor in the layout's order, each row-major. */
        public double[] values() {
            return values.clone();
        }

        /** The number of optimizer steps taken when the checkpoint was written. */
        public long step() {
            return step;
        }

        /**
         * Puts {@code target} into the state of the dropout generator the checkpoint holds.
         *
         * @throws IllegalStateException if the layout has no dropout generator
         */
        public void restoreRandom(SeededRandom target) {
            if (random == null) {
                throw new IllegalStateException("the checkpoint holds no dropout generator");
            }
            target.setState(random);
        }
    }

    /**
     * Writes a checkpoint to {@code out}. The stream is flushed but not closed.
     *
     * @param out the destination
     * @param layout the network's layout
     * @param values every value, tensor after tensor in the layout's order, each row-major
     * @param step the number of optimizer steps taken
     * @param random the dropout generator, or null when the layout has none
     * @throws IllegalArgumentException if the values or the generator do not fit the layout
     * @throws IOException if writing fails
     */
    public static void write(OutputStream out, Layout layout, double[] values, long step, SeededRandom random)
            throws IOException {
        if (values.length != layout.valueCount) {
            throw new IllegalArgumentException(
                    "the layout holds " + layout.valueCount + " values, but values has " + values.length);
        }
        if ((random != null) != layout.random) {
            throw new IllegalArgumentException(
                    layout.random ? "the layout has a dropout generator: pass it" : "the layout has no generator");
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(body);
        data.writeUTF(layout.network);
        data.writeUTF(layout.optimizer);
        data.writeLong(step);
        ParameterFile.writeTensors(data, layout.names, layout.shapes, values);
        data.writeBoolean(random != null);
        if (random != null) {
            random.writeState(data);
        }
        writeEnvelope(out, MAGIC, VERSION, body.toByteArray());
    }

    /**
     * Reads a checkpoint written by {@link #write} and checks that it belongs to the network of
     * {@code layout}. Reads exactly the checkpoint's bytes; does not close {@code in}.
     *
     * @throws ParameterFileException if the stream is not an nnc checkpoint (a parameter file
     *     included), has an unsupported version, is truncated or corrupted, or belongs to another
     *     network, optimizer or tensor list
     * @throws IOException if reading fails
     */
    public static Contents read(InputStream in, Layout layout) throws IOException {
        byte[] body = readEnvelope(in, MAGIC, VERSION, KIND);
        DataInputStream data = new DataInputStream(new ByteArrayInputStream(body));
        try {
            String network = data.readUTF();
            String optimizer = data.readUTF();
            long step = data.readLong();
            ParameterFile.Tensors tensors = ParameterFile.readTensors(data, body.length, KIND);
            boolean hasRandom = data.readBoolean();
            SeededRandom random = hasRandom ? SeededRandom.readState(data) : null;
            if (data.available() > 0) {
                throw ParameterFile.corrupted(data.available() + " unexpected bytes at the end", KIND);
            }
            if (step < 0) {
                throw ParameterFile.corrupted("negative step " + step, KIND);
            }
            if (network.equals(layout.network) && !optimizer.equals(layout.optimizer)) {
                throw new ParameterFileException("checkpoint was written by a '" + network + "' trained with "
                        + optimizer + ", but this one trains with " + layout.optimizer);
            }
            ParameterFile.checkMatches(KIND, network, tensors, layout.network, layout.names, layout.shapes, "tensor");
            if (hasRandom != layout.random) {
                throw new ParameterFileException(
                        hasRandom
                                ? "checkpoint holds a dropout generator, but '" + network + "' has no dropout"
                                : "checkpoint holds no dropout generator, but '" + network + "' has dropout");
            }
            return new Contents(tensors.values(), step, random);
        } catch (ParameterFileException e) {
            throw e;
        } catch (EOFException e) {
            // The length and the checksum matched: the body itself is malformed.
            throw ParameterFile.corrupted("the body ends before its contents are complete", KIND);
        } catch (IOException e) {
            throw ParameterFile.corrupted(e.getMessage(), KIND);
        }
    }

    /**
     * {@code magic}, {@code version}, the length of {@code body}, {@code body}, and the CRC32 of
     * every byte before it: the frame of checkpoints and of the {@link Trainer}'s resume files.
     */
    static void writeEnvelope(OutputStream out, byte[] magic, int version, byte[] body) throws IOException {
        ByteArrayOutputStream framed = new ByteArrayOutputStream(body.length + 16);
        DataOutputStream data = new DataOutputStream(framed);
        data.write(magic);
        data.writeInt(version);
        data.writeInt(body.length);
        data.write(body);
        CRC32 crc = new CRC32();
        crc.update(framed.toByteArray());
        data.writeInt((int) crc.getValue());
        framed.writeTo(out);
        out.flush();
    }

    /**
     * The body of a frame that {@link #writeEnvelope} wrote, after checking its magic, version,
     * length and checksum; {@code kind} names the format in error messages.
     */
    static byte[] readEnvelope(InputStream in, byte[] magic, int version, String kind) throws IOException {
        String spelled = new String(magic, StandardCharsets.US_ASCII);
        byte[] start = in.readNBytes(magic.length);
        if (!Arrays.equals(start, magic)) {
            String known = Arrays.equals(start, "NNCP".getBytes(StandardCharsets.US_ASCII))
                    ? " but with \"NNCP\", an nnc parameter file (read it with load)"
                    : "";
            throw new ParameterFileException(
                    "not an nnc " + kind + ": it does not start with \"" + spelled + "\"" + known);
        }
        byte[] header = in.readNBytes(2 * Integer.BYTES);
        if (header.length < 2 * Integer.BYTES) {
            throw ParameterFile.truncated(magic.length + header.length, kind);
        }
        DataInputStream fields = new DataInputStream(new ByteArrayInputStream(header));
        int found = fields.readInt();
        if (found != version) {
            throw new ParameterFileException(
                    "unsupported nnc " + kind + " version " + found + "; this runtime reads version " + version);
        }
        int length = fields.readInt();
        if (length < 0 || length > Integer.MAX_VALUE - Integer.BYTES) {
            throw ParameterFile.corrupted("impossible length " + length, kind);
        }
        byte[] rest = in.readNBytes(length + Integer.BYTES);
        if (rest.length < length + Integer.BYTES) {
            throw ParameterFile.truncated(magic.length + header.length + rest.length, kind);
        }
        CRC32 crc = new CRC32();
        crc.update(magic);
        crc.update(header);
        crc.update(rest, 0, length);
        int stored = new DataInputStream(new ByteArrayInputStream(rest, length, Integer.BYTES)).readInt();
        if (stored != (int) crc.getValue()) {
            throw ParameterFile.corrupted("the CRC32 checksum does not match its contents", kind);
        }
        return Arrays.copyOf(rest, length);
    }
}
