package dev.nnc.runtime;

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

class CheckpointFileTest {

    private static final List<String> NAMES = List.of("hidden.weight", "hidden.bias");
    private static final List<int[]> SHAPES = List.of(new int[] {2, 2}, new int[] {2});
    private static final List<String> KINDS = List.of("exp_avg", "exp_avg_sq");
    private static final CheckpointFile.Layout LAYOUT = layout("Xor", "adam", KINDS, true);
    /** Parameters, then exp_avg of both, then exp_avg_sq of both. */
    private static final double[] VALUES = values(18);

    private static CheckpointFile.Layout layout(String network, String optimizer, List<String> kinds, boolean random) {
        return CheckpointFile.Layout.of(network, optimizer, NAMES, SHAPES, List.of(), List.of(), kinds, random);
    }

    private static double[] values(int n) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = Math.scalb(1.0 + i / 7.0, i - 9) * (i % 2 == 0 ? 1 : -1);
        }
        values[3] = -0.0;
        return values;
    }

    private static SeededRandom advanced() {
        SeededRandom random = new SeededRandom(99);
        random.nextGaussian(); // leaves a spare Gaussian, which the checkpoint must carry too
        return random;
    }

    private static byte[] write() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CheckpointFile.write(out, LAYOUT, VALUES, 41, advanced());
        return out.toByteArray();
    }

    @Test
    void layoutListsTheSavedTensorsThenTheStateOfEveryParameterPerKind() {
        assertEquals(18, LAYOUT.valueCount());
        CheckpointFile.Layout withBuffers = CheckpointFile.Layout.of(
                "Net", "sgd", NAMES, SHAPES, List.of("norm.running_mean"), List.of(new int[] {3}), List.of(), false);
        assertEquals(9, withBuffers.valueCount());
    }

    @Test
    void roundTripsValuesStepAndGeneratorBitForBit() throws IOException {
        CheckpointFile.Contents contents = CheckpointFile.read(new ByteArrayInputStream(write()), LAYOUT);
        double[] read = contents.values();
        for (int i = 0; i < VALUES.length; i++) {
            assertEquals(Double.doubleToRawLongBits(VALUES[i]), Double.doubleToRawLongBits(read[i]), "value " + i);
        }
        assertEquals(41, contents.step());
        SeededRandom restored = new SeededRandom(1);
        contents.restoreRandom(restored);
        SeededRandom expected = advanced();
        assertEquals(expected.nextGaussian(), restored.nextGaussian(), "the spare Gaussian");
        for (int i = 0; i < 10; i++) {
            assertEquals(expected.nextLong(), restored.nextLong());
        }
    }

    @Test
    void startsWithMagicVersionAndLengthAndReadsExactlyItsBytes() throws IOException {
        byte[] bytes = write();
        ByteBuffer header = ByteBuffer.wrap(bytes);
        byte[] magic = new byte[4];
        header.get(magic);
        assertEquals("NNCK", new String(magic, StandardCharsets.US_ASCII));
        assertEquals(CheckpointFile.VERSION, header.getInt());
        assertEquals(bytes.length - 16, header.getInt());
        byte[] followed = Arrays.copyOf(bytes, bytes.length + 3);
        ByteArrayInputStream in = new ByteArrayInputStream(followed);
        CheckpointFile.read(in, LAYOUT);
        assertEquals(3, in.available(), "bytes after the checkpoint are left in the stream");
    }

    @Test
    void rejectsEveryFlippedByte() throws IOException {
        byte[] bytes = write();
        for (int i = 0; i < bytes.length; i++) {
            byte[] damaged = bytes.clone();
            damaged[i] ^= 0x10;
            ParameterFileException e = assertThrows(
                    ParameterFileException.class,
                    () -> CheckpointFile.read(new ByteArrayInputStream(damaged), LAYOUT),
                    "byte " + i);
            assertTrue(
                    e.getMessage().startsWith("corrupted nnc checkpoint")
                            || e.getMessage().startsWith("not an nnc checkpoint")
                            || e.getMessage().startsWith("unsupported nnc checkpoint version")
                            || e.getMessage().startsWith("truncated nnc checkpoint"),
                    "byte " + i + ": " + e.getMessage());
        }
    }

    @Test
    void rejectsEveryTruncation() throws IOException {
        byte[] bytes = write();
        for (int length = 4; length < bytes.length; length++) {
            assertFailure(Arrays.copyOf(bytes, length), LAYOUT, "truncated nnc checkpoint");
        }
        assertFailure(new byte[0], LAYOUT, "not an nnc checkpoint");
    }

    @Test
    void rejectsAnUnsupportedVersion() throws IOException {
        byte[] bytes = write();
        ByteBuffer.wrap(bytes).putInt(4, 2);
        assertFailure(bytes, LAYOUT, "unsupported nnc checkpoint version 2; this runtime reads version 1");
    }

    @Test
    void rejectsAParameterFileAndSaysSo() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ParameterFile.write(out, "Xor", NAMES, SHAPES, Arrays.copyOf(VALUES, 6));
        assertFailure(
                out.toByteArray(), LAYOUT, "not an nnc checkpoint: it does not start with \"NNCK\" but with \"NNCP\"");
        ParameterFileException e = assertThrows(
                ParameterFileException.class,
                () -> ParameterFile.read(new ByteArrayInputStream(write()), "Xor", NAMES, SHAPES));
        assertTrue(e.getMessage().contains("an nnc checkpoint (read it with loadCheckpoint)"), e.getMessage());
    }

    @Test
    void rejectsAnotherNetworksCheckpoint() throws IOException {
        assertFailure(
                write(), layout("Mnist", "adam", KINDS, true), "checkpoint belongs to network 'Xor', not to 'Mnist'");
    }

    @Test
    void rejectsAnotherOptimizersCheckpoint() throws IOException {
        assertFailure(
                write(),
                layout("Xor", "sgd", List.of("momentum_buffer"), true),
                "checkpoint was written by a 'Xor' trained with adam, but this one trains with sgd");
    }

    @Test
    void rejectsAnotherTensorListOrAMissingGenerator() throws IOException {
        CheckpointFile.Layout wider = CheckpointFile.Layout.of(
                "Xor", "adam", NAMES, List.of(new int[] {2, 3}, new int[] {2}), List.of(), List.of(), KINDS, true);
        assertFailure(write(), wider, "tensor 'hidden.weight' has shape [2, 3], but the file has shape [2, 2]");
        assertFailure(
                write(),
                layout("Xor", "adam", KINDS, false),
                "checkpoint holds a dropout generator, but 'Xor' has no dropout");
    }

    @Test
    void writeRejectsValuesOrAGeneratorThatDoNotFitTheLayout() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThrows(
                IllegalArgumentException.class, () -> CheckpointFile.write(out, LAYOUT, new double[17], 0, advanced()));
        assertThrows(IllegalArgumentException.class, () -> CheckpointFile.write(out, LAYOUT, VALUES, 0, null));
    }

    private static void assertFailure(byte[] bytes, CheckpointFile.Layout layout, String expectedMessageStart) {
        ParameterFileException e = assertThrows(
                ParameterFileException.class, () -> CheckpointFile.read(new ByteArrayInputStream(bytes), layout));
        assertTrue(
                e.getMessage().startsWith(expectedMessageStart),
                "expected a message starting with \"" + expectedMessageStart + "\" but was \"" + e.getMessage() + "\"");
    }
}
