package dev.nnc.compiler.diagnostic;

import java.util.Locale;

/** How bad a diagnostic is. Only errors stop code generation. */
public enum Severity {
    ERROR,
    WARNING,
    NOTE;

    /** The word the renderer prints: {@code error}, {@code warning}, {@code note}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
