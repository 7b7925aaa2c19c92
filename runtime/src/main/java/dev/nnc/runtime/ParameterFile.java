package dev.nnc.runtime;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
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
import java.util.zip.CRC32;

/**
 * The versioned binary format in which networks save their parameters.
 *
 * <p>Layout (big-endian, as written by {@link DataOutputStream}):
 *
 * <pre>
 * bytes  "NNCP"                     magic
 * int    1                          format version
 * UTF    network name               modified UTF-8 with a 2-byte length
 * int    tensor count
 * per tensor:
 *   UTF    tensor name
 *   int    rank, then rank ints     dimensions (rank 0 is a scalar)
 *   double values                   row-major, product of the dimensions
 * int    CRC32                      over every byte before it
 * </pre>
 *
 * <p>{@link #read} verifies everything it can before returning values, so that a file never loads
 * silently into the wrong network or with damaged values.
 */
public final class ParameterFile {

    /** The current format version, written by {@link #write} and the only one {@link #read} accepts. */
    public static final int VERSION = 1;

    private static final byte[] MAGIC = "NNCP".getBytes(StandardCharsets.US_ASCII);
    private static final int CHECKSUM_BYTES = Integer.BYTES;
    private static final String KIND = "parameter file";

    private ParameterFile() {}

    /**
     * Writes parameters to {@code out}. The stream is flushed but not closed.
     *
     * @param out the destination
     * @param networkName the name of the network the parameters belong to
     * @param names the tensor names, in flattening order
     * @param shapes the tensor shapes, parallel to {@code names}
     * @param flatValues all values, tensor after tensor, each row-major
     * @throws IllegalArgumentException if the names, shapes and values do not agree in size
     * @throws IOException if writing fails
     */
    public static void write(
            OutputStream out, String networkName, List<String> names, List<int[]> shapes, double[] flatValues)
            throws IOException {
        long total = checkLayout(names, shapes);
        if (total != flatValues.length) {
            throw new IllegalArgumentException(
                    "the shapes hold " + total + " values, but flatValues has " + flatValues.length);
        }
        CRC32 crc = new CRC32();
        // Our own DataOutputStream over a checksumming adapter lets us append the checksum, and
        // leaves the caller's stream open (closing a wrapper would close it).
        DataOutputStream data =
                new DataOutputStream(new BufferedOutputStream(new ChecksummedOutput(out, crc), 1 << 16));
        data.write(MAGIC);
        data.writeInt(VERSION);
        data.writeUTF(networkName);
        writeTensors(data, names, shapes, flatValues);
        data.flush();
        new DataOutputStream(out).writeInt((int) crc.getValue());
        out.flush();
    }

    /**
     * The tensor section shared with {@link CheckpointFile}: the tensor count, then per tensor its
     * name, rank, dimensions and row-major values. The caller has checked the layout.
     */
    static void writeTensors(DataOutputStream data, List<String> names, List<int[]> shapes, double[] flatValues)
            throws IOException {
        data.writeInt(names.size());
        int position = 0;
        for (int t = 0; t < names.size(); t++) {
            int[] shape = shapes.get(t);
            data.writeUTF(names.get(t));
            data.writeInt(shape.length);
            for (int dim : shape) {
                data.writeInt(dim);
            }
            int size = size(shape);
            for (int i = 0; i < size; i++) {
                data.writeDouble(flatValues[position + i]);
            }
            position += size;
        }
    }

