package dev.nnc.compiler.semantic;

/**
 * State of a network that training changes but does not differentiate: a {@code batch_norm}'s
 * running statistics ({@code bn.running_mean}, {@code bn.running_var}). Named after the
 * definition that holds the layer, like parameters, and saved and loaded with them.
 */
public record Buffer(String name, Shape shape, double initial) {}
