package dev.nnc.spark;

import dev.nnc.runtime.Network;
import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;

/**
 * Makes the instances of a generated network that Spark's executors compute with. Spark ships
 * the factory, not a network, to every executor: a generated class is not serializable and owns
 * scratch buffers that no two threads may share. A constructor reference ({@code Digits::new})
 * is a factory; so is {@link #of(Class)}.
 *
 * <p>The instance's own parameters do not matter: the driver's are set on it before every use.
 *
 * @param <N> the generated network class
 */
@FunctionalInterface
public interface NetworkFactory<N extends Network> extends Serializable {

    /** A new, independent instance. */
    N create();

    /**
     * The factory that calls {@code type}'s public no-argument constructor, which every generated
     * network class has.
     *
     * @throws IllegalArgumentException if {@code type} has no public no-argument constructor
     */
    static <N extends Network> NetworkFactory<N> of(Class<N> type) {
        try {
            type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(type.getName() + " has no public no-argument constructor", e);
        }
        return () -> {
            try {
                return type.getConstructor().newInstance();
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("cannot create a " + type.getName() + ": " + e.getCause(), e);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create a " + type.getName() + ": " + e, e);
            }
        };
    }
}