    /**
     * Reads parameters written by {@link #write} and checks that they belong to the expected
     * network and parameter list. Reads {@code in} to its end; does not close it.
     *
     * @param in the source
     * @param expectedNetworkName the name of the network that is loading
     * @param expectedNames its tensor names, in flattening order
     * @param expectedShapes its tensor shapes, parallel to {@code expectedNames}
     * @return all values, tensor after tensor, each row-major
     * @throws ParameterFileException if the stream is not an nnc parameter file, has an
     *     unsupported version, belongs to another network, has a different parameter list or
     *     shape, is truncated, or fails its checksum
     * @throws IOException if reading fails
     */
    public static double[] read(
            InputStream in, String expectedNetworkName, List<String> expectedNames, List<int[]> expectedShapes)
            throws IOException {
        checkLayout(expectedNames, expectedShapes);
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new ParameterFileException("not an nnc parameter file: it does not start with \"NNCP\""
                    + (Arrays.equals(magic, CheckpointFile.MAGIC)
                            ? " but with \"NNCK\", an nnc checkpoint (read it with loadCheckpoint)"
                            : ""));
        }
        byte[] rest = in.readAllBytes();
        byte[] bytes = new byte[MAGIC.length + rest.length];
        System.arraycopy(magic, 0, bytes, 0, MAGIC.length);
        System.arraycopy(rest, 0, bytes, MAGIC.length, rest.length);

