package dev.nnc.compiler.codegen;

import dev.nnc.runtime.Network;
import java.lang.reflect.InvocationTargetException;

/** What tests of generated networks read and set on an instance, beyond the runtime interfaces. */
final class Networks {
    private Networks() {}

    /** The parameters in the contract's flat order. */
    static double[] parameters(Network network) {
        double[] values = new double[network.parameterCount()];
        network.getParameters(values);
        return values;
    }

    /**
     * {@code setThreads(threads)}, which only classes that split batches have; an exception it
     * throws (an {@code IllegalArgumentException}, say) reaches the caller as it was thrown.
     */
    static void setThreads(Object network, int threads) {
        try {
            network.getClass().getMethod("setThreads", int.class).invoke(network, threads);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new AssertionError(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** The buffers in {@code BUFFER_NAMES} order, through {@code getBuffers} (classes with batch_norm). */
    static double[] buffers(Object network) {
        try {
            int count = network.getClass().getField("BUFFER_COUNT").getInt(null);
            double[] values = new double[count];
            network.getClass().getMethod("getBuffers", double[].class).invoke(network, (Object) values);
            return values;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code setBuffers(values)}, flat in {@code BUFFER_NAMES} order. */
    static void setBuffers(Object network, double[] values) {
        try {
            network.getClass().getMethod("setBuffers", double[].class).invoke(network, (Object) values);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
