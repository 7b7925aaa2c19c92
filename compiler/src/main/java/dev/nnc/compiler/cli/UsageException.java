package dev.nnc.compiler.cli;

/** The command line was used wrongly (exit status 2); the message says how. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