        Contents contents = parse(bytes);
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, contents.checksumOffset);
        int stored = 0;
        for (int i = 0; i < CHECKSUM_BYTES; i++) {
            stored = (stored << 8) | (bytes[contents.checksumOffset + i] & 0xFF);
        }
        if (stored != (int) crc.getValue()) {
            throw new ParameterFileException(
                    "corrupted nnc parameter file: the CRC32 checksum does not match its contents");
        }
        checkMatches(
                "parameter file",
                contents.networkName,
                contents.tensors,
                expectedNetworkName,
                expectedNames,
                expectedShapes,
                "parameter");
        return contents.tensors.values();
    }

    record Tensor(String name, int[] shape) {}

    /** A tensor section as read: the names and shapes, and every value, tensor after tensor. */
    record Tensors(List<Tensor> tensors, double[] values) {}

    private record Contents(String networkName, Tensors tensors, int checksumOffset) {}

    /** Parses the structure, failing on truncation before anything else is trusted. */
    private static Contents parse(byte[] bytes) throws ParameterFileException {
        DataInputStream data = new DataInputStream(new ByteArrayInputStream(bytes));
        try {
            data.skipNBytes(MAGIC.length);
            int version = data.readInt();
            if (version != VERSION) {
                throw new ParameterFileException("unsupported nnc parameter file version " + version
                        + "; this runtime reads version " + VERSION);
            }
            String networkName = data.readUTF();
            Tensors tensors = readTensors(data, bytes.length, KIND);
            int checksumOffset = bytes.length - data.available();
            if (data.available() < CHECKSUM_BYTES) {
                throw truncated(bytes.length, KIND);
            }
            if (data.available() > CHECKSUM_BYTES) {
                throw corrupted((data.available() - CHECKSUM_BYTES) + " unexpected bytes after the last tensor", KIND);
            }
            return new Contents(networkName, tensors, checksumOffset);
        } catch (ParameterFileException e) {
            throw e;
        } catch (EOFException e) {
            throw truncated(bytes.length, KIND);
        } catch (IOException e) {
            // readUTF rejects malformed modified UTF-8; nothing else can fail on a byte array.
            throw corrupted(e.getMessage(), KIND);
        }
    }

    /**
     * Reads the tensor section that {@link #writeTensors} wrote from {@code data}, which reads a
     * byte array of {@code length} bytes; {@code kind} names the format in error messages.
     */
    static Tensors readTensors(DataInputStream data, int length, String kind) throws IOException {
        int count = data.readInt();
        if (count < 0) {
            throw corrupted("negative tensor count " + count, kind);
        }
        List<Tensor> tensors = new ArrayList<>();
        List<double[]> tensorValues = new ArrayList<>();
        long total = 0;
        for (int t = 0; t < count; t++) {
            String name = data.readUTF();
            int rank = data.readInt();
            if (rank < 0 || rank > 8) {
                throw corrupted("tensor '" + name + "' has rank " + rank, kind);
            }
            int[] shape = new int[rank];
            long size = 1;
            for (int d = 0; d < rank; d++) {
                shape[d] = data.readInt();
                if (shape[d] < 1) {
                    throw corrupted("tensor '" + name + "' has dimension " + shape[d], kind);
                }
                size *= shape[d];
                if (size > Integer.MAX_VALUE) {
                    throw corrupted("tensor '" + name + "' is too large", kind);
                }
            }
            long needed = size * Double.BYTES;
            if (needed > data.available()) {
                throw truncated(length, kind);
            }
            total += size;
            if (total > Integer.MAX_VALUE) {
                throw corrupted("more values than fit in an array", kind);
            }
            double[] tensor = new double[(int) size];
            for (int i = 0; i < tensor.length; i++) {
                tensor[i] = data.readDouble();
            }
            tensors.add(new Tensor(name, shape));
            tensorValues.add(tensor);
        }
        double[] values = new double[(int) total];
        int position = 0;
        for (double[] tensor : tensorValues) {
            System.arraycopy(tensor, 0, values, position, tensor.length);
            position += tensor.length;
        }
        return new Tensors(List.copyOf(tensors), values);
    }

    /**
     * Checks that a {@code kind} file of network {@code networkName} with {@code tensors} is one
     * that {@code expectedNetworkName} with the expected tensors can load.
     */
    static void checkMatches(
            String kind,
            String networkName,
            Tensors tensors,
            String expectedNetworkName,
            List<String> expectedNames,
            List<int[]> expectedShapes,
            String tensorNoun)
            throws ParameterFileException {
        if (!networkName.equals(expectedNetworkName)) {
            throw new ParameterFileException(
                    kind + " belongs to network '" + networkName + "', not to '" + expectedNetworkName + "'");
        }
        List<Tensor> found = tensors.tensors();
        int common = Math.min(found.size(), expectedNames.size());
        for (int t = 0; t < common; t++) {
            Tensor tensor = found.get(t);
            String expectedName = expectedNames.get(t);
            if (!tensor.name.equals(expectedName)) {
                throw new ParameterFileException(tensorNoun + " " + (t + 1) + " of '" + expectedNetworkName + "' is '"
                        + expectedName + "', but the file has '" + tensor.name + "'");
            }
            if (!Arrays.equals(tensor.shape, expectedShapes.get(t))) {
                throw new ParameterFileException(tensorNoun + " '" + expectedName + "' has shape "
                        + Arrays.toString(expectedShapes.get(t)) + ", but the file has shape "
                        + Arrays.toString(tensor.shape));
            }
        }
        if (found.size() > common) {
            throw new ParameterFileException("the file has an extra " + tensorNoun + " '" + found.get(common).name
                    + "' that '" + expectedNetworkName + "' does not have");
        }
        if (expectedNames.size() > common) {
            throw new ParameterFileException("the file lacks " + tensorNoun + " '" + expectedNames.get(common)
                    + "' of '" + expectedNetworkName + "'");
        }
    }

    static ParameterFileException truncated(int length, String kind) {
        return new ParameterFileException(
                "truncated nnc " + kind + ": it ends after " + length + " bytes, before its contents are complete");
    }

    static ParameterFileException corrupted(String detail, String kind) {
        return new ParameterFileException("corrupted nnc " + kind + ": " + detail);
    }

    static long checkLayout(List<String> names, List<int[]> shapes) {
        if (names.size() != shapes.size()) {
            throw new IllegalArgumentException(
                    "expected one shape per name: " + names.size() + " names, " + shapes.size() + " shapes");
        }
        long total = 0;
        for (int t = 0; t < names.size(); t++) {
            for (int dim : shapes.get(t)) {
                if (dim < 1) {
                    throw new IllegalArgumentException("parameter '" + names.get(t) + "' has shape "
                            + Arrays.toString(shapes.get(t)) + "; dimensions must be >= 1");
                }
            }
            total += size(shapes.get(t));
        }
        return total;
    }

    static int size(int[] shape) {
        int size = 1;
        for (int dim : shape) {
            size = Math.multiplyExact(size, dim);
        }
        return size;
    }

    /** Passes bytes through to the caller's stream while feeding them to a checksum. */
    static final class ChecksummedOutput extends OutputStream {
        private final OutputStream out;
        private final CRC32 crc;

        ChecksummedOutput(OutputStream out, CRC32 crc) {
            this.out = out;
            this.crc = crc;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            crc.update(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            crc.update(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
