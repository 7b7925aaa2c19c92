package dev.nnc.compiler.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * The messages of ONNX's {@code onnx.proto} that an export writes, as immutable records, each
 * encoded with protobuf-java's {@link CodedOutputStream} under the field numbers of {@code
 * onnx.proto}. Writing the wire format directly needs no {@code protoc} at build time and no
 * generated classes, and these eight messages are all a model of dense tensors needs.
 */
final class OnnxProto {
    /** {@code TensorProto.DataType} values used by nnc. */
    static final int FLOAT = 1;

    static final int INT64 = 7;
    static final int FLOAT16 = 10;
    static final int DOUBLE = 11;
    static final int BFLOAT16 = 16;

    /** The IR version of ONNX 1.12 and later, which opset 17 belongs to. */
    static final long IR_VERSION = 8;

    private OnnxProto() {}

    /** {@code ModelProto}: fields ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7, opset_import 8. */
    record Model(
            long irVersion,
            String producerName,
            String producerVersion,
            String doc,
            Graph graph,
            List<OperatorSetId> opsets) {
        byte[] toByteArray() {
            return encode(out -> {
                out.writeInt64(1, irVersion);
                out.writeString(2, producerName);
                out.writeString(3, producerVersion);
                if (!doc.isEmpty()) {
                    out.writeString(6, doc);
                }
                out.writeByteArray(7, graph.toByteArray());
                for (OperatorSetId opset : opsets) {
                    out.writeByteArray(8, opset.toByteArray());
                }
            });
        }
    }

    /** {@code OperatorSetIdProto}: domain 1, version 2. */
    record OperatorSetId(String domain, long version) {
        byte[] toByteArray() {
            return encode(out -> {
                out.writeString(1, domain);
                out.writeInt64(2, version);
            });
        }
    }

    /** {@code GraphProto}: node 1, name 2, initializer 5, doc_string 10, input 11, output 12. */
    record Graph(
            String name,
            List<Node> nodes,
            List<Tensor> initializers,
            List<ValueInfo> inputs,
            List<ValueInfo> outputs,
            String doc) {
        Graph {
            nodes = List.copyOf(nodes);
            initializers = List.copyOf(initializers);
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
        }

        byte[] toByteArray() {
            return encode(out -> {
                for (Node node : nodes) {
                    out.writeByteArray(1, node.toByteArray());
                }
                out.writeString(2, name);
                for (Tensor tensor : initializers) {
                    out.writeByteArray(5, tensor.toByteArray());
                }
                if (!doc.isEmpty()) {
                    out.writeString(10, doc);
                }
                for (ValueInfo input : inputs) {
                    out.writeByteArray(11, input.toByteArray());
                }
                for (ValueInfo output : outputs) {
                    out.writeByteArray(12, output.toByteArray());
                }
            });
        }
    }

    /** {@code NodeProto}: input 1, output 2, name 3, op_type 4, attribute 5. */
    record Node(String opType, String name, List<String> inputs, List<String> outputs, List<Attribute> attributes) {
        Node {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
            attributes = List.copyOf(attributes);
        }

        byte[] toByteArray() {
            return encode(out -> {
                for (String input : inputs) {
                    out.writeString(1, input);
                }
                for (String output : outputs) {
                    out.writeString(2, output);
                }
                out.writeString(3, name);
                out.writeString(4, opType);
                for (Attribute attribute : attributes) {
                    out.writeByteArray(5, attribute.toByteArray());
                }
            });
        }
    }

    /**
     * {@code AttributeProto}: name 1, f 2, i 3, s 4, floats 7, ints 8, strings 9, type 20 (FLOAT
     * 1, INT 2, STRING 3, FLOATS 6, INTS 7, STRINGS 8). Exactly one value is present.
     */
    sealed interface Attribute {
        String name();

        byte[] toByteArray();

        static Attribute of(String name, long value) {
            return new IntAttribute(name, value);
        }

        static Attribute of(String name, float value) {
            return new FloatAttribute(name, value);
        }

        static Attribute ints(String name, List<Integer> values) {
            return new IntsAttribute(
                    name, values.stream().mapToLong(Integer::longValue).toArray());
        }

        static Attribute strings(String name, List<String> values) {
            return new StringsAttribute(name, values);
        }
    }

