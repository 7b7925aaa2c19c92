package dev.nnc.compiler.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import dev.nnc.runtime.HalfFloats;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading initializers: every floating-point encoding, and malformed files named by byte offset. */
class OnnxWeightsTest {
    /** Writes the fields of one message. */
    @FunctionalInterface
    interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    static byte[] message(Fields fields) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        fields.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    /**
     * A model whose graph holds {@code tensors}, after a version, a producer name and an opset: the
     * graph last, so that no cut of the file short of its end holds the whole graph.
     */
    static byte[] model(byte[]... tensors) throws IOException {
        byte[] graph = message(out -> {
            out.writeString(2, "g");
            for (byte[] tensor : tensors) {
                out.writeByteArray(5, tensor);
            }
        });
        return message(out -> {
            out.writeInt64(1, 8);
            out.writeString(2, "pytorch");
            out.writeByteArray(8, message(opset -> opset.writeInt64(2, 17)));
            out.writeByteArray(7, graph);
        });
    }

    static byte[] raw(int width, double... values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (double value : values) {
            if (width == 8) {
                bytes.putDouble(value);
            } else {
                bytes.putFloat((float) value);
            }
        }
        return bytes.array();
    }

    private static Weights read(byte[] model) throws IOException {
        return OnnxWeights.readTensors(new ByteArrayInputStream(model));
    }

    @Test
    void readsEveryFloatingPointEncoding() throws IOException {
        byte[] floatTyped = message(out -> {
            out.writeInt64(1, 2);
            out.writeInt64(1, 2);
            out.writeInt32(2, OnnxProto.FLOAT);
            out.writeString(8, "float_typed");
            // packed float_data
            out.writeTag(4, 2);
            out.writeUInt32NoTag(16);
            for (float v : new float[] {1, -2, 0.5f, 3}) {
                out.writeFloatNoTag(v);
            }
        });
        byte[] doubleTyped = message(out -> {
            out.writeInt64(1, 2);
            out.writeInt32(2, OnnxProto.DOUBLE);
            out.writeString(8, "double_typed");
            // double_data, one element per tag (unpacked), as older writers do
            out.writeDouble(10, 0.1);
            out.writeDouble(10, -7.25);
        });
        byte[] doubleRaw = message(out -> {
            out.writeInt64(1, 3);
            out.writeInt32(2, OnnxProto.DOUBLE);
            out.writeString(8, "double_raw");
            out.writeByteArray(9, raw(8, 0.1, 0.2, 0.3));
        });
        byte[] halfTyped = message(out -> {
            out.writeInt64(1, 3);
            out.writeInt32(2, OnnxProto.FLOAT16);
            out.writeString(8, "half_typed");
            out.writeInt32(5, 0x3C00);
            out.writeInt32(5, 0xC000);
            out.writeInt32(5, 0x0001);
        });
        byte[] bfloatRaw = message(out -> {
            out.writeInt64(1, 2);
            out.writeInt32(2, OnnxProto.BFLOAT16);
            out.writeString(8, "bfloat_raw");
            out.writeByteArray(9, new byte[] {(byte) 0x80, 0x3F, (byte) 0xC0, (byte) 0xC0});
        });
        byte[] shape = Tensor64.of("shape_constant", 4, -1);
        Weights weights = read(model(floatTyped, doubleTyped, doubleRaw, halfTyped, bfloatRaw, shape));
        assertEquals(
                List.of("float_typed", "double_typed", "double_raw", "half_typed", "bfloat_raw"),
                weights.tensors().stream().map(Weights.Tensor::name).toList());
        assertEquals(List.of(2, 2), weights.tensors().get(0).shape());
        assertArrayEquals(new double[] {1, -2, 0.5, 3}, weights.tensors().get(0).values());
        assertArrayEquals(new double[] {0.1, -7.25}, weights.tensors().get(1).values());
        assertArrayEquals(new double[] {0.1, 0.2, 0.3}, weights.tensors().get(2).values());
        assertArrayEquals(
                new double[] {1, -2, 0x1p-24}, weights.tensors().get(3).values());
        assertArrayEquals(new double[] {1, -6}, weights.tensors().get(4).values());
    }

    /** An INT64 initializer, as exporters store the shapes of Reshape. */
    static final class Tensor64 {
        static byte[] of(String name, long... values) {
            return OnnxProto.Tensor.int64s(name, values).toByteArray();
        }
    }

