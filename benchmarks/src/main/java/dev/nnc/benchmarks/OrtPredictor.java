package dev.nnc.benchmarks;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.nnc.runtime.Network;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An ONNX Runtime session of one exported model on one thread, set up so that a prediction costs
 * what ONNX Runtime's Java API must spend and no more: each input batch of the pool is a tensor
 * over a direct buffer, created once (ONNX Runtime reads it in place, no copy per call), and the
 * output is a pinned tensor over another direct buffer that every run writes into (no output
 * tensor per call). What a call still allocates is ONNX Runtime's own: on the Java side the
 * arrays of input and output names and handles that {@code run} builds and the {@code Result}
 * it returns; on the native side the intermediate activations, from the session's arena.
 */
public final class OrtPredictor implements AutoCloseable {
    private final OrtSession session;
    private final OnnxTensor[] inputs;
    private final List<Map<String, OnnxTensor>> feeds = new ArrayList<>();
    private final OnnxTensor output;
    private final Map<String, OnnxTensor> pinned;
    private final ByteBuffer outputBytes;
    private final boolean doublePrecision;
    private final int outputValues;

    /**
     * A session of {@code model} whose inputs are the given batches (each {@code batch} rows of
     * {@code inputSize} values) in float or double, writing {@code batch} rows of {@code
     * outputSize} values.
     */
    public OrtPredictor(
            Path model, double[][] batches, int batch, int inputSize, int outputSize, boolean doublePrecision)
            throws OrtException {
        this(model, batches, batch, new long[] {inputSize}, outputSize, doublePrecision);
    }

    /**
     * As above, for a model whose input has per-sample dimensions {@code sampleShape} (a sequence
     * {@code [T, F]} for I4); the values of a batch are its samples' flat rows, one after another.
     */
    public OrtPredictor(
            Path model, double[][] batches, int batch, long[] sampleShape, int outputSize, boolean doublePrecision)
            throws OrtException {
        int inputSize = Math.toIntExact(Arrays.stream(sampleShape).reduce(1, Math::multiplyExact));
        long[] inputShape = new long[sampleShape.length + 1];
        inputShape[0] = batch;
        System.arraycopy(sampleShape, 0, inputShape, 1, sampleShape.length);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        this.doublePrecision = doublePrecision;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(model.toString(), options);
        }
        OnnxJavaType type = doublePrecision ? OnnxJavaType.DOUBLE : OnnxJavaType.FLOAT;
        String inputName = session.getInputNames().iterator().next();
        inputs = new OnnxTensor[batches.length];
        for (int i = 0; i < batches.length; i++) {
            ByteBuffer bytes = direct(batch * inputSize, doublePrecision);
            for (int k = 0; k < batch * inputSize; k++) {
                if (doublePrecision) {
                    bytes.putDouble(k * Double.BYTES, batches[i][k]);
                } else {
                    bytes.putFloat(k * Float.BYTES, (float) batches[i][k]);
                }
            }
            inputs[i] = OnnxTensor.createTensor(env, bytes, inputShape, type);
            feeds.add(Map.of(inputName, inputs[i]));
        }
        outputValues = batch * outputSize;
        outputBytes = direct(outputValues, doublePrecision);
        output = OnnxTensor.createTensor(env, outputBytes, new long[] {batch, outputSize}, type);
        pinned = Map.of(session.getOutputNames().iterator().next(), output);
    }

    /**
     * A session of the exported one-sample model {@code model} over the first {@code samples}
     * inputs of {@code problem}, each of per-sample shape {@code sampleShape}, in float; it
     * throws unless ONNX Runtime predicts what {@code reference} (nnc's class with the
     * benchmark's parameters) predicts, to 1e-4.
     */
    static OrtPredictor oneSampleChecked(
            String model, Problem problem, int samples, long[] sampleShape, Network reference) throws OrtException {
        SuiteData data = SuiteData.of(problem);
        double[][] inputs = new double[samples][];
        double[][] expected = new double[samples][reference.outputSize()];
        for (int i = 0; i < samples; i++) {
            inputs[i] = data.sample(i);
            reference.predict(inputs[i], expected[i]);
        }
        OrtPredictor predictor =
                new OrtPredictor(OnnxModels.model(model), inputs, 1, sampleShape, reference.outputSize(), false);
        predictor.requireOutputs(expected, 1e-4);
        return predictor;
    }

    /** Runs the model on input batch {@code index} and returns the first output value. */
    public double run(int index) throws OrtException {
        // The result holds only the pinned output, which it does not own: closing it frees nothing of ours.
        session.run(feeds.get(index), pinned).close();
        return output(0);
    }

    /** Output value {@code k} of the last run. */
    public double output(int k) {
        return doublePrecision ? outputBytes.getDouble(k * Double.BYTES) : outputBytes.getFloat(k * Float.BYTES);
    }

    /** Runs input batch {@code index} and copies all its outputs; allocates, so it is for checks. */
    public double[] outputs(int index) throws OrtException {
        run(index);
        double[] values = new double[outputValues];
        for (int k = 0; k < outputValues; k++) {
            values[k] = output(k);
        }
        return values;
    }

    /**
     * Throws unless the outputs of every input batch are within {@code tolerance} of {@code
     * expected[index]} (absolute: the outputs are probabilities). The benchmarks call it in their
     * setup, so a model exported from other parameters than the benchmark's cannot be measured.
     */
    public void requireOutputs(double[][] expected, double tolerance) throws OrtException {
        for (int i = 0; i < expected.length; i++) {
            double[] actual = outputs(i);
            for (int k = 0; k < outputValues; k++) {
                if (!(Math.abs(actual[k] - expected[i][k]) <= tolerance)) {
                    throw new IllegalStateException("ONNX Runtime and nnc disagree on batch " + i + ", output " + k
                            + ": " + actual[k] + " and " + expected[i][k] + "; export the models again");
                }
            }
        }
    }

    @Override
    public void close() throws OrtException {
        for (OnnxTensor input : inputs) {
            input.close();
        }
        output.close();
        session.close();
    }

    private static ByteBuffer direct(int values, boolean doublePrecision) {
        int bytes = values * (doublePrecision ? Double.BYTES : Float.BYTES);
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }
}
