package dev.nnc.compiler.onnx;

import dev.nnc.compiler.onnx.OnnxProto.Attribute;
import dev.nnc.compiler.onnx.OnnxProto.Node;
import dev.nnc.compiler.onnx.OnnxProto.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The nodes and constant initializers of one ONNX graph under construction, with the names of
 * its values: every value and node name is unique, and names the export reserves (inputs,
 * parameters, buffers) are never given to anything else.
 */
final class Nodes {
    private final int elementType;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Tensor> constants = new ArrayList<>();
    private final Set<String> taken = new HashSet<>();
    private final Set<String> nodeNames = new HashSet<>();

    /** An empty graph whose real values are of {@code elementType}, ONNX's FLOAT or DOUBLE. */
    Nodes(int elementType) {
        this.elementType = elementType;
    }

    /** The ONNX element type of every real value of the graph: inputs, weights, constants, outputs. */
    int elementType() {
        return elementType;
    }

    /** Marks {@code name} as used by a graph input or initializer. */
    void reserve(String name) {
        taken.add(name);
    }

    /** {@code base}, or {@code base_2}, {@code base_3}, ... whichever is free first; then taken. */
    String fresh(String base) {
        String name = base;
        for (int i = 2; taken.contains(name); i++) {
            name = base + "_" + i;
        }
        taken.add(name);
        return name;
    }

    /**
     * Adds a node {@code opType} named {@code name} (made unique) with one output named {@code
     * output} (made unique) and returns the output's name.
     */
    String add(String opType, String name, String output, List<String> inputs, Attribute... attributes) {
        String out = fresh(output);
        addNode(opType, name, inputs, List.of(out), attributes);
        return out;
    }

    /** Adds a node with several outputs, named exactly as given (the caller made them fresh). */
    void addNode(String opType, String name, List<String> inputs, List<String> outputs, Attribute... attributes) {
        nodes.add(new Node(opType, freshNode(name), inputs, outputs, Arrays.asList(attributes)));
    }

    private String freshNode(String base) {
        String name = base;
        for (int i = 2; nodeNames.contains(name); i++) {
            name = base + "_" + i;
        }
        nodeNames.add(name);
        return name;
    }

    /** A constant of the graph's element type and shape {@code dims}, as an initializer; returns its name. */
    String reals(String base, List<Integer> dims, double... values) {
        String name = fresh(base);
        constants.add(Tensor.reals(name, dims, values, elementType));
        return name;
    }

    /** A one-dimensional int64 constant (shapes, axes, slice bounds), as an initializer. */
    String int64s(String base, long... values) {
        String name = fresh(base);
        constants.add(Tensor.int64s(name, values));
        return name;
    }

    /** A rank-0 int64 constant, as an initializer. */
    String int64Scalar(String base, long value) {
        String name = fresh(base);
        constants.add(Tensor.int64Scalar(name, value));
        return name;
    }

    List<Node> nodes() {
        return List.copyOf(nodes);
    }

    List<Tensor> constants() {
        return List.copyOf(constants);
    }
}
