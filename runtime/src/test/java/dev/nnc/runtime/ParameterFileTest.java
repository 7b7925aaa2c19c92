package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParameterFileTest {

    private static final List<String> NAMES = List.of("hidden.weight", "hidden.bias", "scale");
    private static final List<int[]> SHAPES = List.of(new int[] {2, 3}, new int[] {2}, new int[] {});
    private static final double[] VALUES = {0.5, -1.25, 3e-300, Double.MAX_VALUE, -0.0, 7, 0.1, -0.2, 42};

    @Test
    void roundTripsValuesBitForBit() throws IOException {
        double[] read = read(write(), "Xor", NAMES, SHAPES);
        assertEquals(VALUES.length, read.length);
        for (int i = 0; i < VALUES.length; i++) {
            assertEquals(Double.doubleToRawLongBits(VALUES[i]), Double.doubleToRawLongBits(read[i]), "value " + i);
        }
    }

    @Test
    void startsWithMagicAndVersion() throws IOException {
        ByteBuffer header = ByteBuffer.wrap(write());
        byte[] magic = new byte[4];
        header.get(magic);
        assertEquals("NNCP", new String(magic, StandardCharsets.US_ASCII));
        assertEquals(ParameterFile.VERSION, header.getInt());
    }

    @Test
    void leavesTheStreamOpenAndReadsFromTheCurrentPosition() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {1, 2, 3});
        ParameterFile.write(out, "Xor", NAMES, SHAPES, VALUES);
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        assertEquals(3, in.skip(3));
        assertArrayEquals(VALUES, ParameterFile.read(in, "Xor", NAMES, SHAPES));
    }

    @Test
    void rejectsAFileWithoutTheMagicBytes() {
        byte[] text = "hidden.weight,0.5\n".getBytes(StandardCharsets.UTF_8);
        assertFailure(text, "Xor", NAMES, SHAPES, "not an nnc parameter file");
        assertFailure(new byte[0], "Xor", NAMES, SHAPES, "not an nnc parameter file");
    }

    @Test
    void rejectsAnUnsupportedVersion() throws IOException {
        byte[] bytes = write();
        ByteBuffer.wrap(bytes).putInt(4, 2);
        assertFailure(bytes, "Xor", NAMES, SHAPES, "unsupported nnc parameter file version 2");
    }

    @Test
    void rejectsAnotherNetworksFileNamingBothNetworks() throws IOException {
        assertFailure(write(), "Mnist", NAMES, SHAPES, "parameter file belongs to network 'Xor', not to 'Mnist'");
    }

    @Test
    void rejectsADifferentTensorNameNamingTheFirstDifference() throws IOException {
        List<String> names = List.of("hidden.weight", "hidden.b", "scale");
        assertFailure(
                write(), "Xor", names, SHAPES, "parameter 2 of 'Xor' is 'hidden.b', but the file has 'hidden.bias'");
    }

    @Test
    void rejectsADifferentShape() throws IOException {
        List<int[]> shapes = List.of(new int[] {3, 2}, new int[] {2}, new int[] {});
        assertFailure(
                write(),
                "Xor",
                NAMES,
                shapes,
                "parameter 'hidden.weight' has shape [3, 2], but the file has shape [2, 3]");
    }

    @Test
    void rejectsMissingAndExtraTensors() throws IOException {
        assertFailure(
                write(),
                "Xor",
                List.of("hidden.weight", "hidden.bias"),
                SHAPES.subList(0, 2),
                "the file has an extra parameter 'scale' that 'Xor' does not have");
        List<String> more = List.of("hidden.weight", "hidden.bias", "scale", "out.weight");
        List<int[]> moreShapes = List.of(new int[] {2, 3}, new int[] {2}, new int[] {}, new int[] {1, 2});
        assertFailure(write(), "Xor", more, moreShapes, "the file lacks parameter 'out.weight' of 'Xor'");
    }

    @Test
    void rejectsATruncatedFileAtEveryLength() throws IOException {
        byte[] bytes = write();
        for (int length = 4; length < bytes.length; length++) {
            assertFailure(Arrays.copyOf(bytes, length), "Xor", NAMES, SHAPES, "truncated nnc parameter file");
        }
    }

    @Test
    void rejectsAFlippedBitInTheValuesAsCorrupted() throws IOException {
        byte[] bytes = write();
        bytes[bytes.length - 10] ^= 0x01;
        assertFailure(bytes, "Xor", NAMES, SHAPES, "corrupted nnc parameter file");
    }

    @Test
    void rejectsAFlippedBitInTheChecksumAsCorrupted() throws IOException {
        byte[] bytes = write();
        bytes[bytes.length - 1] ^= 0x40;
        assertFailure(bytes, "Xor", NAMES, SHAPES, "corrupted nnc parameter file");
    }

    @Test
    void rejectsTrailingGarbageAsCorrupted() throws IOException {
        byte[] bytes = Arrays.copyOf(write(), write().length + 8);
        assertFailure(bytes, "Xor", NAMES, SHAPES, "corrupted nnc parameter file");
    }

    @Test
    void writeRejectsValuesThatDoNotMatchTheShapes() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ParameterFile.write(new ByteArrayOutputStream(), "Xor", NAMES, SHAPES, new double[8]));
        assertEquals("the shapes hold 9 values, but flatValues has 8", e.getMessage());
    }

    private static byte[] write() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ParameterFile.write(out, "Xor", NAMES, SHAPES, VALUES);
        return out.toByteArray();
    }

    private static double[] read(byte[] bytes, String network, List<String> names, List<int[]> shapes)
            throws IOException {
        return ParameterFile.read(new ByteArrayInputStream(bytes), network, names, shapes);
    }

    private static void assertFailure(
            byte[] bytes, String network, List<String> names, List<int[]> shapes, String expectedMessageStart) {
        ParameterFileException e =
                assertThrows(ParameterFileException.class, () -> read(bytes, network, names, shapes));
        assertTrue(
                e.getMessage().startsWith(expectedMessageStart),
                "expected a message starting with \"" + expectedMessageStart + "\" but was \"" + e.getMessage() + "\"");
    }
}
