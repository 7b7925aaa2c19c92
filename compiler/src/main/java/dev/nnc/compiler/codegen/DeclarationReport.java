package dev.nnc.compiler.codegen;

import java.util.List;

/**
 * What {@code nnc report} shows for one declaration: its interface, its size, the operation
 * counts per sample of its optimised graphs (each {@code + - * /} and each elementary function
 * call counts one), and the generated code of its forward and backward methods.
 *
 * @param kind {@code network}, {@code inference network} or {@code function}
 * @param inputs the inputs or arguments as the spec declares them, e.g. {@code x[2]}
 * @param outputs what prediction or the value returns, e.g. {@code out[1]}
 * @param forwardOperations operations of the forward pass (with the loss, for trainable networks)
 * @param backwardOperations further operations of the backward pass (0 without one)
 * @param code the generated Java of the kernel methods
 */
public record DeclarationReport(
        String name,
        String kind,
        List<String> inputs,
        List<String> outputs,
        int parameterCount,
        long forwardOperations,
        long backwardOperations,
        String code) {
    public DeclarationReport {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }
}
