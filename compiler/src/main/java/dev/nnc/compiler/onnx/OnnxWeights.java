package dev.nnc.compiler.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.nnc.runtime.HalfFloats;
import dev.nnc.runtime.Network;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weights from the initializers of an ONNX model, matched by name to the parameters and buffers
 * of an nnc network: the architecture stays the {@code .nn} spec, the ONNX file is only the
 * container of the weights (as exported by PyTorch's {@code torch.onnx.export}, or by {@code nnc
 * export-onnx}).
 *
 * <p>Initializers of type FLOAT, DOUBLE, FLOAT16 and BFLOAT16 are read, from {@code raw_data} or the
 * typed fields. Every parameter and buffer of the network must have an initializer of its name and
 * shape; initializers that name none are ignored, because ONNX files hold others as a matter of
 * course (shapes for {@code Reshape}, axes, folded constants). A file that is truncated or not
 * protocol buffers is an error naming the byte offset, a missing or misshaped tensor one naming
 * the tensor, and either leaves the network unchanged.
 *
 * <p>Only the fields on the way to the initializers are decoded ({@code ModelProto.graph} 7,
 * {@code GraphProto.initializer} 5, and the tensor's fields); the rest is skipped, checked only for
 * well-formed wire types and lengths.
 */
public final class OnnxWeights {
    private OnnxWeights() {}

    /**
     * Sets the parameters and buffers of {@code into} from the initializers of the ONNX model read
     * from {@code in} (to its end; not closed).
     *
     * @throws IOException if the file is not a well-formed ONNX model, or lacks a tensor of the
     *     network or has it in another shape or type; the network is then unchanged
     */
    public static void read(InputStream in, Network into) throws IOException {
        List<Weights.Slot> slots = slots(into);
        List<Weights.Tensor> tensors = matching(readTensors(in), slots);
        int parameters = into.parameterNames().size();
        double[] flatParameters = flatten(tensors.subList(0, parameters));
        double[] flatBuffers = flatten(tensors.subList(parameters, tensors.size()));
        into.setParameters(flatParameters);
        if (!into.bufferNames().isEmpty()) {
            into.setBuffers(flatBuffers);
        }
    }

    /**
     * The floating-point initializers of the ONNX model read from {@code in} (to its end; not
     * closed), in file order, as doubles; initializers of other types are left out.
     *
     * @throws IOException if the file is not a well-formed ONNX model
     */
    public static Weights readTensors(InputStream in) throws IOException {
        List<Weights.Tensor> tensors = new ArrayList<>();
        for (Initializer initializer : initializers(in.readAllBytes())) {
            if (initializer.values() != null) {
                tensors.add(new Weights.Tensor(initializer.name(), initializer.shape(), initializer.values()));
            }
        }
        return new Weights(tensors);
    }

    /**
     * The tensors of {@code slots}, in their order, from {@code initializers}: each present with its
     * shape; initializers no slot names are ignored.
     *
     * @throws Weights.WeightsException naming the first missing or misshaped tensor
     */
    public static List<Weights.Tensor> matching(Weights initializers, List<Weights.Slot> slots)
            throws Weights.WeightsException {
        Map<String, Weights.Tensor> byName = new LinkedHashMap<>();
        for (Weights.Tensor tensor : initializers.tensors()) {
            byName.putIfAbsent(tensor.name(), tensor);
        }
        List<Weights.Tensor> matched = new ArrayList<>();
        for (Weights.Slot slot : slots) {
            Weights.Tensor tensor = byName.get(slot.name());
            if (tensor == null) {
                throw new Weights.WeightsException("the ONNX file has no floating-point initializer '" + slot.name()
                        + "' (shape " + slot.shape() + ")");
            }
            if (!tensor.shape().equals(slot.shape())) {
                throw new Weights.WeightsException("initializer '" + slot.name() + "' has shape " + tensor.shape()
                        + ", but the network's has shape " + slot.shape());
            }
            matched.add(tensor);
        }
        return matched;
    }

    // ------------------------------------------------------------------------------------------
    // The network's side

    /** The parameters, then the buffers, of {@code network} with their shapes. */
    static List<Weights.Slot> slots(Network network) {
        List<Weights.Slot> slots = new ArrayList<>();
        addSlots(network.parameterNames(), network.parameterShapes(), false, slots);
        addSlots(network.bufferNames(), network.bufferShapes(), true, slots);
        return slots;
    }

    private static void addSlots(List<String> names, List<int[]> shapes, boolean buffers, List<Weights.Slot> slots) {
        for (int t = 0; t < names.size(); t++) {
            slots.add(new Weights.Slot(
                    names.get(t), Arrays.stream(shapes.get(t)).boxed().toList(), buffers));
        }
    }

    private static double[] flatten(List<Weights.Tensor> tensors) {
        int total = tensors.stream().mapToInt(t -> t.values().length).sum();
        double[] flat = new double[total];
        int position = 0;
        for (Weights.Tensor tensor : tensors) {
            System.arraycopy(tensor.values(), 0, flat, position, tensor.values().length);
            position += tensor.values().length;
        }
        return flat;
    }

    // ------------------------------------------------------------------------------------------
    // The ONNX file

    /** One initializer as stored: {@code values} is null for types other than the four floats. */
    private record Initializer(String name, List<Integer> shape, double[] values) {}

    private static List<Initializer> initializers(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        in.setRecursionLimit(64);
        List<Initializer> initializers = new ArrayList<>();
        try {
            while (true) {
                int tag = in.readTag();
                if (tag == 0) {
                    break;
                }
                if (WireFormat.getTagFieldNumber(tag) == 7) {
                    int end = nested(in, tag, "ModelProto.graph");
                    readGraph(in, end, initializers);
                } else {
                    skip(in, tag);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw malformed(in, e.getMessage());
        }
        return initializers;
    }

    private static void readGraph(CodedInputStream in, int limit, List<Initializer> out) throws IOException {
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            if (WireFormat.getTagFieldNumber(tag) == 5) {
                int start = in.getTotalBytesRead();
                int end = nested(in, tag, "GraphProto.initializer");
                out.add(readTensor(in, start));
                in.popLimit(end);
            } else {
                skip(in, tag);
            }
        }
        in.popLimit(limit);
    }

    /** The fields of a {@code TensorProto}, read up to the current limit. */
    private static Initializer readTensor(CodedInputStream in, int start) throws IOException {
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = "";
        byte[] raw = null;
        List<Float> floats = new ArrayList<>();
        List<Double> doubles = new ArrayList<>();
        List<Integer> int32s = new ArrayList<>();
        boolean external = false;
        boolean segment = false;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            int field = WireFormat.getTagFieldNumber(tag);
            int wire = WireFormat.getTagWireType(tag);
            switch (field) {
                case 1 ->
                    readPackable(
                            in, wire, WireFormat.WIRETYPE_VARINT, "TensorProto.dims", () -> dims.add(in.readInt64()));
                case 2 -> {
                    expect(in, wire, WireFormat.WIRETYPE_VARINT, "TensorProto.data_type");
                    dataType = in.readInt32();
                }
                case 3 -> {
                    segment = true;
                    skip(in, tag);
                }
                case 4 ->
                    readPackable(
                            in,
                            wire,
                            WireFormat.WIRETYPE_FIXED32,
                            "TensorProto.float_data",
                            () -> floats.add(in.readFloat()));
                case 5 ->
                    readPackable(
                            in,
                            wire,
                            WireFormat.WIRETYPE_VARINT,
                            "TensorProto.int32_data",
                            () -> int32s.add(in.readInt32()));
                case 8 -> {
                    expect(in, wire, WireFormat.WIRETYPE_LENGTH_DELIMITED, "TensorProto.name");
                    name = in.readStringRequireUtf8();
                }
                case 9 -> {
                    expect(in, wire, WireFormat.WIRETYPE_LENGTH_DELIMITED, "TensorProto.raw_data");
                    raw = in.readByteArray();
                }
                case 10 ->
                    readPackable(
                            in,
                            wire,
                            WireFormat.WIRETYPE_FIXED64,
                            "TensorProto.double_data",
                            () -> doubles.add(in.readDouble()));
                case 13 -> {
                    external = true;
                    skip(in, tag);
                }
                case 14 -> {
                    expect(in, wire, WireFormat.WIRETYPE_VARINT, "TensorProto.data_location");
                    external |= in.readEnum() == 1;
                }
                default -> skip(in, tag);
            }
        }
        List<Integer> shape = new ArrayList<>();
        long size = 1;
        for (long dim : dims) {
            if (dim < 0 || dim > Integer.MAX_VALUE) {
                throw new Weights.WeightsException(
                        "initializer '" + name + "' (at byte offset " + start + ") has dimension " + dim);
            }
            shape.add((int) dim);
            size *= dim;
            if (size > Integer.MAX_VALUE) {
                throw new Weights.WeightsException("initializer '" + name + "' is too large");
            }
        }
        if (!isFloatingPoint(dataType)) {
            return new Initializer(name, shape, null);
        }
        if (external || segment) {
            throw new Weights.WeightsException("initializer '" + name + "' keeps its data "
                    + (external ? "in an external file" : "in segments") + ", which nnc does not read");
        }
        return new Initializer(name, shape, values(name, start, dataType, (int) size, raw, floats, doubles, int32s));
    }

    private static boolean isFloatingPoint(int dataType) {
        return dataType == OnnxProto.FLOAT
                || dataType == OnnxProto.DOUBLE
                || dataType == OnnxProto.FLOAT16
                || dataType == OnnxProto.BFLOAT16;
    }

    private static double[] values(
            String name,
            int start,
            int dataType,
            int size,
            byte[] raw,
            List<Float> floats,
            List<Double> doubles,
            List<Integer> int32s)
            throws Weights.WeightsException {
        double[] values = new double[size];
        if (raw != null) {
            int width = dataType == OnnxProto.DOUBLE ? 8 : dataType == OnnxProto.FLOAT ? 4 : 2;
            if (raw.length != (long) size * width) {
                throw new Weights.WeightsException("initializer '" + name + "' (at byte offset " + start + ") has "
                        + raw.length + " bytes of data, but its shape needs " + (long) size * width);
            }
            ByteBuffer data = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < size; i++) {
                values[i] = switch (dataType) {
                    case OnnxProto.FLOAT -> data.getFloat();
                    case OnnxProto.DOUBLE -> data.getDouble();
                    case OnnxProto.FLOAT16 -> HalfFloats.halfToDouble(data.getShort());
                    default -> HalfFloats.bfloat16ToDouble(data.getShort());
                };
            }
            return values;
        }
        int count = switch (dataType) {
            case OnnxProto.FLOAT -> floats.size();
            case OnnxProto.DOUBLE -> doubles.size();
            default -> int32s.size();
        };
        if (count != size) {
            throw new Weights.WeightsException("initializer '" + name + "' (at byte offset " + start + ") has " + count
                    + " values, but its shape needs " + size);
        }
        for (int i = 0; i < size; i++) {
            values[i] = switch (dataType) {
                case OnnxProto.FLOAT -> floats.get(i);
                case OnnxProto.DOUBLE -> doubles.get(i);
                case OnnxProto.FLOAT16 -> HalfFloats.halfToDouble((short) (int) int32s.get(i));
                default -> HalfFloats.bfloat16ToDouble((short) (int) int32s.get(i));
            };
        }
        return values;
    }

    // ------------------------------------------------------------------------------------------
    // Wire format

    /** Reads one element of a repeated scalar field. */
    @FunctionalInterface
    private interface Element {
        void read() throws IOException;
    }

    /** A repeated scalar field, packed (length-delimited) or one element per tag. */
    private static void readPackable(CodedInputStream in, int wire, int elementWire, String field, Element element)
            throws IOException {
        if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int limit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
                element.read();
            }
            in.popLimit(limit);
        } else {
            expect(in, wire, elementWire, field);
            element.read();
        }
    }

    /** Enters a length-delimited field; returns the old limit for {@code popLimit}. */
    private static int nested(CodedInputStream in, int tag, String field) throws IOException {
        expect(in, WireFormat.getTagWireType(tag), WireFormat.WIRETYPE_LENGTH_DELIMITED, field);
        int length = in.readRawVarint32();
        if (length < 0) {
            throw malformed(in, field + " has a negative length");
        }
        return in.pushLimit(length);
    }

    private static void expect(CodedInputStream in, int wire, int expected, String field) throws IOException {
        if (wire != expected) {
            throw malformed(in, field + " has wire type " + wire + ", expected " + expected);
        }
    }

    private static void skip(CodedInputStream in, int tag) throws IOException {
        int wire = WireFormat.getTagWireType(tag);
        if (wire == 3 || wire == 4 || wire > 5) {
            throw malformed(in, "field " + WireFormat.getTagFieldNumber(tag) + " has wire type " + wire);
        }
        in.skipField(tag);
    }

    private static Weights.WeightsException malformed(CodedInputStream in, String detail) {
        return new Weights.WeightsException(
                "truncated or malformed ONNX file at byte offset " + in.getTotalBytesRead() + ": " + detail);
    }
}
