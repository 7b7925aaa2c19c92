package dev.nnc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.nnc.benchmarks.generated.N4;
import dev.nnc.benchmarks.generated.N4Float;
import dev.nnc.benchmarks.generated.N5;
import dev.nnc.benchmarks.generated.N5Double;
import dev.nnc.runtime.Network;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime and nnc compute the same predictions from the same parameters, so that the I1/I2
 * comparison is of one network.
 *
 * <p>The Maven build has no Python, so the models the JMH run measures (exported with nnc's
 * parameters as initializers by {@code pytorch_suite.py --export-onnx}) cannot be built here. The
 * test resources {@code onnx/*_inputs.onnx} are the same graphs exported by the same script with
 * the parameters as graph inputs ({@code --export-onnx-inputs}): a few hundred bytes each, fed
 * here with each nnc network's parameters in their flat {@code PARAMETER_NAMES} order, the order
 * and the {@code [out, in]} layout the export loads into {@code nn.Linear}. That checks the
 * layout convention and the graph (products, biases, ReLU, softmax) against nnc in either
 * precision, one sample and a batch of 8. When the exported models exist (after {@code
 * benchmarks/run.sh}), {@link #exportedModelsMatchNnc} checks them too.
 */
class OrtParityTest {
    private static final double DOUBLE_TOLERANCE = 1e-12;
    private static final double FLOAT_TOLERANCE = 2e-5;
    private static final int BATCH = 8;

    @Test
    void i1AgreesInDouble() throws Exception {
        assertSameAsParametersAsInputs("i1_double", new N4(), Problem.N4, true);
    }

    @Test
    void i1AgreesInFloat() throws Exception {
        assertSameAsParametersAsInputs("i1_float", new N4Float(), Problem.N4, false);
    }

    @Test
    void i2AgreesInFloat() throws Exception {
        assertSameAsParametersAsInputs("i2_float", new N5(), Problem.N5, false);
    }

    @Test
    void i2AgreesInDouble() throws Exception {
        assertSameAsParametersAsInputs("i2_double", new N5Double(), Problem.N5, true);
    }

    @Test
    void exportedModelsMatchNnc() throws Exception {
        Assumptions.assumeTrue(
                Files.isRegularFile(Path.of("target/onnx/i2_float.onnx")),
                "no exported models: benchmarks/run.sh writes them");
        System.setProperty(OnnxModels.DIRECTORY_PROPERTY, "target/onnx");
        for (int batch : new int[] {1, BATCH}) {
            double[][] n4 = PredictionBatches.of(Problem.N4, batch);
            double[][] n5 = PredictionBatches.of(Problem.N5, batch);
            N4 i1 = new N4();
            i1.setParameters(OnnxModels.i1Parameters());
            N5Double i2 = new N5Double();
            i2.setParameters(OnnxModels.i2Parameters());
            try (OrtPredictor model = new OrtPredictor(OnnxModels.model("i1_double"), n4, batch, 64, 10, true)) {
                model.requireOutputs(predictions(i1, n4, batch), DOUBLE_TOLERANCE);
            }
            try (OrtPredictor model = new OrtPredictor(OnnxModels.model("i1_float"), n4, batch, 64, 10, false)) {
                model.requireOutputs(predictions(i1, n4, batch), FLOAT_TOLERANCE);
            }
            try (OrtPredictor model = new OrtPredictor(OnnxModels.model("i2_float"), n5, batch, 784, 10, false)) {
                model.requireOutputs(predictions(i2, n5, batch), FLOAT_TOLERANCE);
            }
            try (OrtPredictor model = new OrtPredictor(OnnxModels.model("i2_double"), n5, batch, 784, 10, true)) {
                model.requireOutputs(predictions(i2, n5, batch), DOUBLE_TOLERANCE);
            }
        }
    }

    private static double[][] predictions(Network network, double[][] batches, int batch) {
        double[][] outs = new double[batches.length][batch * network.outputSize()];
        for (int g = 0; g < batches.length; g++) {
            network.predict(batches[g], batch, outs[g]);
        }
        return outs;
    }

    private static void assertSameAsParametersAsInputs(
            String name, Network network, Problem problem, boolean doublePrecision) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        double[] parameters = new double[network.parameterCount()];
        network.getParameters(parameters);
        try (OrtSession session = env.createSession(resource("onnx/" + name + "_inputs.onnx"));
                Tensors tensors = new Tensors(env, doublePrecision)) {
            Map<String, OnnxTensor> feed = new HashMap<>();
            int offset = 0;
            List<int[]> shapes = network.parameterShapes();
            for (int p = 0; p < shapes.size(); p++) {
                int[] shape = shapes.get(p);
                int count = 1;
                long[] dims = new long[shape.length];
                for (int d = 0; d < shape.length; d++) {
                    count *= shape[d];
                    dims[d] = shape[d];
                }
                double[] values = new double[count];
                System.arraycopy(parameters, offset, values, 0, count);
                feed.put("p" + p, tensors.of(values, dims));
                offset += count;
            }
            assertEquals(parameters.length, offset);
            for (int batch : new int[] {1, BATCH}) {
                double[] xs = PredictionBatches.of(problem, batch)[1];
                double[] expected = new double[batch * network.outputSize()];
                network.predict(xs, batch, expected);
                feed.put("x", tensors.of(xs, new long[] {batch, network.inputSize()}));
                try (OrtSession.Result result = session.run(feed)) {
                    OnnxTensor probs = (OnnxTensor) result.get(0);
                    double[] actual = new double[expected.length];
                    for (int k = 0; k < actual.length; k++) {
                        actual[k] = doublePrecision
                                ? probs.getDoubleBuffer().get(k)
                                : probs.getFloatBuffer().get(k);
                    }
                    double tolerance = doublePrecision ? DOUBLE_TOLERANCE : FLOAT_TOLERANCE;
                    for (int k = 0; k < actual.length; k++) {
                        assertEquals(expected[k], actual[k], tolerance, name + ", batch " + batch + ", output " + k);
                    }
                }
            }
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = OrtParityTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return in.readAllBytes();
        }
    }

    /** Tensors over direct buffers in one precision, closed together. */
    private static final class Tensors implements AutoCloseable {
        private final OrtEnvironment env;
        private final boolean doublePrecision;
        private final List<OnnxTensor> made = new ArrayList<>();

        Tensors(OrtEnvironment env, boolean doublePrecision) {
            this.env = env;
            this.doublePrecision = doublePrecision;
        }

        OnnxTensor of(double[] values, long[] shape) throws OrtException {
            int size = doublePrecision ? Double.BYTES : Float.BYTES;
            ByteBuffer bytes = ByteBuffer.allocateDirect(values.length * size).order(ByteOrder.nativeOrder());
            for (int k = 0; k < values.length; k++) {
                if (doublePrecision) {
                    bytes.putDouble(k * size, values[k]);
                } else {
                    bytes.putFloat(k * size, (float) values[k]);
                }
            }
            OnnxTensor tensor = OnnxTensor.createTensor(
                    env, bytes, shape, doublePrecision ? OnnxJavaType.DOUBLE : OnnxJavaType.FLOAT);
            made.add(tensor);
            return tensor;
        }

        @Override
        public void close() {
            made.forEach(OnnxTensor::close);
        }
    }
}
