package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.onnx.OnnxExport;
import dev.nnc.compiler.onnx.Weights;
import dev.nnc.compiler.semantic.Buffer;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Precision;
import dev.nnc.compiler.semantic.Symbol;
import dev.nnc.compiler.semantic.Term;
import dev.nnc.runtime.Network;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.LongStream;

/**
 * Test support: exports a generated network's prediction to ONNX and runs it in ONNX Runtime, to
 * compare with the generated class's {@code predict}.
 */
final class OrtModels {
    private OrtModels() {}

    /** The model of {@code network} (an instance of {@code declaration}) with its current weights, in float. */
    static byte[] export(Declaration.Network declaration, Network network) {
        return export(declaration, network, Precision.FLOAT);
    }

    /** The model of {@code network} with its current weights, every real value in {@code precision}. */
    static byte[] export(Declaration.Network declaration, Network network, Precision precision) {
        try {
            ByteArrayOutputStream saved = new ByteArrayOutputStream();
            network.save(saved);
            Weights weights = Weights.readParameterFile(
                    new ByteArrayInputStream(saved.toByteArray()), declaration.name(), OnnxExport.slots(declaration));
            Diagnostics diagnostics = new Diagnostics();
            Optional<byte[]> model = OnnxExport.export(declaration, weights, "test", precision, diagnostics);
            assertFalse(diagnostics.hasErrors(), () -> declaration.name() + ": " + diagnostics.sorted());
            assertTrue(model.isPresent());
            return model.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** ONNX Runtime's outputs of the float {@code model} for {@code n} samples {@code xs}, row-major. */
    static float[] run(byte[] model, Declaration.Network declaration, double[] xs, int n) {
        double[] outputs = run(model, declaration, xs, n, Precision.FLOAT);
        float[] values = new float[outputs.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) outputs[i];
        }
        return values;
    }

    /**
     * ONNX Runtime's outputs of {@code model}, whose real values are in {@code precision}, for
     * {@code n} samples {@code xs}, row-major.
     */
    static double[] run(byte[] model, Declaration.Network declaration, double[] xs, int n, Precision precision) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, options)) {
                int rowSize = declaration.inputSize();
                for (Symbol.Input input : declaration.inputs()) {
                    int size = input.shape().size();
                    double[] values = new double[n * size];
                    for (int s = 0; s < n; s++) {
                        for (int i = 0; i < size; i++) {
                            values[s * size + i] = xs[s * rowSize + input.offset() + i];
                        }
                    }
                    long[] shape = LongStream.concat(
                                    LongStream.of(n),
                                    input.shape().dimensions().stream().mapToLong(Integer::longValue))
                            .toArray();
                    feeds.put(input.name(), tensor(env, values, shape, precision));
                }
                try (OrtSession.Result result = session.run(feeds)) {
                    double[] values = values((OnnxTensor) result.get(0), precision);
                    assertEquals(n * declaration.outputSize(), values.length, "output size");
                    return values;
                }
            }
        } catch (OrtException e) {
            throw new AssertionError(declaration.name() + ": " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    /** The operator types of the nodes of {@code model}: ModelProto.graph 7, GraphProto.node 1, NodeProto.op_type 4. */
    static Set<String> operators(byte[] model) {
        Set<String> operators = new TreeSet<>();
        for (ByteString graph : fields(ByteString.copyFrom(model), 7)) {
            for (ByteString node : fields(graph, 1)) {
                for (ByteString opType : fields(node, 4)) {
                    operators.add(opType.toStringUtf8());
                }
            }
        }
        return operators;
    }

    /** The length-delimited fields numbered {@code number} of one message. */
    private static List<ByteString> fields(ByteString message, int number) {
        List<ByteString> found = new ArrayList<>();
        try {
            CodedInputStream in = message.newCodedInput();
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (WireFormat.getTagFieldNumber(tag) == number
                        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    found.add(in.readBytes());
                } else {
                    in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    private static OnnxTensor tensor(OrtEnvironment env, double[] values, long[] shape, Precision precision)
            throws OrtException {
        if (precision == Precision.DOUBLE) {
            return OnnxTensor.createTensor(env, DoubleBuffer.wrap(values), shape);
        }
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(floats), shape);
    }

    private static double[] values(OnnxTensor output, Precision precision) {
        if (precision == Precision.DOUBLE) {
            DoubleBuffer buffer = output.getDoubleBuffer();
            double[] values = new double[buffer.remaining()];
            buffer.get(values);
            return values;
        }
        FloatBuffer buffer = output.getFloatBuffer();
        double[] values = new double[buffer.remaining()];
        for (int i = 0; i < values.length; i++) {
            values[i] = buffer.get(i);
        }
        return values;
    }

    /**
     * {@code n} random samples for {@code declaration} in [-1, 1], with the ids of its embeddings
     * drawn from their tables.
     */
    static double[] inputs(Declaration.Network declaration, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int rowSize = declaration.inputSize();
        double[] xs = new double[n * rowSize];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = random.nextDouble(-1, 1);
        }
        for (Term.Embedding embedding : declaration.embeddings()) {
            for (Term.Embedding.IdPosition position : embedding.positions()) {
                for (int s = 0; s < n; s++) {
                    xs[s * rowSize + position.offset()] = random.nextInt(embedding.count());
                }
            }
        }
        return xs;
    }

    /** Running statistics away from their starting values, so that a prediction depends on them. */
    static void randomizeBuffers(Declaration.Network declaration, Network network, long seed) {
        if (declaration.buffers().isEmpty()) {
            return;
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] buffers = Networks.buffers(network);
        int position = 0;
        for (Buffer buffer : declaration.buffers()) {
            boolean variance = buffer.name().endsWith("running_var");
            for (int i = 0; i < buffer.shape().size(); i++) {
                buffers[position++] = variance ? random.nextDouble(0.5, 2) : random.nextDouble(-0.5, 0.5);
            }
        }
        Networks.setBuffers(network, buffers);
    }

    /** Asserts that ONNX Runtime's predictions equal the generated class's to 1e-5 (relative above 1). */
    static void assertSamePredictions(Declaration.Network declaration, Network network, String where) {
        assertSamePredictions(declaration, network, Precision.FLOAT, 1e-5, where);
    }

    /**
     * Asserts that ONNX Runtime's predictions with the model exported in {@code precision} equal
     * the generated class's to {@code tolerance} (relative above 1).
     */
    static void assertSamePredictions(
            Declaration.Network declaration, Network network, Precision precision, double tolerance, String where) {
        byte[] model = export(declaration, network, precision);
        int n = 7;
        double[] xs = inputs(declaration, n, 20261206L);
        double[] expected = new double[n * network.outputSize()];
        network.predict(xs, n, expected);
        double[] actual = run(model, declaration, xs, n, precision);
        for (int i = 0; i < expected.length; i++) {
            double allowed = tolerance * Math.max(1, Math.abs(expected[i]));
            int index = i;
            assertTrue(
                    Math.abs(expected[i] - actual[i]) <= allowed,
                    () -> where + ": output " + index + " is " + actual[index] + " in ONNX Runtime, " + expected[index]
                            + " in nnc");
        }
    }
}
