package dev.nnc.spark;

import dev.nnc.runtime.SeededRandom;
import dev.nnc.runtime.TrainableNetwork;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * Puts a network's dropout generator into a state that depends only on (seed, step, partition),
 * so that the masks a partition draws in a step are the same in every run, whichever executor
 * thread computes it and whatever it computed before.
 *
 * <p>A generated network keeps its generator private; its one public way in is the training
 * checkpoint, which ends with the generator's state ({@code CheckpointFile}). So this class keeps
 * one checkpoint of the worker's network, and before a step writes the derived state into it
 * (four xoshiro256** state words, no spare Gaussian), recomputes its CRC32 and restores it. The
 * restore also resets the parameters, buffers and optimizer state to the template's, which the
 * step then overwrites with the driver's parameters and buffers; the optimizer state is not used
 * by {@code trainingGradient}. The cost is one checkpoint read per partition and step, only for
 * networks with dropout.
 */
final class DropoutReseeder {

    /** 4 state words, the spare Gaussian and its flag: what SeededRandom writes. */
    private static final int STATE_BYTES = 4 * Long.BYTES + Double.BYTES + 1;

    private static final long DROPOUT_SALT = 0x64726F706F7574L;

    private final byte[] checkpoint;
    private final int stateOffset;

    private DropoutReseeder(byte[] checkpoint, int stateOffset) {
        this.checkpoint = checkpoint;
        this.stateOffset = stateOffset;
    }

    /** The reseeder of {@code network}, or null if the network has no dropout generator. */
    static DropoutReseeder of(TrainableNetwork network) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            network.saveCheckpoint(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = out.toByteArray();
        int flag = generatorFlagOffset(bytes);
        return bytes[flag] == 0 ? null : new DropoutReseeder(bytes, flag + 1);
    }

    /**
     * Finds the "a dropout generator follows" flag by walking the checkpoint's documented layout:
     * magic, version, body length, then in the body the network name, the optimizer, the step and
     * the tensors.
     */
    private static int generatorFlagOffset(byte[] bytes) {
        ByteBuffer data = ByteBuffer.wrap(bytes);
        data.position(3 * Integer.BYTES);
        skipUtf(data);
        skipUtf(data);
        skip(data, Long.BYTES);
        int tensors = data.getInt();
        for (int t = 0; t < tensors; t++) {
            skipUtf(data);
            int rank = data.getInt();
            long size = 1;
            for (int d = 0; d < rank; d++) {
                size *= data.getInt();
            }
            skip(data, Math.toIntExact(size * Double.BYTES));
        }
        return data.position();
    }

    /** Skips a string that DataOutput.writeUTF wrote: a 2-byte length, then the bytes. */
    private static void skipUtf(ByteBuffer data) {
        skip(data, Short.toUnsignedInt(data.getShort()));
    }

    private static void skip(ByteBuffer data, int bytes) {
        data.position(data.position() + bytes);
    }

    /**
     * Sets {@code network}'s generator to the state of (seed, step, partition). Also resets its
     * parameters, buffers and optimizer state to those of the network this reseeder was made of.
     */
    void reseed(TrainableNetwork network, long seed, long step, int partition) {
        SeededRandom derived =
                new SeededRandom(GlobalBatches.mix(GlobalBatches.mix(seed ^ DROPOUT_SALT, step), partition));
        ByteBuffer state = ByteBuffer.wrap(checkpoint, stateOffset, STATE_BYTES);
        long any = 0;
        long[] words = new long[4];
        while (any == 0) {
            for (int i = 0; i < words.length; i++) {
                words[i] = derived.nextLong();
                any |= words[i];
            }
        }
        for (long word : words) {
            state.putLong(word);
        }
        state.putDouble(0.0);
        state.put((byte) 0);
        CRC32 crc = new CRC32();
        int crcOffset = checkpoint.length - Integer.BYTES;
        crc.update(checkpoint, 0, crcOffset);
        ByteBuffer.wrap(checkpoint, crcOffset, Integer.BYTES).putInt((int) crc.getValue());
        try {
            network.restoreCheckpoint(new ByteArrayInputStream(checkpoint));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
