package dev.nnc.compiler.semantic;

/** The arithmetic of a generated network: {@code precision double;} (default) or {@code float}. */
public enum Precision {
    DOUBLE,
    FLOAT
}