    @Test
    void convertsHalfPrecisionExactly() {
        assertEquals(1f, (float) HalfFloats.halfToDouble((short) 0x3C00));
        assertEquals(-2f, (float) HalfFloats.halfToDouble((short) 0xC000));
        assertEquals(65504f, (float) HalfFloats.halfToDouble((short) 0x7BFF));
        assertEquals(0x1p-14f, (float) HalfFloats.halfToDouble((short) 0x0400));
        assertEquals(0x1p-24f, (float) HalfFloats.halfToDouble((short) 0x0001));
        assertEquals(-0f, (float) HalfFloats.halfToDouble((short) 0x8000));
        assertEquals(Float.POSITIVE_INFINITY, (float) HalfFloats.halfToDouble((short) 0x7C00));
        assertTrue(Float.isNaN((float) HalfFloats.halfToDouble((short) 0x7E00)));
        assertEquals(0.333251953125f, (float) HalfFloats.halfToDouble((short) 0x3555));
    }

    @Test
    void everyTruncationIsAnErrorNamingAByteOffset() throws IOException {
        byte[] tensor = OnnxProto.Tensor.reals(
                        "fc1.weight", List.of(2, 3), new double[] {1, 2, 3, 4, 5, 6}, OnnxProto.FLOAT)
                .toByteArray();
        byte[] model = model(tensor);
        for (int length = 1; length < model.length; length++) {
            byte[] cut = Arrays.copyOf(model, length);
            Weights.WeightsException e;
            try {
                Weights weights = read(cut);
                // A cut that falls between two fields of the model leaves a shorter, well-formed
                // model: it must then not claim to hold the whole tensor.
                assertTrue(
                        weights.tensors().isEmpty(),
                        () -> "a model cut to " + cut.length + " bytes still held " + weights.tensors());
                continue;
            } catch (Weights.WeightsException thrown) {
                e = thrown;
            }
            assertTrue(e.getMessage().contains("byte offset"), e.getMessage());
        }
    }

    @Test
    void aWrongWireTypeIsAnErrorNamingTheFieldAndOffset() throws IOException {
        byte[] model = message(out -> {
            out.writeInt64(1, 8);
            out.writeInt64(7, 3);
        });
        Weights.WeightsException e = assertThrows(Weights.WeightsException.class, () -> read(model));
        assertEquals(
                "truncated or malformed ONNX file at byte offset 3: ModelProto.graph has wire type 0, expected 2",
                e.getMessage());
        byte[] group = {0x0B};
        Weights.WeightsException g = assertThrows(Weights.WeightsException.class, () -> read(group));
        assertTrue(g.getMessage().contains("field 1 has wire type 3"), g.getMessage());
    }

    @Test
    void rawDataOfTheWrongLengthIsAnErrorNamingTheTensor() throws IOException {
        byte[] tensor = message(out -> {
            out.writeInt64(1, 3);
            out.writeInt32(2, OnnxProto.FLOAT);
            out.writeString(8, "fc1.bias");
            out.writeByteArray(9, raw(4, 1, 2));
        });
        Weights.WeightsException e = assertThrows(Weights.WeightsException.class, () -> read(model(tensor)));
        assertTrue(e.getMessage().startsWith("initializer 'fc1.bias' (at byte offset "), e.getMessage());
        assertTrue(e.getMessage().endsWith("has 8 bytes of data, but its shape needs 12"), e.getMessage());
    }

    @Test
    void externalDataIsAnErrorNamingTheTensor() throws IOException {
        byte[] tensor = message(out -> {
            out.writeInt64(1, 3);
            out.writeInt32(2, OnnxProto.FLOAT);
            out.writeString(8, "big.weight");
            out.writeEnum(14, 1);
        });
        Weights.WeightsException e = assertThrows(Weights.WeightsException.class, () -> read(model(tensor)));
        assertEquals(
                "initializer 'big.weight' keeps its data in an external file, which nnc does not read", e.getMessage());
    }

    @Test
    void matchingIgnoresExtraInitializersAndNamesMissingOrMisshapedOnes() throws IOException {
        Weights weights = new Weights(List.of(
                new Weights.Tensor("fc1.weight", List.of(2, 1), new double[] {1, 2}),
                new Weights.Tensor("onnx::Reshape_7", List.of(2), new double[] {1, -1})));
        List<Weights.Tensor> matched =
                OnnxWeights.matching(weights, List.of(new Weights.Slot("fc1.weight", List.of(2, 1))));
        assertEquals(1, matched.size());
        Weights.WeightsException missing = assertThrows(
                Weights.WeightsException.class,
                () -> OnnxWeights.matching(weights, List.of(new Weights.Slot("fc1.bias", List.of(2)))));
        assertEquals("the ONNX file has no floating-point initializer 'fc1.bias' (shape [2])", missing.getMessage());
        Weights.WeightsException misshaped = assertThrows(
                Weights.WeightsException.class,
                () -> OnnxWeights.matching(weights, List.of(new Weights.Slot("fc1.weight", List.of(1, 2)))));
        assertEquals(
                "initializer 'fc1.weight' has shape [2, 1], but the network's has shape [1, 2]",
                misshaped.getMessage());
    }
}
