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

    /** The buffers in {@code bufferNames()} order, through {@link Network#getBuffers}. */
    static double[] buffers(Object network) {
        Network typed = (Network) network;
        double[] values = new double[typed.bufferCount()];
        typed.getBuffers(values);
        return values;
    }

    /** {@link Network#setBuffers}, flat in {@code bufferNames()} order. */
    static void setBuffers(Object network, double[] values) {
        ((Network) network).setBuffers(values);
    }
}
