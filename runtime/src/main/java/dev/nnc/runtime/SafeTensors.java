package dev.nnc.runtime;

import dev.nnc.runtime.SafeTensorsHeader.Contents;
import dev.nnc.runtime.SafeTensorsHeader.Dtype;
import dev.nnc.runtime.SafeTensorsHeader.Entry;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parameters and buffers in the safetensors format, the one in which PyTorch users save a {@code
 * state_dict} ({@code safetensors.torch.save_file(model.state_dict(), path)}).
 *
 * <p>A file is an 8-byte little-endian header length, a JSON header that gives each tensor's
 * dtype, shape and byte range, and the tensors' bytes, row-major and little-endian. nnc's
 * parameter names and layouts are PyTorch's, so tensors are matched by name ({@code fc1.weight})
 * with two rules for what PyTorch's {@code state_dict} holds beyond them:
 *
 * <ul>
 *   <li>The recurrent layers' parameters are {@code h.weight_ih_l0}, ... in PyTorch's {@code
 *       torch.nn.RNN}, {@code GRU} and {@code LSTM} and {@code h.weight_ih}, ... in nnc. {@link
 *       #read} accepts either name (not both), {@link #write} writes PyTorch's.
 *   <li>PyTorch's batch normalisation counts its training batches in {@code n.num_batches_tracked},
 *       an I64 scalar that it reads only with {@code momentum=None}, which nnc does not have.
 *       {@link #read} accepts it beside the buffers {@code n.running_mean} and {@code
 *       n.running_var} and ignores its value; {@link #write} writes it as 0, so that the file has
 *       every key of the PyTorch module's {@code state_dict}.
 * </ul>
 *
 * <p>The header is read by a strict reader of exactly the JSON the format allows there (the
 * runtime depends on the JDK only), and everything is checked before anything is set, so that a
 * file that does not fit leaves the network unchanged.
 */
public final class SafeTensors {

    /** The dtype of 32-bit floats, PyTorch's default. */
    public static final String F32 = "F32";

    /** The dtype of 64-bit floats. */
    public static final String F64 = "F64";

    private static final String LAYER_SUFFIX = "_l0";
    private static final List<String> RECURRENT_PARAMETERS =
            List.of(".weight_ih", ".weight_hh", ".bias_ih", ".bias_hh");
    private static final String BATCH_COUNTER = ".num_batches_tracked";
    private static final String RUNNING_MEAN = ".running_mean";

    /** The largest integer up to which every I64 value is exactly a double. */
    private static final long EXACT_INTEGERS = 1L << 53;

    private SafeTensors() {}

    /**
     * A tensor of a safetensors file as {@link #readTensors} returns it.
     *
     * @param name the name in the file, such as {@code "fc1.weight"}
     * @param dtype the dtype in the file: {@code "F32"}, {@code "F64"}, {@code "F16"}, {@code
     *     "BF16"} or {@code "I64"}
     * @param shape the dimensions, {@code {}} for a scalar
     * @param values the elements, row-major, converted exactly to double
     */
    public record Tensor(String name, String dtype, int[] shape, double[] values) {}

    /**
     * Reads the parameters and buffers of {@code into} from a safetensors file. Every tensor of
     * the network must be in the file, with its name and shape and a float dtype (F32, F64, F16
     * or BF16, converted exactly; a float network rounds F64 values to float), and the file must
     * hold nothing else (besides {@code num_batches_tracked}, see the class comment). Reads
     * {@code in} to its end; does not close it.
     *
     * @throws ParameterFileException if the file is truncated, its header is malformed (the
     *     message names the byte offset), or a tensor is missing, extra, of another shape or of
     *     another dtype (the message names it); {@code into} is then unchanged
     * @throws IOException if reading fails
     */
    public static void read(InputStream in, Network into) throws IOException {
        List<String> parameterNames = into.parameterNames();
        double[] values =
                read(in, into.name(), parameterNames, into.parameterShapes(), into.bufferNames(), into.bufferShapes());
        int parameterCount = into.parameterCount();
        into.setParameters(Arrays.copyOf(values, parameterCount));
        if (values.length > parameterCount) {
            into.setBuffers(Arrays.copyOfRange(values, parameterCount, values.length));
        }
    }

    /**
     * Reads the parameters and buffers of a network known by its layout rather than by an
     * instance (the CLI's ONNX export, say), checked as {@link #read(InputStream, Network)} checks
     * them. Reads {@code in} to its end; does not close it.
     *
     * @param network the network's name, for messages
     * @param parameterNames its parameter tensors, in flattening order
     * @param parameterShapes their shapes
     * @param bufferNames its buffer tensors, in flattening order
     * @param bufferShapes their shapes
     * @return the parameters, then the buffers, tensor after tensor, each row-major
     * @throws ParameterFileException as {@link #read(InputStream, Network)} does
     * @throws IOException if reading fails
     */
    public static double[] read(
            InputStream in,
            String network,
            List<String> parameterNames,
            List<int[]> parameterShapes,
            List<String> bufferNames,
            List<int[]> bufferShapes)
            throws IOException {
        int parameterCount = (int) ParameterFile.checkLayout(parameterNames, parameterShapes);
        int bufferCount = (int) ParameterFile.checkLayout(bufferNames, bufferShapes);

        Contents header = SafeTensorsHeader.read(in);
        Map<String, Entry> file = header.byName();
        Set<String> matched = new HashSet<>();
        List<Entry> parameters = match(file, parameterNames, parameterShapes, "parameter", network, matched);
        List<Entry> buffers = match(file, bufferNames, bufferShapes, "buffer", network, matched);
        for (Entry entry : header.entries()) {
            if (matched.contains(entry.name())) {
                continue;
            }
            if (!isBatchCounter(entry.name(), bufferNames)) {
                throw new ParameterFileException("the safetensors file has a tensor '" + entry.name()
                        + "' that network '" + network + "' does not have");
            }
            if (entry.dtype() != Dtype.I64 || entry.shape().length != 0) {
                throw new ParameterFileException("tensor '" + entry.name() + "' has dtype " + entry.dtype()
                        + " and shape " + Arrays.toString(entry.shape())
                        + ", but PyTorch's batch counter is an I64 scalar");
            }
        }

        byte[] data = header.readData(in);
        double[] values = new double[parameterCount + bufferCount];
        decodeAll(parameters, data, values, 0);
        decodeAll(buffers, data, values, parameterCount);
        return values;
    }

    /**
     * Reads every tensor of a safetensors file, in the order of their data in the file, for
     * callers without a generated network. Checks the file as {@link #read} does, except for the
     * names and shapes, which it does not know; I64 tensors (PyTorch's {@code
     * num_batches_tracked}) are read when their values are exactly doubles. Reads {@code in} to
     * its end; does not close it.
     *
     * @throws ParameterFileException if the file is truncated, its header is malformed (the
     *     message names the byte offset) or a tensor has a dtype other than F32, F64, F16, BF16
     *     and I64
     * @throws IOException if reading fails
     */
    public static List<Tensor> readTensors(InputStream in) throws IOException {
        Contents header = SafeTensorsHeader.read(in);
        byte[] data = header.readData(in);
        List<Tensor> tensors = new ArrayList<>();
        for (Entry entry : header.entries()) {
            double[] values = new double[(int) entry.elements()];
            decode(entry, data, values, 0);
            tensors.add(
                    new Tensor(entry.name(), entry.dtype().name(), entry.shape().clone(), values));
        }
        return List.copyOf(tensors);
    }

    /**
     * Writes the parameters and buffers of {@code from} as a safetensors file that PyTorch's
     * {@code model.load_state_dict(safetensors.torch.load_file(path))} loads into the same
     * network built from {@code torch.nn}. The dtype is F32 when every value is exactly a float
     * (always so for a network generated with {@code precision float}), and F64 otherwise, so
     * that nothing is rounded. The stream is flushed but not closed.
     *
     * @throws IOException if writing fails
     */
    public static void write(Network from, OutputStream out) throws IOException {
        Values values = Values.of(from);
        values.write(out, values.areFloats() ? Dtype.F32 : Dtype.F64);
    }

    /**
     * Writes the parameters and buffers of {@code from} as {@link #write(Network, OutputStream)}
     * does, in the given dtype: {@link #F32} (PyTorch's default; a double network's values are
     * rounded to the nearest float) or {@link #F64}.
     *
     * @throws IllegalArgumentException if {@code dtype} is neither {@code "F32"} nor {@code "F64"}
     * @throws IOException if writing fails
     */
    public static void write(Network from, OutputStream out, String dtype) throws IOException {
        Dtype type = switch (dtype) {
            case F32 -> Dtype.F32;
            case F64 -> Dtype.F64;
            default -> throw new IllegalArgumentException("nnc writes safetensors files in F32 or F64, not " + dtype);
        };
        Values.of(from).write(out, type);
    }

    /**
     * The file's tensor for each of the network's {@code names}, checked for shape and dtype;
     * adds the names used to {@code matched}.
     */
    private static List<Entry> match(
            Map<String, Entry> file,
            List<String> names,
            List<int[]> shapes,
            String kind,
            String network,
            Set<String> matched)
            throws ParameterFileException {
        List<Entry> entries = new ArrayList<>();
        for (int t = 0; t < names.size(); t++) {
            String name = names.get(t);
            String pytorch = pytorchName(name);
            Entry entry = file.get(name);
            Entry alias = pytorch.equals(name) ? null : file.get(pytorch);
            if (entry != null && alias != null) {
                throw new ParameterFileException("the safetensors file has both '" + name + "' and '" + pytorch
                        + "' for " + kind + " '" + name + "' of network '" + network + "'");
            }
            if (entry == null) {
                entry = alias;
            }
            if (entry == null) {
                throw new ParameterFileException("the safetensors file lacks " + kind + " '" + name + "'"
                        + (pytorch.equals(name) ? "" : " (or '" + pytorch + "')") + " of network '" + network + "'");
            }
            if (!entry.dtype().isFloat()) {
                throw new ParameterFileException("tensor '" + entry.name() + "' has dtype " + entry.dtype() + "; "
                        + kind + " '" + name + "' of network '" + network + "' is read from F32, F64, F16 or BF16");
            }
            if (!Arrays.equals(entry.shape(), shapes.get(t))) {
                throw new ParameterFileException("tensor '" + entry.name() + "' has shape "
                        + Arrays.toString(entry.shape()) + ", but " + kind + " '" + name + "' of network '" + network
                        + "' has shape " + Arrays.toString(shapes.get(t)));
            }
            matched.add(entry.name());
            entries.add(entry);
        }
        return entries;
    }

    /** PyTorch's name of an nnc tensor: the recurrent layers' parameters take the layer suffix. */
    static String pytorchName(String name) {
        for (String suffix : RECURRENT_PARAMETERS) {
            if (name.endsWith(suffix)) {
                return name + LAYER_SUFFIX;
            }
        }
        return name;
    }

    /** Whether {@code name} is the batch counter of one of the network's batch normalisations. */
    private static boolean isBatchCounter(String name, List<String> bufferNames) {
        return name.endsWith(BATCH_COUNTER)
                && bufferNames.contains(name.substring(0, name.length() - BATCH_COUNTER.length()) + RUNNING_MEAN);
    }

    /** Decodes {@code entries} one after another into {@code values}, from index {@code start}. */
    private static void decodeAll(List<Entry> entries, byte[] data, double[] values, int start)
            throws ParameterFileException {
        int position = start;
        for (Entry entry : entries) {
            decode(entry, data, values, position);
            position += (int) entry.elements();
        }
    }

    /** Converts the elements of {@code entry} in {@code data} exactly into {@code values[at...]}. */
    private static void decode(Entry entry, byte[] data, double[] values, int at) throws ParameterFileException {
        ByteBuffer bytes = ByteBuffer.wrap(data, (int) entry.begin(), (int) (entry.end() - entry.begin()))
                .order(ByteOrder.LITTLE_ENDIAN);
        int count = (int) entry.elements();
        for (int i = 0; i < count; i++) {
            values[at + i] = switch (entry.dtype()) {
                case F64 -> bytes.getDouble();
                case F32 -> bytes.getFloat();
                case F16 -> HalfFloats.halfToDouble(bytes.getShort());
                case BF16 -> HalfFloats.bfloat16ToDouble(bytes.getShort());
                case I64 -> exactInteger(entry, bytes.getLong());
            };
        }
    }

    private static double exactInteger(Entry entry, long value) throws ParameterFileException {
        if (value > EXACT_INTEGERS || value < -EXACT_INTEGERS) {
            throw new ParameterFileException(
                    "tensor '" + entry.name() + "' holds the I64 value " + value + ", which is not exactly a double");
        }
        return value;
    }

    /** A network's tensors as they are written: names, dtypes, shapes and where their values are. */
    private record Values(Network network, double[] parameters, double[] buffers) {

        static Values of(Network network) {
            ParameterFile.checkLayout(network.parameterNames(), network.parameterShapes());
            double[] parameters = new double[network.parameterCount()];
            network.getParameters(parameters);
            double[] buffers =
                    new double[(int) ParameterFile.checkLayout(network.bufferNames(), network.bufferShapes())];
            network.getBuffers(buffers);
            return new Values(network, parameters, buffers);
        }

        boolean areFloats() {
            return areFloats(parameters) && areFloats(buffers);
        }

        private static boolean areFloats(double[] values) {
            for (double value : values) {
                if ((double) (float) value != value && !Double.isNaN(value)) {
                    return false;
                }
            }
            return true;
        }

        void write(OutputStream out, Dtype dtype) throws IOException {
            List<Outgoing> tensors = new ArrayList<>();
            add(tensors, network.parameterNames(), network.parameterShapes(), parameters, dtype);
            add(tensors, network.bufferNames(), network.bufferShapes(), buffers, dtype);
            for (String buffer : network.bufferNames()) {
                if (buffer.endsWith(RUNNING_MEAN)) {
                    String prefix = buffer.substring(0, buffer.length() - RUNNING_MEAN.length());
                    tensors.add(new Outgoing(prefix + BATCH_COUNTER, Dtype.I64, new int[0], new double[1], 0));
                }
            }
            // The reference writer's order: wider dtypes first (so each tensor is aligned to its
            // element size), then by name; PyTorch's own files come out the same.
            tensors.sort(Comparator.comparingInt((Outgoing t) -> -t.dtype().rank)
                    .thenComparing(Outgoing::name, SafeTensors::compareCodePoints));

            StringBuilder json = new StringBuilder("{");
            long offset = 0;
            for (Outgoing tensor : tensors) {
                long bytes = (long) tensor.count() * tensor.dtype().size;
                if (json.length() > 1) {
                    json.append(',');
                }
                appendString(json, tensor.name());
                json.append(":{\"dtype\":\"").append(tensor.dtype().name()).append("\",\"shape\":[");
                for (int d = 0; d < tensor.shape().length; d++) {
                    json.append(d == 0 ? "" : ",").append(tensor.shape()[d]);
                }
                json.append("],\"data_offsets\":[")
                        .append(offset)
                        .append(',')
                        .append(offset + bytes)
                        .append("]}");
                offset += bytes;
            }
            json.append('}');
            byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
            // Spaces pad the header to a multiple of 8 bytes, so the data starts aligned.
            int padded = (header.length + 7) / 8 * 8;

            OutputStream buffered = new BufferedOutputStream(out, 1 << 16);
            ByteBuffer scratch = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buffered.write(scratch.putLong(0, padded).array());
            buffered.write(header);
            for (int i = header.length; i < padded; i++) {
                buffered.write(' ');
            }
            for (Outgoing tensor : tensors) {
                for (int i = 0; i < tensor.count(); i++) {
                    double value = tensor.values()[tensor.from() + i];
                    switch (tensor.dtype()) {
                        case F32 ->
                            buffered.write(
                                    scratch.putInt(0, Float.floatToRawIntBits((float) value))
                                            .array(),
                                    0,
                                    Float.BYTES);
                        case F64 ->
                            buffered.write(scratch.putLong(0, Double.doubleToRawLongBits(value))
                                    .array());
                        case I64 ->
                            buffered.write(scratch.putLong(0, (long) value).array());
                        default -> throw new IllegalStateException("nnc does not write " + tensor.dtype());
                    }
                }
            }
            // Flushed, not closed: closing the buffer would close the caller's stream.
            buffered.flush();
        }

        private static void add(
                List<Outgoing> tensors, List<String> names, List<int[]> shapes, double[] values, Dtype dtype) {
            int position = 0;
            for (int t = 0; t < names.size(); t++) {
                int[] shape = shapes.get(t);
                tensors.add(new Outgoing(pytorchName(names.get(t)), dtype, shape.clone(), values, position));
                position += ParameterFile.size(shape);
            }
        }
    }

    /** A tensor to write: its values are {@code values[from ...]}. */
    private record Outgoing(String name, Dtype dtype, int[] shape, double[] values, int from) {
        int count() {
            return ParameterFile.size(shape);
        }
    }

    /** A JSON string as serde_json writes it: quotes, backslashes and control characters escaped. */
    private static void appendString(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    /** Code point order, which is the byte order of UTF-8 and so the reference writer's. */
    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
