package dev.nnc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.nnc.runtime.ParameterFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code nnc export-onnx} and {@code nnc import-onnx}: files, messages and exit statuses. */
class OnnxCommandsTest {
    private static final List<String> XOR_NAMES = List.of("hidden.weight", "hidden.bias", "out.weight", "out.bias");
    private static final List<int[]> XOR_SHAPES =
            List.of(new int[] {4, 2}, new int[] {4}, new int[] {1, 4}, new int[] {1});

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Xor's weights, chosen so that the hidden layer's units differ: value {@code k} is {@code 0.1 k - 0.7}. */
    private static double[] xorWeights() {
        double[] values = new double[8 + 4 + 4 + 1];
        for (int k = 0; k < values.length; k++) {
            values[k] = 0.1 * k - 0.7;
        }
        return values;
    }

    private static Path writeXorParameters(Path dir) throws IOException {
        Path file = dir.resolve("xor.params");
        try (OutputStream stream = Files.newOutputStream(file)) {
            ParameterFile.write(stream, "Xor", XOR_NAMES, XOR_SHAPES, xorWeights());
        }
        return file;
    }

    @Test
    void exportOnnxWritesAModelThatOnnxRuntimeRuns(@TempDir Path dir) throws Exception {
        Path parameters = writeXorParameters(dir);
        Path model = dir.resolve("xor.onnx");
        assertEquals(
                0,
                run("export-onnx", "../examples/xor.nn", "--parameters", parameters.toString(), "-o", model.toString()),
                err());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("open it in Netron"));
        // Xor with these weights, by hand: out = sigmoid(W2 tanh(W1 x + b1) + b2).
        double[] w = xorWeights();
        double[] x = {1, 0};
        double sum = w[16];
        for (int j = 0; j < 4; j++) {
            double h = Math.tanh(w[2 * j] * x[0] + w[2 * j + 1] * x[1] + w[8 + j]);
            sum += w[12 + j] * h;
        }
        double expected = 1 / (1 + Math.exp(-sum));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(Files.readAllBytes(model));
                OnnxTensor input =
                        OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {1, 0}), new long[] {1, 2});
                OrtSession.Result result = session.run(Map.of("x", input))) {
            assertEquals(List.of("out"), List.copyOf(session.getOutputNames()));
            float[][] predicted = (float[][]) result.get(0).getValue();
            assertEquals(expected, predicted[0][0], 1e-6);
        }
    }

    @Test
    void exportOnnxInDoubleKeepsTheWeightsAndTheArithmeticInDouble(@TempDir Path dir) throws Exception {
        Path parameters = writeXorParameters(dir);
        Path model = dir.resolve("xor64.onnx");
        assertEquals(
                0,
                run(
                        "export-onnx",
                        "../examples/xor.nn",
                        "--parameters",
                        parameters.toString(),
                        "--precision",
                        "double",
                        "-o",
                        model.toString()),
                err());
        double[] w = xorWeights();
        double[] x = {0.25, -0.75};
        double sum = w[16];
        for (int j = 0; j < 4; j++) {
            sum += w[12 + j] * Math.tanh(w[2 * j] * x[0] + w[2 * j + 1] * x[1] + w[8 + j]);
        }
        double expected = 1 / (1 + Math.exp(-sum));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(Files.readAllBytes(model));
                OnnxTensor input = OnnxTensor.createTensor(env, DoubleBuffer.wrap(x), new long[] {1, 2});
                OrtSession.Result result = session.run(Map.of("x", input))) {
            double[][] predicted = (double[][]) result.get(0).getValue();
            // 0.1 k - 0.7 is not a float: a float model would be about 1e-8 away.
            assertEquals(expected, predicted[0][0], 1e-14);
        }
    }

    /**
     * A safetensors file that PyTorch wrote ({@code src/test/python/safetensors_fixtures.py}:
     * batch norms with their running statistics and {@code num_batches_tracked}, recurrent layers
     * under PyTorch's {@code _l0} names, a strided convolution) exports into a model whose
     * predictions in ONNX Runtime are PyTorch's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"norms", "recurrent", "conv2d"})
    void exportOnnxReadsPyTorchsSafeTensors(String fixture, @TempDir Path dir) throws Exception {
        Path resources = Path.of("src", "test", "resources", "safetensors");
        Map<String, String> lines = new HashMap<>();
        for (String line : Files.readAllLines(resources.resolve(fixture + ".txt"))) {
            int space = line.indexOf(' ');
            if (!line.startsWith("#") && space > 0) {
                lines.put(line.substring(0, space), line.substring(space + 1));
            }
        }
        Path spec = dir.resolve(fixture + ".nn");
        Files.writeString(spec, lines.get("spec"));
        Path model = dir.resolve(fixture + ".onnx");
        String weights = resources.resolve(fixture + ".safetensors").toString();
        assertEquals(0, run("export-onnx", spec.toString(), "--parameters", weights, "-o", model.toString()), err());

        int samples = Integer.parseInt(lines.get("samples"));
        float[] xs = floats(lines.get("xs"));
        float[] expected = floats(lines.get("predictions_f32"));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(Files.readAllBytes(model))) {
            String input = session.getInputNames().iterator().next();
            long[] shape = ((TensorInfo) session.getInputInfo().get(input).getInfo())
                    .getShape()
                    .clone();
            shape[0] = samples;
            try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(xs), shape);
                    OrtSession.Result result = session.run(Map.of(input, tensor))) {
                float[][] predicted = (float[][]) result.get(0).getValue();
                int outputs = expected.length / samples;
                for (int n = 0; n < samples; n++) {
                    for (int o = 0; o < outputs; o++) {
                        assertEquals(expected[n * outputs + o], predicted[n][o], 1e-5, fixture + " sample " + n);
                    }
                }
            }
        }
    }

    @Test
    void exportOnnxNamesTheSafeTensorThatDoesNotFit(@TempDir Path dir) throws IOException {
        Path spec = dir.resolve("conv2d.nn");
        Files.writeString(spec, """
                network StConvTwo {
                    input x[2, 5, 4];
                    target y[2];
                    c = conv2d(x, 3, [3, 3], stride = [2, 1], padding = 1, activation = relu);
                    out = dense(flatten(c), 2);
                    output out;
                    loss mse(out, y);
                    optimizer sgd(lr = 0.1);
                }
                """);
        Path model = dir.resolve("conv2d.onnx");
        String weights = Path.of("src", "test", "resources", "safetensors", "conv2d.safetensors")
                .toString();
        assertEquals(1, run("export-onnx", spec.toString(), "--parameters", weights, "-o", model.toString()));
        assertTrue(err().contains("tensor 'c.weight' has shape [3, 2, 3, 2], but parameter 'c.weight'"), err());
        assertFalse(Files.exists(model));
    }

    private static float[] floats(String text) {
        String[] words = text.trim().split(" ");
        float[] values = new float[words.length];
        for (int i = 0; i < words.length; i++) {
            values[i] = Float.parseFloat(words[i]);
        }
        return values;
    }

    @Test
    void importOnnxWritesTheParameterFileTheModelWasExportedFrom(@TempDir Path dir) throws IOException {
        Path parameters = writeXorParameters(dir);
        Path model = dir.resolve("xor.onnx");
        assertEquals(
                0,
                run(
                        "export-onnx",
                        "../examples/xor.nn",
                        "--parameters",
                        parameters.toString(),
                        "-o",
                        model.toString()));
        Path back = dir.resolve("back.params");
        assertEquals(
                0,
                run(
                        "import-onnx",
                        "../examples/xor.nn",
                        "--network",
                        "Xor",
                        "--model",
                        model.toString(),
                        "-o",
                        back.toString()),
                err());
        double[] read;
        try (InputStream in = Files.newInputStream(back)) {
            read = ParameterFile.read(in, "Xor", XOR_NAMES, XOR_SHAPES);
        }
        double[] expected = xorWeights();
        for (int i = 0; i < expected.length; i++) {
            // The model stores floats.
            expected[i] = (float) expected[i];
        }
        assertArrayEquals(expected, read);
    }

    @Test
    void aConstructWithoutOnnxFormIsADiagnosticAtItAndWritesNothing(@TempDir Path dir) throws IOException {
        Path spec = dir.resolve("u.nn");
        Files.writeString(spec, """
                network U {
                    input x[2];
                    target y[2];
                    h = dense(x, 2);
                    output mse(h, y);
                    loss mse(h, y);
                    optimizer sgd(lr = 0.1);
                }
                """);
        Path parameters = dir.resolve("u.params");
        try (OutputStream stream = Files.newOutputStream(parameters)) {
            ParameterFile.write(
                    stream, "U", List.of("h.weight", "h.bias"), List.of(new int[] {2, 2}, new int[] {2}), new double[] {
                        1, 2, 3, 4, 5, 6
                    });
        }
        Path model = dir.resolve("u.onnx");
        assertEquals(
                1, run("export-onnx", spec.toString(), "--parameters", parameters.toString(), "-o", model.toString()));
        assertTrue(
                err().contains("u.nn:5:19: error: cannot export 'y' to ONNX: the prediction graph has no targets"),
                err());
        assertTrue(err().contains("^"), err());
        assertFalse(Files.exists(model));
    }

    @Test
    void weightsOfAnotherNetworkAreAnErrorNamingTheFile(@TempDir Path dir) throws IOException {
        Path parameters = writeXorParameters(dir);
        Path model = dir.resolve("m.onnx");
        assertEquals(
                1,
                run(
                        "export-onnx",
                        "../examples/quadratic.nn",
                        "--parameters",
                        parameters.toString(),
                        "-o",
                        model.toString()));
        assertTrue(err().contains("belongs to network 'Xor', not to 'Quadratic'"), err());
        assertFalse(Files.exists(model));
    }

    @Test
    void aMissingOrMisshapedInitializerIsAnErrorNamingIt(@TempDir Path dir) throws IOException {
        Path parameters = writeXorParameters(dir);
        Path model = dir.resolve("xor.onnx");
        assertEquals(
                0,
                run(
                        "export-onnx",
                        "../examples/xor.nn",
                        "--parameters",
                        parameters.toString(),
                        "-o",
                        model.toString()));
        Path wider = dir.resolve("wider.nn");
        Files.writeString(wider, Files.readString(Path.of("../examples/xor.nn")).replace("dense(x, 4,", "dense(x, 5,"));
        Path back = dir.resolve("back.params");
        assertEquals(1, run("import-onnx", wider.toString(), "--model", model.toString(), "-o", back.toString()));
        assertTrue(
                err().contains("initializer 'hidden.weight' has shape [4, 2], but the network's has shape [5, 2]"),
                err());
        Path renamed = dir.resolve("renamed.nn");
        Files.writeString(
                renamed, Files.readString(Path.of("../examples/xor.nn")).replace("hidden", "first"));
        assertEquals(1, run("import-onnx", renamed.toString(), "--model", model.toString(), "-o", back.toString()));
        assertTrue(err().contains("the ONNX file has no floating-point initializer 'first.weight'"), err());
        assertFalse(Files.exists(back));
    }

    @Test
    void usageErrorsSayWhatIsMissing() {
        assertEquals(2, run("export-onnx", "../examples/xor.nn", "-o", "x.onnx"));
        assertTrue(err().contains("no weights; give them with --parameters FILE"), err());
        assertEquals(2, run("import-onnx", "../examples/xor.nn", "--model", "m.onnx"));
        assertTrue(err().contains("no output file"), err());
        assertEquals(1, run("export-onnx", "../examples/iris.nn", "--parameters", "p", "-o", "x.onnx"));
        assertTrue(
                err().contains("the sources declare 2 networks (Iris, IrisScorer); choose one with --network"), err());
        assertEquals(
                2, run("export-onnx", "../examples/xor.nn", "--parameters", "p", "--precision", "half", "-o", "x"));
        assertTrue(err().contains("option --precision takes float or double, found 'half'"), err());
        assertEquals(
                2, run("import-onnx", "../examples/xor.nn", "--model", "m.onnx", "--precision", "double", "-o", "p"));
        assertTrue(err().contains("unknown option '--precision' for 'import-onnx'"), err());
    }
}
