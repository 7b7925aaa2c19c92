package dev.nnc.spark;

import dev.nnc.runtime.Network;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Reads and writes a generated network's buffers (batch_norm's running statistics) through the
 * public {@code getBuffers(double[])}, {@code setBuffers(double[])} and {@code BUFFER_COUNT} that
 * every generated class with buffers has. They are not on the {@link Network} interface, so they
 * are looked up once per class; a step calls each once, outside any per-row loop.
 */
final class BufferAccess {

    private final int count;
    private final MethodHandle get;
    private final MethodHandle set;

    private BufferAccess(int count, MethodHandle get, MethodHandle set) {
        this.count = count;
        this.get = get;
        this.set = set;
    }

    /**
     * The access to {@code network}'s buffers, or null if it has none.
     *
     * @throws IllegalArgumentException if it lists buffers but lacks the generated accessors
     */
    static BufferAccess of(Network network) {
        if (network.bufferNames().isEmpty()) {
            return null;
        }
        Class<?> type = network.getClass();
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodType accessor = MethodType.methodType(void.class, double[].class);
        try {
            int count = (int)
                    lookup.findStaticGetter(type, "BUFFER_COUNT", int.class).invoke();
            return new BufferAccess(
                    count,
                    lookup.findVirtual(type, "getBuffers", accessor),
                    lookup.findVirtual(type, "setBuffers", accessor));
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(
                    type.getName() + " lists buffers " + network.bufferNames()
                            + " but has no public BUFFER_COUNT, getBuffers(double[]) and setBuffers(double[])",
                    e);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot read " + type.getName() + ".BUFFER_COUNT", e);
        }
    }

    /** The number of buffer values, over every buffer. */
    int count() {
        return count;
    }

    /** Copies {@code network}'s buffers into {@code dst}, flat in {@code bufferNames()} order. */
    void get(Network network, double[] dst) {
        try {
            get.invoke(network, dst);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Replaces {@code network}'s buffers with {@code src}, flat in {@code bufferNames()} order. */
    void set(Network network, double[] src) {
        try {
            set.invoke(network, src);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
