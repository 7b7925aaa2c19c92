package dev.nnc.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * A network that is only its tensors: named parameters and buffers of given shapes, standing in
 * for a generated class in the tests of files. Its prediction is the sum of its parameters.
 */
final class TensorTestNetwork implements Network {
    private final List<String> parameterNames;
    private final List<int[]> parameterShapes;
    private final List<String> bufferNames;
    private final List<int[]> bufferShapes;
    private final double[] parameters;
    private final double[] buffers;

    TensorTestNetwork(
            List<String> parameterNames,
            List<int[]> parameterShapes,
            List<String> bufferNames,
            List<int[]> bufferShapes) {
        this.parameterNames = List.copyOf(parameterNames);
        this.parameterShapes = List.copyOf(parameterShapes);
        this.bufferNames = List.copyOf(bufferNames);
        this.bufferShapes = List.copyOf(bufferShapes);
        this.parameters = new double[(int) ParameterFile.checkLayout(parameterNames, parameterShapes)];
        this.buffers = new double[(int) ParameterFile.checkLayout(bufferNames, bufferShapes)];
    }

    /** A network without buffers. */
    TensorTestNetwork(List<String> names, List<int[]> shapes) {
        this(names, shapes, List.of(), List.of());
    }

    @Override
    public String name() {
        return "Tensors";
    }

    @Override
    public int inputSize() {
        return 1;
    }

    @Override
    public int outputSize() {
        return 1;
    }

    @Override
    public int targetSize() {
        return 0;
    }

    @Override
    public int parameterCount() {
        return parameters.length;
    }

    @Override
    public List<String> parameterNames() {
        return parameterNames;
    }

    @Override
    public List<int[]> parameterShapes() {
        return parameterShapes.stream().map(int[]::clone).toList();
    }

    @Override
    public List<String> bufferNames() {
        return bufferNames;
    }

    @Override
    public List<int[]> bufferShapes() {
        return bufferShapes.stream().map(int[]::clone).toList();
    }

    @Override
    public void getBuffers(double[] dst) {
        System.arraycopy(buffers, 0, dst, 0, checked(dst.length, buffers.length));
    }

    @Override
    public void setBuffers(double[] src) {
        System.arraycopy(src, 0, buffers, 0, checked(src.length, buffers.length));
    }

    @Override
    public void predict(double[] x, double[] out) {
        double sum = 0;
        for (double p : parameters) {
            sum += p;
        }
        out[0] = sum * x[0];
    }

    @Override
    public void predict(double[] xs, int n, double[] outs) {
        for (int i = 0; i < n; i++) {
            double[] out = new double[1];
            predict(new double[] {xs[i]}, out);
            outs[i] = out[0];
        }
    }

    @Override
    public void getParameters(double[] dst) {
        System.arraycopy(parameters, 0, dst, 0, checked(dst.length, parameters.length));
    }

    @Override
    public void setParameters(double[] src) {
        System.arraycopy(src, 0, parameters, 0, checked(src.length, parameters.length));
    }

    @Override
    public void save(OutputStream out) throws IOException {
        ParameterFile.write(out, name(), parameterNames, parameterShapes, parameters);
    }

    @Override
    public Network copy() {
        TensorTestNetwork copy = new TensorTestNetwork(parameterNames, parameterShapes, bufferNames, bufferShapes);
        copy.setParameters(parameters);
        copy.setBuffers(buffers);
        return copy;
    }

    private static int checked(int actual, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException("expected length " + expected + ", got " + actual);
        }
        return actual;
    }
}
