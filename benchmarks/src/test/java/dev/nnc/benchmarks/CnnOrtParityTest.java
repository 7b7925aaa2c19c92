package dev.nnc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.nnc.benchmarks.handwritten.FloatCnn;
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
 * The hand-written LeNet-5 (C2, I3) predicts what PyTorch's graph of it predicts, from the same
 * parameters: {@code onnx/i3_*_inputs.onnx} is {@code pytorch_suite.py --export-onnx-inputs}'s
 * export of {@code F.conv2d}, {@code F.max_pool2d}, {@code F.linear} and the softmax with the
 * parameters as graph inputs, fed here in the flat order and PyTorch layouts that the baselines
 * (and nnc) use. That pins the convolution's weight layout, padding, pooling and flatten order to
 * PyTorch's, which the finite-difference checks of the gradient cannot; {@code CnnTest} ties the
 * double network to the float one. Float only: ONNX Runtime's CPU provider has no double Conv.
 */
class CnnOrtParityTest {
    private static final int[][] C2_SHAPES = {
        {6, 1, 5, 5}, {6}, {16, 6, 5, 5}, {16}, {120, 400}, {120}, {84, 120}, {84}, {10, 84}, {10}
    };
    private static final int SAMPLES = 4;

    @Test
    void handwrittenC2AgreesWithPyTorchsGraphInFloat() throws Exception {
        double[] parameters = C2Benchmark.initialParameters();
        FloatCnn network = Baselines.handwrittenC2(1);
        network.setParameters(SuiteData.toFloats(parameters));
        SuiteData data = SuiteData.of(Problem.C2);
        double[][] expected = new double[SAMPLES][10];
        float[] out = new float[10];
        for (int i = 0; i < SAMPLES; i++) {
            network.predict(SuiteData.toFloats(data.sample(i)), out);
            for (int j = 0; j < 10; j++) {
                expected[i][j] = out[j];
            }
        }
        assertSameAsOnnx("i3_float", parameters, data, expected, false, 2e-5);
    }

    /** The model the JMH run measures, when {@code benchmarks/run.sh} has exported it. */
    @Test
    void exportedI3ModelAgreesWithHandwrittenC2() throws Exception {
        Assumptions.assumeTrue(
                Files.isRegularFile(Path.of("target/onnx/i3_float.onnx")),
                "no exported models: benchmarks/run.sh writes them");
        System.setProperty(OnnxModels.DIRECTORY_PROPERTY, "target/onnx");
        FloatCnn network = Baselines.handwrittenC2(1);
        network.setParameters(SuiteData.toFloats(OnnxModels.i3Parameters()));
        SuiteData data = SuiteData.of(Problem.C2);
        double[][] samples = new double[SAMPLES][];
        double[][] expected = new double[SAMPLES][10];
        float[] out = new float[10];
        for (int i = 0; i < SAMPLES; i++) {
            samples[i] = data.sample(i);
            network.predict(SuiteData.toFloats(samples[i]), out);
            for (int j = 0; j < 10; j++) {
                expected[i][j] = out[j];
            }
        }
        try (OrtPredictor model = new OrtPredictor(OnnxModels.model("i3_float"), samples, 1, 784, 10, false)) {
            model.requireOutputs(expected, 2e-5);
        }
    }

    private static void assertSameAsOnnx(
            String name,
            double[] parameters,
            SuiteData data,
            double[][] expected,
            boolean doublePrecision,
            double tolerance)
            throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<OnnxTensor> made = new ArrayList<>();
        byte[] model;
        try (InputStream in =
                CnnOrtParityTest.class.getClassLoader().getResourceAsStream("onnx/" + name + "_inputs.onnx")) {
            model = in.readAllBytes();
        }
        try (OrtSession session = env.createSession(model)) {
            Map<String, OnnxTensor> feed = new HashMap<>();
            int offset = 0;
            for (int p = 0; p < C2_SHAPES.length; p++) {
                int count = 1;
                long[] dims = new long[C2_SHAPES[p].length];
                for (int d = 0; d < dims.length; d++) {
                    count *= C2_SHAPES[p][d];
                    dims[d] = C2_SHAPES[p][d];
                }
                double[] values = new double[count];
                System.arraycopy(parameters, offset, values, 0, count);
                feed.put("p" + p, tensor(env, values, dims, doublePrecision, made));
                offset += count;
            }
            assertEquals(parameters.length, offset);
            for (int i = 0; i < SAMPLES; i++) {
                feed.put("x", tensor(env, data.sample(i), new long[] {1, 784}, doublePrecision, made));
                try (OrtSession.Result result = session.run(feed)) {
                    OnnxTensor probs = (OnnxTensor) result.get(0);
                    for (int j = 0; j < 10; j++) {
                        double actual = doublePrecision
                                ? probs.getDoubleBuffer().get(j)
                                : probs.getFloatBuffer().get(j);
                        assertEquals(expected[i][j], actual, tolerance, name + ", sample " + i + ", class " + j);
                    }
                }
            }
        } finally {
            made.forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor tensor(
            OrtEnvironment env, double[] values, long[] shape, boolean doublePrecision, List<OnnxTensor> made)
            throws Exception {
        int size = doublePrecision ? Double.BYTES : Float.BYTES;
        ByteBuffer bytes = ByteBuffer.allocateDirect(values.length * size).order(ByteOrder.nativeOrder());
        for (int k = 0; k < values.length; k++) {
            if (doublePrecision) {
                bytes.putDouble(k * size, values[k]);
            } else {
                bytes.putFloat(k * size, (float) values[k]);
            }
        }
        OnnxTensor tensor =
                OnnxTensor.createTensor(env, bytes, shape, doublePrecision ? OnnxJavaType.DOUBLE : OnnxJavaType.FLOAT);
        made.add(tensor);
        return tensor;
    }
}
