package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SafeTensorsTest {

    /** A dense layer's tensors, in the order PyTorch's save_file writes them (by name). */
    private static final String HEADER = "{\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]}}";

    private static final float[] VALUES = {0.5f, -1.5f, 1, 2, 3, 4, 5, 6};

    private static TensorTestNetwork dense() {
        return new TensorTestNetwork(List.of("fc.weight", "fc.bias"), List.of(new int[] {2, 3}, new int[] {2}));
    }

    private static TensorTestNetwork batchNorm() {
        return new TensorTestNetwork(
                List.of("n.weight", "n.bias"),
                List.of(new int[] {2}, new int[] {2}),
                List.of("n.running_mean", "n.running_var"),
                List.of(new int[] {2}, new int[] {2}));
    }

    private static TensorTestNetwork gru() {
        return new TensorTestNetwork(
                List.of("h.weight_ih", "h.weight_hh", "h.bias_ih", "h.bias_hh"),
                List.of(new int[] {3, 1}, new int[] {3, 1}, new int[] {3}, new int[] {3}));
    }

    // ---- reading ----

    @Test
    void readsTensorsByNameWhateverTheirOrderInTheFile() throws IOException {
        TensorTestNetwork network = dense();
        SafeTensors.read(new ByteArrayInputStream(file(HEADER, f32(VALUES))), network);
        // nnc's order is weight, bias; the file's is bias, weight.
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6, 0.5, -1.5}, parameters(network));
    }

    @Test
    void readsBuffersAndAcceptsPyTorchsBatchCounter() throws IOException {
        String header = "{\"n.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"n.bias\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[8,24]},"
                + "\"n.running_mean\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[24,40]},"
                + "\"n.running_var\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[40,56]},"
                + "\"n.weight\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[56,72]}}";
        byte[] data = concat(i64(7), f64(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8));
        TensorTestNetwork network = batchNorm();
        SafeTensors.read(new ByteArrayInputStream(file(header, data)), network);
        assertArrayEquals(new double[] {0.7, 0.8, 0.1, 0.2}, parameters(network));
        assertArrayEquals(new double[] {0.3, 0.4, 0.5, 0.6}, buffers(network));
    }

    @Test
    void readsRecurrentParametersUnderPyTorchsLayerNames() throws IOException {
        String header = "{\"h.bias_hh_l0\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                + "\"h.bias_ih_l0\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[12,24]},"
                + "\"h.weight_hh_l0\":{\"dtype\":\"F32\",\"shape\":[3,1],\"data_offsets\":[24,36]},"
                + "\"h.weight_ih\":{\"dtype\":\"F32\",\"shape\":[3,1],\"data_offsets\":[36,48]}}";
        TensorTestNetwork network = gru();
        SafeTensors.read(new ByteArrayInputStream(file(header, f32(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))), network);
        assertArrayEquals(new double[] {10, 11, 12, 7, 8, 9, 4, 5, 6, 1, 2, 3}, parameters(network));
    }

    @Test
    void readsHalfAndBfloat16Exactly() throws IOException {
        String header = "{\"fc.bias\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"fc.weight\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[4,16]}}";
        byte[] data = u16(0x3F80, 0xC0A0, 0x0001, 0x03FF, 0x3555, 0x7BFF, 0xFC00, 0x8000);
        TensorTestNetwork network = dense();
        SafeTensors.read(new ByteArrayInputStream(file(header, data)), network);
        assertArrayEquals(
                new double[] {0x1p-24, 0x3FFp-24, 0.333251953125, 65504, Double.NEGATIVE_INFINITY, -0.0, 1, -5},
                parameters(network));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(parameters(network)[5]));
    }

    @Test
    void readTensorsReturnsEveryTensorInFileOrder() throws IOException {
        String header = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"caf\\u00e9 \\ud83d\\ude00\"},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                + "\"a\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[12,12]}}";
        List<SafeTensors.Tensor> tensors =
                SafeTensors.readTensors(new ByteArrayInputStream(file(header, concat(i64(-3), u16(0x3C00, 0x4000)))));
        assertEquals(
                List.of("a", "b", "e"),
                tensors.stream().map(SafeTensors.Tensor::name).toList());
        assertEquals(
                List.of("I64", "F16", "F32"),
                tensors.stream().map(SafeTensors.Tensor::dtype).toList());
        assertArrayEquals(new int[] {}, tensors.get(0).shape());
        assertArrayEquals(new double[] {-3}, tensors.get(0).values());
        assertArrayEquals(new double[] {1, 2}, tensors.get(1).values());
        assertArrayEquals(new int[] {0, 3}, tensors.get(2).shape());
        assertEquals(0, tensors.get(2).values().length);
    }

    @Test
    void acceptsWhitespaceAndEscapesThatJsonAllows() throws IOException {
        String header =
                " {\n\t\"fc.bias\" : { \"shape\" : [ 2 ] , \"data_offsets\" : [ 0 , 8 ] , \"dtype\" : \"F32\" } ,\r\n"
                        + "\"fc\\u002eweight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]} }   ";
        TensorTestNetwork network = dense();
        SafeTensors.read(new ByteArrayInputStream(file(header, f32(VALUES))), network);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6, 0.5, -1.5}, parameters(network));
    }

    // ---- half and bfloat16 ----

    @Test
    void convertsHalfEdgeValues() {
        assertBits(0.0, HalfFloats.halfToDouble((short) 0x0000));
        assertBits(-0.0, HalfFloats.halfToDouble((short) 0x8000));
        assertBits(0x1p-24, HalfFloats.halfToDouble((short) 0x0001)); // smallest subnormal
        assertBits(-0x1p-24, HalfFloats.halfToDouble((short) 0x8001));
        assertBits(0x3FFp-24, HalfFloats.halfToDouble((short) 0x03FF)); // largest subnormal
        assertBits(0x1p-14, HalfFloats.halfToDouble((short) 0x0400)); // smallest normal
        assertBits(1.0, HalfFloats.halfToDouble((short) 0x3C00));
        assertBits(1 + 0x1p-10, HalfFloats.halfToDouble((short) 0x3C01));
        assertBits(-2.0, HalfFloats.halfToDouble((short) 0xC000));
        assertBits(65504.0, HalfFloats.halfToDouble((short) 0x7BFF)); // largest finite
        assertBits(Double.POSITIVE_INFINITY, HalfFloats.halfToDouble((short) 0x7C00));
        assertBits(Double.NEGATIVE_INFINITY, HalfFloats.halfToDouble((short) 0xFC00));
        assertTrue(Double.isNaN(HalfFloats.halfToDouble((short) 0x7E00)));
        assertTrue(Double.isNaN(HalfFloats.halfToDouble((short) 0x7C01)));
        assertTrue(Double.isNaN(HalfFloats.halfToDouble((short) 0xFFFF)));
    }

    @Test
    void convertsEveryHalfLikeItsBitFields() {
        double previous = Double.NEGATIVE_INFINITY;
        for (int bits = 0; bits < 0x7C00; bits++) {
            double value = HalfFloats.halfToDouble((short) bits);
            int exponent = bits >>> 10;
            int mantissa = bits & 0x3FF;
            // Independently of the conversion: a subnormal is mantissa / 2^24; a normal number
            // is the float whose fields are the half's, the exponent rebiased from 15 to 127.
            double expected = exponent == 0
                    ? mantissa / 16777216.0
                    : Float.intBitsToFloat(((exponent - 15 + 127) << 23) | (mantissa << 13));
            assertBits(expected, value);
            assertBits(-expected, HalfFloats.halfToDouble((short) (bits | 0x8000)));
            assertTrue(value > previous || bits == 0, "increasing at " + bits);
            previous = value;
        }
    }

    @Test
    void convertsBfloat16EdgeValues() {
        assertBits(0.0, HalfFloats.bfloat16ToDouble((short) 0x0000));
        assertBits(-0.0, HalfFloats.bfloat16ToDouble((short) 0x8000));
        assertBits(1.0, HalfFloats.bfloat16ToDouble((short) 0x3F80));
        assertBits(-2.0, HalfFloats.bfloat16ToDouble((short) 0xC000));
        assertBits(0x1p-133, HalfFloats.bfloat16ToDouble((short) 0x0001)); // smallest subnormal
        assertBits(0x1p-126, HalfFloats.bfloat16ToDouble((short) 0x0080)); // smallest normal
        assertBits(0x1.FEp127, HalfFloats.bfloat16ToDouble((short) 0x7F7F)); // largest finite
        assertBits(Double.POSITIVE_INFINITY, HalfFloats.bfloat16ToDouble((short) 0x7F80));
        assertBits(Double.NEGATIVE_INFINITY, HalfFloats.bfloat16ToDouble((short) 0xFF80));
        assertTrue(Double.isNaN(HalfFloats.bfloat16ToDouble((short) 0x7FC0)));
        assertTrue(Double.isNaN(HalfFloats.bfloat16ToDouble((short) 0xFF81)));
    }

    // ---- writing ----

    @Test
    void writesTheReferenceImplementationsBytes() throws IOException {
        // The serialisation test of huggingface/safetensors: "attn.0", F32 [1, 2, 3], 0 to 5.
        TensorTestNetwork network = new TensorTestNetwork(List.of("attn.0"), List.of(new int[] {1, 2, 3}));
        network.setParameters(new double[] {0, 1, 2, 3, 4, 5});
        int[] expected = {
            64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34,
            58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97,
            116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0,
            128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64
        };
        assertArrayEquals(bytes(expected), write(network));
        TensorTestNetwork empty = new TensorTestNetwork(List.of(), List.of());
        assertArrayEquals(bytes(8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '), write(empty));
    }

    @Test
    void writesPyTorchsNamesAndOrderPaddedToEightBytes() throws IOException {
        TensorTestNetwork network = batchNorm();
        network.setParameters(new double[] {1, 2, 3, 4});
        network.setBuffers(new double[] {5, 6, 7, 8});
        byte[] bytes = write(network);
        String header = header(bytes);
        assertEquals(0, header.length() % 8);
        assertEquals(
                "{\"n.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                        + "\"n.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                        + "\"n.running_mean\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                        + "\"n.running_var\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]},"
                        + "\"n.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[32,40]}}",
                header.strip());
        assertEquals(
                List.of("h.bias_hh_l0", "h.bias_ih_l0", "h.weight_hh_l0", "h.weight_ih_l0"),
                SafeTensors.readTensors(new ByteArrayInputStream(write(gru()))).stream()
                        .map(SafeTensors.Tensor::name)
                        .toList());
    }

    @Test
    void roundTripsDoublesBitForBitInF64() throws IOException {
        TensorTestNetwork network = batchNorm();
        double[] parameters = {0.1, -0.0, Double.MIN_VALUE, Double.MAX_VALUE};
        double[] buffers = {Double.NaN, 1e-300, Double.NEGATIVE_INFINITY, Math.PI};
        network.setParameters(parameters);
        network.setBuffers(buffers);
        byte[] bytes = write(network);
        assertTrue(header(bytes).contains("\"F64\""), "doubles that are not floats are written in F64");
        TensorTestNetwork read = batchNorm();
        SafeTensors.read(new ByteArrayInputStream(bytes), read);
        assertBits(parameters, parameters(read));
        assertBits(buffers, buffers(read));
    }

    @Test
    void writesFloatsInF32AndRoundTripsThem() throws IOException {
        TensorTestNetwork network = dense();
        double[] floats = {0.1f, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, 1e-40f, Float.POSITIVE_INFINITY, 3, -7.25};
        network.setParameters(floats);
        byte[] bytes = write(network);
        assertFalse(header(bytes).contains("F64"));
        TensorTestNetwork read = dense();
        SafeTensors.read(new ByteArrayInputStream(bytes), read);
        assertBits(floats, parameters(read));
    }

    @Test
    void writesTheDtypeAskedFor() throws IOException {
        TensorTestNetwork network = dense();
        network.setParameters(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(network, out, SafeTensors.F32);
        TensorTestNetwork read = dense();
        SafeTensors.read(new ByteArrayInputStream(out.toByteArray()), read);
        assertEquals((double) 0.1f, parameters(read)[0]);
        out.reset();
        SafeTensors.write(dense(), out, SafeTensors.F64);
        assertTrue(header(out.toByteArray()).contains("F64"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(network, out, "F16"));
        assertEquals("nnc writes safetensors files in F32 or F64, not F16", e.getMessage());
    }

    @Test
    void leavesTheStreamsOpen() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public void close() {
                throw new AssertionError("closed");
            }
        };
        SafeTensors.write(dense(), out);
        InputStream in = new FilterInputStream(new ByteArrayInputStream(out.toByteArray())) {
            @Override
            public void close() {
                throw new AssertionError("closed");
            }
        };
        SafeTensors.read(in, dense());
    }

    // ---- errors, each of which leaves the network unchanged ----

    @Test
    void rejectsMalformedJsonNamingTheByteOffset() {
        String[][] cases = {
            {
                HEADER.replace("\"dtype\":\"F32\",\"shape\":[2]", "\"dtype\":\"F32\" \"shape\":[2]"),
                "\"shape\":[2]",
                "expected '}' but found '\"'"
            },
            {HEADER.replace("[0,8]", "[0,08]"), "08]", "a number has a leading zero"},
            {HEADER.replace("[0,8]", "[0,-8]"), "-8]", "expected a whole number but found '-'"},
            {HEADER.replace("[0,8]", "[0,8.0]"), "8.0]", "expected a whole number but found a fraction or exponent"},
            {
                HEADER.replace("[0,8]", "[0,99999999999999999999]"),
                "99999",
                "the number 99999999999999999999 is too large"
            },
            {HEADER.replace("[0,8]", "[0]"), "[0]", "expected 2 numbers but found 1"},
            {
                HEADER.replace("\"shape\":[2],", "\"shape\":[2],\"shape\":[2],"),
                "\"shape\":[2],\"data",
                "duplicate key \"shape\" in tensor 'fc.bias'"
            },
            {HEADER.replace("\"shape\":[2],", "\"strides\":[1],"), "\"strides\"", "unexpected key \"strides\""},
            {HEADER.replace("\"shape\":[2],", ""), "{\"dtype", "tensor 'fc.bias' has no \"shape\""},
            {HEADER + "x", "x", "unexpected 'x' after the header's closing '}'"},
            {HEADER.substring(0, HEADER.length() - 1), null, "expected '}' but found the end of the header"},
            {HEADER.replace("\"fc.bias\"", "\"fc.bi\tas\""), "\tas", "control character byte 0x09 in a string"},
            {HEADER.replace("\"fc.bias\"", "\"fc\\qbias\""), "\\q", "invalid escape \\q in a string"},
            {HEADER.replace("\"fc.bias\"", "\"fc\\ud800bias\""), "\\ud800", "lone surrogate \\ud800 in a string"},
            {"[" + HEADER + "]", "[", "expected '{' but found '['"},
            {"{\"__metadata__\":{\"format\":1}}", "1}}", "expected a string value in \"__metadata__\""},
            {HEADER.replace("\"fc.bias\"", "\"fc.weight\""), ",\"fc.weight", "duplicate key \"fc.weight\""},
        };
        for (String[] c : cases) {
            String header = c[0];
            int at = c[1] == null ? header.length() : header.indexOf(c[1]);
            if (c[1] != null && c[1].startsWith(",")) {
                at++;
            }
            assertTrue(at >= 0, c[1]);
            assertRejected(file(header, f32(VALUES)), "malformed safetensors header at byte " + (8 + at) + ": " + c[2]);
        }
    }

    @Test
    void rejectsAHeaderThatIsNotUtf8() {
        byte[] header = HEADER.getBytes(StandardCharsets.UTF_8);
        int at = HEADER.indexOf("\"fc.bias\"");
        header[at + 3] = (byte) 0xC3; // a lead byte followed by 'b', not a continuation byte
        assertRejected(
                file(header, f32(VALUES)),
                "malformed safetensors header at byte " + (8 + at) + ": a string is not valid UTF-8");
    }

    @Test
    void rejectsAHugeHeaderLengthWithoutReadingIt() {
        byte[] huge = ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(1L << 40)
                .array();
        assertRejected(
                huge, "the header length at byte 0 is 1099511627776 bytes, more than the format's limit of 100000000");
        byte[] negative = bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
        assertRejected(negative, "the header length at byte 0 is 18446744073709551615 bytes");
        // Within the limit but longer than the stream: the header is cut short.
        byte[] longer = ByteBuffer.allocate(12)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(99_999_999)
                .array();
        assertRejected(longer, "truncated safetensors file: it ends at byte 12, inside the header of 99999999 bytes");
    }

    @Test
    void rejectsTruncatedFilesNamingTheOffset() {
        byte[] whole = file(HEADER, f32(VALUES));
        int dataStart = whole.length - 32;
        assertRejected(
                Arrays.copyOf(whole, 5),
                "truncated safetensors file: it ends at byte 5, inside the 8-byte header length");
        assertRejected(
                Arrays.copyOf(whole, 40),
                "truncated safetensors file: it ends at byte 40, inside the header of " + (dataStart - 8) + " bytes");
        assertRejected(
                Arrays.copyOf(whole, whole.length - 1),
                "truncated safetensors file: it ends at byte " + (whole.length - 1)
                        + ", inside the data of tensor 'fc.weight' (bytes " + (dataStart + 8) + " to " + whole.length
                        + ")");
        assertRejected(
                Arrays.copyOf(whole, dataStart + 3),
                "inside the data of tensor 'fc.bias' (bytes " + dataStart + " to " + (dataStart + 8) + ")");
        assertRejected(concat(whole, new byte[] {0}), "bytes follow the last tensor's data at byte " + whole.length);
    }

    @Test
    void rejectsDataOffsetsThatDoNotTileTheData() {
        int weight = 8 + HEADER.indexOf("\"fc.weight\"");
        int bias = 8 + HEADER.indexOf("\"fc.bias\"");
        assertRejected(
                file(HEADER.replace("[8,32]", "[4,28]"), f32(VALUES)),
                "at byte " + weight
                        + ": the data of tensor 'fc.weight' (bytes 4 to 28 of the data) overlaps that of 'fc.bias' (0 to 8)");
        assertRejected(
                file(HEADER.replace("[8,32]", "[12,36]"), f32(VALUES)),
                "at byte " + weight
                        + ": the data of tensor 'fc.weight' begins at byte 12 of the data, but that of 'fc.bias' ends at 8");
        assertRejected(
                file(HEADER.replace("[0,8]", "[4,12]").replace("[8,32]", "[12,36]"), f32(VALUES)),
                "at byte " + bias
                        + ": the data of tensor 'fc.bias' begins at byte 4 of the data, but the data begins at 0");
        assertRejected(
                file(HEADER.replace("[8,32]", "[8,36]"), f32(VALUES)),
                "at byte " + weight
                        + ": tensor 'fc.weight' of dtype F32 and shape [2, 3] needs 24 bytes, but its data_offsets [8, 36] hold 28");
        assertRejected(
                file(HEADER.replace("[8,32]", "[32,8]"), f32(VALUES)),
                "tensor 'fc.weight' has data_offsets [32, 8], which end before they begin");
        assertRejected(
                file(HEADER.replace("\"shape\":[2,3]", "\"shape\":[4294967296,4294967296]"), f32(VALUES)),
                "tensor 'fc.weight' has dimension 4294967296, more than nnc can hold");
        assertRejected(
                file(HEADER.replace("\"shape\":[2,3]", "\"shape\":[2147483647,2147483647,2147483647]"), f32(VALUES)),
                "tensor 'fc.weight' has a shape too large to hold");
        // Offsets past the end of the file: the file is shorter than its header says. (Read into
        // a network, the shape [2, 4] would fail first, before any data is read.)
        byte[] longer = file(
                HEADER.replace("\"shape\":[2,3],\"data_offsets\":[8,32]", "\"shape\":[2,4],\"data_offsets\":[8,40]"),
                f32(VALUES));
        ParameterFileException e = assertThrows(
                ParameterFileException.class, () -> SafeTensors.readTensors(new ByteArrayInputStream(longer)));
        assertTrue(
                e.getMessage()
                        .contains("truncated safetensors file: it ends at byte " + longer.length
                                + ", inside the data of tensor 'fc.weight'"),
                e.getMessage());
    }

    @Test
    void rejectsDtypesItDoesNotRead() {
        int at = 8 + HEADER.indexOf("\"F32\"");
        assertRejected(
                file(HEADER.replaceFirst("F32", "I32"), f32(VALUES)),
                "at byte " + at
                        + ": tensor 'fc.bias' has dtype I32, which nnc does not read; nnc reads F32, F64, F16 and BF16");
        assertRejected(
                file(HEADER.replaceFirst("F32", "F99"), f32(VALUES)),
                "tensor 'fc.bias' has dtype F99, which safetensors does not define");
        assertRejected(
                file(
                        HEADER.replaceFirst(
                                        "\"F32\",\"shape\":\\[2\\],\"data_offsets\":\\[0,8\\]",
                                        "\"I64\",\"shape\":[2],\"data_offsets\":[0,16]")
                                .replace("[8,32]", "[16,40]"),
                        concat(i64(1), i64(2), f32(1, 2, 3, 4, 5, 6))),
                "tensor 'fc.bias' has dtype I64; parameter 'fc.bias' of network 'Tensors' is read from F32, F64, F16 or BF16");
    }

    @Test
    void rejectsMissingExtraAndMisshapedTensorsNamingThem() {
        String onlyWeight = "{\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}";
        assertRejected(
                file(onlyWeight, f32(1, 2, 3, 4, 5, 6)),
                "the safetensors file lacks parameter 'fc.bias' of network 'Tensors'");
        String extra = HEADER.substring(0, HEADER.length() - 1)
                + ",\"fc.scale\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[32,36]}}";
        assertRejected(
                file(extra, f32(0.5f, -1.5f, 1, 2, 3, 4, 5, 6, 9)),
                "the safetensors file has a tensor 'fc.scale' that network 'Tensors' does not have");
        String transposed = HEADER.replace("[2,3]", "[3,2]");
        assertRejected(
                file(transposed, f32(VALUES)),
                "tensor 'fc.weight' has shape [3, 2], but parameter 'fc.weight' of network 'Tensors' has shape [2, 3]");
        String flat = HEADER.replace("[2,3]", "[6]");
        assertRejected(file(flat, f32(VALUES)), "tensor 'fc.weight' has shape [6]");

        String counterOnly = "{\"fc.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + HEADER.substring(1).replace("[0,8]", "[8,16]").replace("[8,32]", "[16,40]");
        assertRejected(
                file(counterOnly, concat(i64(1), f32(VALUES))),
                "the safetensors file has a tensor 'fc.num_batches_tracked' that network 'Tensors' does not have");

        String gruHeader = "{\"h.bias_hh\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                + "\"h.bias_hh_l0\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[12,24]}}";
        assertRejected(
                new TensorTestNetwork(List.of("h.bias_hh"), List.of(new int[] {3})),
                file(gruHeader, f32(1, 2, 3, 4, 5, 6)),
                "the safetensors file has both 'h.bias_hh' and 'h.bias_hh_l0' for parameter 'h.bias_hh' of network 'Tensors'");
        assertRejected(
                gru(),
                file("{}", new byte[0]),
                "the safetensors file lacks parameter 'h.weight_ih' (or 'h.weight_ih_l0') of network 'Tensors'");
    }

    @Test
    void rejectsAMissingBufferAndABadBatchCounter() {
        String parametersOnly = "{\"n.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"n.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
        assertRejected(
                batchNorm(),
                file(parametersOnly, f32(1, 2, 3, 4)),
                "the safetensors file lacks buffer 'n.running_mean' of network 'Tensors'");
        String badCounter = "{\"n.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"n.num_batches_tracked\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"n.running_mean\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]},"
                + "\"n.running_var\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[20,28]},"
                + "\"n.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[28,36]}}";
        assertRejected(
                batchNorm(),
                file(badCounter, f32(1, 2, 3, 4, 5, 6, 7, 8, 9)),
                "tensor 'n.num_batches_tracked' has dtype F32 and shape [1], but PyTorch's batch counter is an I64 scalar");
    }

    // ---- helpers ----

    /** Reading {@code bytes} into the dense network fails with {@code message} and leaves it unchanged. */
    private static void assertRejected(byte[] bytes, String message) {
        assertRejected(dense(), bytes, message);
    }

    private static void assertRejected(TensorTestNetwork network, byte[] bytes, String message) {
        double[] parameters = new double[network.parameterCount()];
        Arrays.setAll(parameters, i -> 100 + i);
        network.setParameters(parameters);
        double[] buffers = buffers(network);
        Arrays.setAll(buffers, i -> 200 + i);
        network.setBuffers(buffers);
        ParameterFileException e = assertThrows(
                ParameterFileException.class, () -> SafeTensors.read(new ByteArrayInputStream(bytes), network));
        assertTrue(
                e.getMessage().contains(message), () -> "expected \"" + message + "\" in \"" + e.getMessage() + "\"");
        assertArrayEquals(parameters, parameters(network), "parameters unchanged");
        assertArrayEquals(buffers, buffers(network), "buffers unchanged");
    }

    private static double[] parameters(Network network) {
        double[] values = new double[network.parameterCount()];
        network.getParameters(values);
        return values;
    }

    private static double[] buffers(Network network) {
        double[] values = new double[(int) ParameterFile.checkLayout(network.bufferNames(), network.bufferShapes())];
        network.getBuffers(values);
        return values;
    }

    private static byte[] write(Network network) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(network, out);
        return out.toByteArray();
    }

    /** The header of a file, padding included. */
    private static String header(byte[] file) {
        int length = (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(file, 8, length, StandardCharsets.UTF_8);
    }

    private static byte[] file(String header, byte[] data) {
        return file(header.getBytes(StandardCharsets.UTF_8), data);
    }

    private static byte[] file(byte[] header, byte[] data) {
        ByteBuffer file = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return file.putLong(header.length).put(header).put(data).array();
    }

    private static byte[] f32(float... values) {
        ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            data.putFloat(value);
        }
        return data.array();
    }

    private static byte[] f64(double... values) {
        ByteBuffer data = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double value : values) {
            data.putDouble(value);
        }
        return data.array();
    }

    private static byte[] i64(long value) {
        return ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(value)
                .array();
    }

    private static byte[] u16(int... values) {
        ByteBuffer data = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int value : values) {
            data.putShort((short) value);
        }
        return data.array();
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static void assertBits(double expected, double actual) {
        assertEquals(
                Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual), expected + " vs " + actual);
    }

    private static void assertBits(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertBits(expected[i], actual[i]);
        }
    }
}