    record IntAttribute(String name, long value) implements Attribute {
        @Override
        public byte[] toByteArray() {
            return encode(out -> {
                out.writeString(1, name);
                out.writeInt64(3, value);
                out.writeEnum(20, 2);
            });
        }
    }

    record FloatAttribute(String name, float value) implements Attribute {
        @Override
        public byte[] toByteArray() {
            return encode(out -> {
                out.writeString(1, name);
                out.writeFloat(2, value);
                out.writeEnum(20, 1);
            });
        }
    }

    record IntsAttribute(String name, long[] values) implements Attribute {
        @Override
        public byte[] toByteArray() {
            return encode(out -> {
                out.writeString(1, name);
                for (long value : values) {
                    out.writeInt64(8, value);
                }
                out.writeEnum(20, 7);
            });
        }
    }

    record StringsAttribute(String name, List<String> values) implements Attribute {
        StringsAttribute {
            values = List.copyOf(values);
        }

        @Override
        public byte[] toByteArray() {
            return encode(out -> {
                out.writeString(1, name);
                for (String value : values) {
                    out.writeBytes(9, ByteString.copyFromUtf8(value));
                }
                out.writeEnum(20, 8);
            });
        }
    }

    /**
     * {@code TensorProto}: dims 1, data_type 2, name 8, raw_data 9 (little-endian). Real numbers
     * of the model's element type and 64-bit integers are all an export stores.
     */
    record Tensor(String name, long[] dims, int dataType, byte[] raw) {
        /** {@code values} as a tensor of {@code elementType}, {@link #FLOAT} or {@link #DOUBLE}. */
        static Tensor reals(String name, List<Integer> dims, double[] values, int elementType) {
            boolean doubles = elementType == DOUBLE;
            ByteBuffer bytes = ByteBuffer.allocate(values.length * (doubles ? Double.BYTES : Float.BYTES))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (double value : values) {
                if (doubles) {
                    bytes.putDouble(value);
                } else {
                    bytes.putFloat((float) value);
                }
            }
            return new Tensor(name, longs(dims), elementType, bytes.array());
        }

        static Tensor int64s(String name, long... values) {
            ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (long value : values) {
                bytes.putLong(value);
            }
            return new Tensor(name, new long[] {values.length}, INT64, bytes.array());
        }

        /** A rank-0 int64, e.g. the index of a {@code Gather} that drops its axis. */
        static Tensor int64Scalar(String name, long value) {
            ByteBuffer bytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.putLong(value);
            return new Tensor(name, new long[0], INT64, bytes.array());
        }

        byte[] toByteArray() {
            return encode(out -> {
                for (long dim : dims) {
                    out.writeInt64(1, dim);
                }
                out.writeInt32(2, dataType);
                out.writeString(8, name);
                out.writeByteArray(9, raw);
            });
        }
    }

    /**
     * {@code ValueInfoProto} (name 1, type 2) of a tensor of {@code elementType}: {@code
     * TypeProto.tensor_type} 1 holds elem_type 1 and shape 2, a {@code TensorShapeProto} whose
     * dimensions 1 are a dim_value 1 or, for the batch, a dim_param 2.
     */
    record ValueInfo(String name, int elementType, Optional<String> batch, List<Integer> dims) {
        ValueInfo {
            dims = List.copyOf(dims);
        }

        byte[] toByteArray() {
            byte[] shape = encode(out -> {
                if (batch.isPresent()) {
                    out.writeByteArray(1, encode(dim -> dim.writeString(2, batch.get())));
                }
                for (int d : dims) {
                    out.writeByteArray(1, encode(dim -> dim.writeInt64(1, d)));
                }
            });
            byte[] tensorType = encode(out -> {
                out.writeInt32(1, elementType);
                out.writeByteArray(2, shape);
            });
            byte[] type = encode(out -> out.writeByteArray(1, tensorType));
            return encode(out -> {
                out.writeString(1, name);
                out.writeByteArray(2, type);
            });
        }
    }

    private static long[] longs(List<Integer> dims) {
        return dims.stream().mapToLong(Integer::longValue).toArray();
    }

    /** The fields one message writes. */
    @FunctionalInterface
    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    /** A message's bytes: nested messages are written as length-delimited fields of these. */
    private static byte[] encode(Fields fields) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            fields.write(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }
}
