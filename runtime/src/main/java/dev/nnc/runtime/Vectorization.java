package dev.nnc.runtime;

/**
 * Whether generated networks use the Vector API kernels of {@code dev.nnc.runtime.vector}: float
 * networks for their matrix products ({@code VectorProducts}) and more, double networks for the
 * dense products of their predictions ({@code DoubleProducts}).
 *
 * <p>The Vector API is an incubator module of the JDK: it is in the JDK from 16 on, but a program
 * sees it only when the JVM starts with {@code --add-modules jdk.incubator.vector}. That flag is
 * the opt-in. Without it, {@link #ENABLED} is false, generated code runs its plain loops, and the
 * kernel class is never loaded. With it, the kernels are used unless the system property {@code
 * nnc.vector} is {@code false} (for comparing both paths on one installation).
 *
 * <p>The decision is a {@code static final} constant, so the JIT compiles the branch away.
 */
public final class Vectorization {
    /** The module whose presence turns the kernels on. */
    public static final String MODULE = "jdk.incubator.vector";

    /** Whether the Vector API kernels are in use in this JVM. */
    public static final boolean ENABLED =
            ModuleLayer.boot().findModule(MODULE).isPresent() && !"false".equals(System.getProperty("nnc.vector"));

    private Vectorization() {}
}
