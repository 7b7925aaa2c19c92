package dev.nnc.compiler.onnx;

import dev.nnc.runtime.ParameterFile;
import dev.nnc.runtime.SafeTensors;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named tensors in double: where the weights of an export come from. Every weight format feeds
 * this one shape (an nnc parameter file through {@link #readParameterFile}, a safetensors file
 * through {@link #readSafeTensors}, an ONNX file through {@link OnnxWeights#readTensors}), and an export checks
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

    /** A tensor a network expects: a parameter, or a buffer when {@code buffer} is set. */
    public record Slot(String name, List<Integer> shape, boolean buffer) {
        public Slot {
            shape = List.copyOf(shape);
        }

        /** A parameter. */
        public Slot(String name, List<Integer> shape) {
            this(name, shape, false);
        }

        int[] dims() {
            return shape.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /**
     * Reads the weights of network {@code network} with the tensors {@code slots} from {@code
     * file}: a safetensors file when its name ends in {@code .safetensors} (read as {@link
     * SafeTensors} reads it into a network: PyTorch's names and {@code num_batches_tracked}
     * accepted), an nnc parameter file otherwise.
     *
     * @throws IOException if the file cannot be read or does not fit the network; the message
     *     names the file and the tensor or the problem
     */
    public static Weights readFile(Path file, String network, List<Slot> slots) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return file.getFileName().toString().endsWith(".safetensors")
                    ? readSafeTensors(in, network, slots)
                    : readParameterFile(in, network, slots);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read '" + file + "': no such file", e);
        } catch (IOException e) {
            throw new IOException("'" + file + "': " + e.getMessage(), e);
        }
    }

    /**
     * Reads a safetensors file of network {@code network} with the tensors {@code slots}, checked
     * as {@link SafeTensors#read(InputStream, dev.nnc.runtime.Network)} checks them.
     *
     * @throws IOException if the file is malformed or does not fit the network; the message names
     *     the tensor or the byte offset
     */
    public static Weights readSafeTensors(InputStream in, String network, List<Slot> slots) throws IOException {
        List<Slot> parameters = slots.stream().filter(slot -> !slot.buffer()).toList();
        List<Slot> buffers = slots.stream().filter(Slot::buffer).toList();
        double[] values = SafeTensors.read(
                in,
                network,
                parameters.stream().map(Slot::name).toList(),
                parameters.stream().map(Slot::dims).toList(),
                buffers.stream().map(Slot::name).toList(),
                buffers.stream().map(Slot::dims).toList());
        List<Slot> ordered = new ArrayList<>(parameters);
        ordered.addAll(buffers);
        return split(values, ordered);
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
        return split(ParameterFile.read(in, network, names, shapes), slots);
    }

    /** {@code values}, tensor after tensor, cut into the tensors of {@code slots}. */
    private static Weights split(double[] values, List<Slot> slots) {
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
