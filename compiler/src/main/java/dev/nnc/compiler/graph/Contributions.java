package dev.nnc.compiler.graph;

/**
 * Where a derivative rule puts the adjoint contributions it builds: {@code add(argument, node)}
 * says that {@code node} is one term of the adjoint of the op's operand at position {@code
 * argument}. Reverse mode sums the terms of each value; an operand that gets no term has a zero
 * adjoint (which is never materialised).
 */
@FunctionalInterface
public interface Contributions {
    void add(int argument, int node);
}
