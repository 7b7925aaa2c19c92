package dev.nnc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.nnc.runtime.ParameterFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    }
}
