package dev.nnc.compiler.onnx;

import dev.nnc.runtime.ParameterFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named tensors in double: where the weights of an export come from. Every weight format feeds
 * this one shape (an nnc parameter file through {@link #readParameterFile}, a safetensors file
 * through its tensors, an ONNX file through {@link OnnxWeights#readTensors}), and an export checks
 * it against the network with {@link #matching}: names as nnc and PyTorch spell them ({@code
 * fc1.weight}), shapes in PyTorch's layout, values row-major.
 */
public record Weights(List<Tensor> tensors) {
    public Weights {
        tensors = List.copyOf(tensors);
    }

    /** One tensor: its name, its shape ({@code []} for a scalar) and its values, row-major. */
    public record Tensor(String name, List<Integer> shape, double[] values) {
        public Tensor {
            shape = List.copyOf(shape);
            long size = 1;
            for (int d : shape) {
                size *= d;
            }
            if (size != values.length) {
                throw new IllegalArgumentException(
                        "tensor '" + name + "' of shape " + shape + " needs " + size + " values, got " + values.length);
            }
        }
    }

    /** A tensor a network expects: a parameter or a buffer. */
    public record Slot(String name, List<Integer> shape) {
        public Slot {
            shape = List.copyOf(shape);
        }

        int[] dims() {
            return shape.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /**
     * Reads an nnc parameter file (what a generated class's {@code save} writes) of network
     * {@code network} with the tensors {@code slots} (its parameters, then its buffers).
     *
     * @throws IOException if the file is not one of that network, or cannot be read; the message
     *     names the tensor or the problem
     */
    public static Weights readParameterFile(InputStream in, String network, List<Slot> slots) throws IOException {
        List<String> names = slots.stream().map(Slot::name).toList();
        List<int[]> shapes = slots.stream().map(Slot::dims).toList();
        double[] values = ParameterFile.read(in, network, names, shapes);
        List<Tensor> tensors = new ArrayList<>();
        int position = 0;
        for (Slot slot : slots) {
            int size = slot.shape().stream().reduce(1, Math::multiplyExact);
            tensors.add(new Tensor(slot.name(), slot.shape(), Arrays.copyOfRange(values, position, position + size)));
            position += size;
        }
        return new Weights(tensors);
    }

    /**
     * The tensors of {@code slots}, in their order, checked: every slot present with its shape,
     * and no tensor that no slot names (the source is meant for this network, so an extra tensor
     * is a sign of the wrong file).
     *
     * @throws WeightsException naming the first missing, misshaped or extra tensor
     */
    public List<Tensor> matching(List<Slot> slots) throws WeightsException {
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (Tensor tensor : tensors) {
            if (byName.put(tensor.name(), tensor) != null) {
                throw new WeightsException("tensor '" + tensor.name() + "' appears twice");
            }
        }
        List<Tensor> matched = new ArrayList<>();
        for (Slot slot : slots) {
            Tensor tensor = byName.remove(slot.name());
            if (tensor == null) {
                throw new WeightsException("no tensor '" + slot.name() + "' (shape " + slot.shape() + ")");
            }
            if (!tensor.shape().equals(slot.shape())) {
                throw new WeightsException("tensor '" + slot.name() + "' has shape " + tensor.shape()
                        + ", but the network's has shape " + slot.shape());
            }
            matched.add(tensor);
        }
        if (!byName.isEmpty()) {
            throw new WeightsException(
                    "tensor '" + byName.keySet().iterator().next() + "' is not a parameter or buffer of the network");
        }
        return matched;
    }

    /** A weight source that does not fit the network: the message names the tensor. */
    public static final class WeightsException extends IOException {
        private static final long serialVersionUID = 1L;

        public WeightsException(String message) {
            super(message);
        }
    }
}
