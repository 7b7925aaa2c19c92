package dev.nnc.compiler.diagnostic;

/**
 * A broken invariant inside nnc. It is a bug in the compiler, never a mistake in the user's
 * specification, and the command line and the Maven plugin say so when they catch one.
 */
public final class InternalCompilerError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InternalCompilerError(String message) {
        super("internal compiler error (a bug in nnc, please report it): " + message);
    }

    public InternalCompilerError(String message, Throwable cause) {
        super("internal compiler error (a bug in nnc, please report it): " + message, cause);
    }
}
