package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.onnx.OnnxWeights;
import dev.nnc.runtime.Network;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A model exported by PyTorch ({@code torch.onnx.export}, script in {@code src/test/python}) lends
 * its weights by name to the same architecture written in nnc, which then predicts what PyTorch
 * predicted, to 1e-6.
 */
class OnnxPyTorchFixtureTest {
    private static final Path DIRECTORY = Path.of("src", "test", "resources", "onnx");

    @Test
    void weightsFromPyTorchsOnnxExportPredictWhatPyTorchPredicts() throws IOException {
        Network network = Examples.compiled("torch_net.nn", Files.readString(DIRECTORY.resolve("torch_net.nn")))
                .newInstance("TorchNet");
        try (InputStream in = Files.newInputStream(DIRECTORY.resolve("torch_net.onnx"))) {
            OnnxWeights.read(in, network);
        }
        List<String> lines = Files.readAllLines(DIRECTORY.resolve("torch_net.expected.txt")).stream()
                .filter(line -> !line.startsWith("#"))
                .toList();
        assertEquals(10, lines.size());
        for (int s = 0; s < lines.size(); s += 2) {
            double[] x = numbers(lines.get(s));
            double[] expected = numbers(lines.get(s + 1));
            double[] predicted = new double[network.outputSize()];
            network.predict(x, predicted);
            for (int k = 0; k < expected.length; k++) {
                assertEquals(expected[k], predicted[k], 1e-6, "sample " + s / 2 + ", output " + k);
            }
        }
    }

    private static double[] numbers(String line) {
        return Arrays.stream(line.trim().split(" "))
                .mapToDouble(Double::parseDouble)
                .toArray();
    }
}
