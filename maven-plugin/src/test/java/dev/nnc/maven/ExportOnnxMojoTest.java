package dev.nnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.onnx.OnnxWeights;
import dev.nnc.compiler.onnx.Weights;
import dev.nnc.runtime.ParameterFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code export-onnx} goal: a model with the parameter file's weights, or a failure that says why. */
class ExportOnnxMojoTest {
    private static final String SPEC = """
            network Tiny {
                input x[2];
                out = dense(x, 1, activation = sigmoid);
                output out;
            }
            """;

    private static ExportOnnxMojo mojo(Path dir, double... weights) throws IOException {
        Path spec = dir.resolve("tiny.nn");
        Files.writeString(spec, SPEC);
        Path parameters = dir.resolve("tiny.params");
        try (OutputStream out = Files.newOutputStream(parameters)) {
            ParameterFile.write(
                    out, "Tiny", List.of("out.weight", "out.bias"), List.of(new int[] {1, 2}, new int[] {1}), weights);
        }
        ExportOnnxMojo mojo = new ExportOnnxMojo();
        mojo.spec = spec.toFile();
        mojo.parameters = parameters.toFile();
        mojo.onnxFile = dir.resolve("target/tiny.onnx").toFile();
        return mojo;
    }

    @Test
    void writesTheModelWithTheWeightsOfTheParameterFile(@TempDir Path dir) throws Exception {
        ExportOnnxMojo mojo = mojo(dir, 0.5, -0.25, 0.125);
        mojo.execute();
        byte[] model = Files.readAllBytes(mojo.onnxFile.toPath());
        List<Weights.Tensor> tensors = OnnxWeights.matching(
                OnnxWeights.readTensors(new ByteArrayInputStream(model)),
                List.of(new Weights.Slot("out.weight", List.of(1, 2)), new Weights.Slot("out.bias", List.of(1))));
        assertEquals(
                List.of(0.5, -0.25),
                List.of(tensors.get(0).values()[0], tensors.get(0).values()[1]));
        assertEquals(0.125, tensors.get(1).values()[0]);
    }

    @Test
    void inDoubleTheWeightsAreWrittenWithoutRounding(@TempDir Path dir) throws Exception {
        ExportOnnxMojo mojo = mojo(dir, 0.1, -0.2, 0.3);
        mojo.precision = "double";
        mojo.execute();
        List<Weights.Tensor> tensors = OnnxWeights.matching(
                OnnxWeights.readTensors(new ByteArrayInputStream(Files.readAllBytes(mojo.onnxFile.toPath()))),
                List.of(new Weights.Slot("out.weight", List.of(1, 2)), new Weights.Slot("out.bias", List.of(1))));
        assertEquals(
                List.of(0.1, -0.2),
                List.of(tensors.get(0).values()[0], tensors.get(0).values()[1]));
        assertEquals(0.3, tensors.get(1).values()[0]);
    }

    @Test
    void aPrecisionOtherThanFloatOrDoubleFailsTheGoalAndWritesNothing(@TempDir Path dir) throws IOException {
        ExportOnnxMojo mojo = mojo(dir, 0.5, -0.25, 0.125);
        mojo.precision = "half";
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertEquals("nnc: precision (nnc.onnxPrecision) must be float or double, found 'half'", e.getMessage());
        assertFalse(Files.exists(mojo.onnxFile.toPath()));
    }

    @Test
    void aParameterFileOfAnotherShapeFailsTheGoalAndWritesNothing(@TempDir Path dir) throws IOException {
        ExportOnnxMojo mojo = mojo(dir, 0.5, -0.25, 0.125);
        Files.writeString(mojo.spec.toPath(), SPEC.replace("dense(x, 1,", "dense(x, 3,"));
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(
                e.getMessage().contains("parameter 'out.weight' has shape [3, 2], but the file has shape [1, 2]"),
                e.getMessage());
        assertFalse(Files.exists(mojo.onnxFile.toPath()));
    }

    @Test
    void anUnknownNetworkFailsTheGoalNamingTheDeclaredOnes(@TempDir Path dir) throws IOException {
        ExportOnnxMojo mojo = mojo(dir, 0.5, -0.25, 0.125);
        mojo.network = "Huge";
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertEquals("nnc: no network 'Huge' in the sources; they declare Tiny", e.getMessage());
    }
}
