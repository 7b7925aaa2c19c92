package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.onnx.OnnxWeights;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.runtime.Network;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Weights out through an ONNX export and back in with {@link OnnxWeights#read}: parameters and
 * buffers arrive by name; a file that does not fit leaves the network as it was.
 */
class OnnxWeightsRoundTripTest {
    private static final String FILE = "normalized.nn";

    private static Declaration.Network declaration() {
        return (Declaration.Network) Examples.checked(FILE).declarations().get(0);
    }

    private static Network trained() {
        Network network = Examples.compiled(FILE).newInstance("Normalized");
        OrtModels.randomizeBuffers(declaration(), network, 3);
        return network;
    }

    private static double[] asFloats(double[] values) {
        double[] rounded = values.clone();
        for (int i = 0; i < rounded.length; i++) {
            rounded[i] = (float) rounded[i];
        }
        return rounded;
    }

    @Test
    void readingAnExportIntoAFreshInstanceGivesTheSameParametersAndBuffers() throws IOException {
        Network source = trained();
        byte[] model = OrtModels.export(declaration(), source);
        Network fresh = Examples.compiled(FILE).newInstance("Normalized");
        OnnxWeights.read(new ByteArrayInputStream(model), fresh);
        assertArrayEquals(asFloats(Networks.parameters(source)), Networks.parameters(fresh));
        assertArrayEquals(asFloats(Networks.buffers(source)), Networks.buffers(fresh));
    }

    @Test
    void aTruncatedOrMalformedFileLeavesTheNetworkUnchanged() {
        byte[] model = OrtModels.export(declaration(), trained());
        Network target = Examples.compiled(FILE).newInstance("Normalized");
        double[] parameters = Networks.parameters(target);
        double[] buffers = Networks.buffers(target);
        byte[] truncated = Arrays.copyOf(model, model.length - 10);
        IOException cut =
                assertThrows(IOException.class, () -> OnnxWeights.read(new ByteArrayInputStream(truncated), target));
        assertTrue(cut.getMessage().contains("byte offset"), cut.getMessage());
        byte[] badWire = model.clone();
        // The first tag (ir_version, field 1, varint) becomes field 7 (graph) with the varint's wire type.
        badWire[0] = 7 << 3;
        IOException wire =
                assertThrows(IOException.class, () -> OnnxWeights.read(new ByteArrayInputStream(badWire), target));
        assertTrue(wire.getMessage().contains("ModelProto.graph has wire type 0, expected 2"), wire.getMessage());
        assertArrayEquals(parameters, Networks.parameters(target));
        assertArrayEquals(buffers, Networks.buffers(target));
    }

    @Test
    void aMissingOrMisshapedTensorLeavesTheNetworkUnchanged() {
        // The model of digits.nn has hidden.weight [32, 64]; a network with 16 hidden units does not fit it.
        Network digits = Examples.compiled("digits.nn").newInstance("Digits");
        byte[] model = OrtModels.export(
                (Declaration.Network)
                        Examples.checked("digits.nn").declarations().get(0),
                digits);
        String narrow = Examples.text("digits.nn").replace("dense(pixels, 32,", "dense(pixels, 16,");
        Network target = Examples.compiled("digits16.nn", narrow).newInstance("Digits");
        double[] parameters = Networks.parameters(target);
        IOException shape =
                assertThrows(IOException.class, () -> OnnxWeights.read(new ByteArrayInputStream(model), target));
        assertTrue(
                shape.getMessage()
                        .contains(
                                "initializer 'hidden.weight' has shape [32, 64], but the network's has shape [16, 64]"),
                shape.getMessage());
        assertArrayEquals(parameters, Networks.parameters(target));

        Network normalized = Examples.compiled(FILE).newInstance("Normalized");
        double[] before = Networks.parameters(normalized);
        IOException missing =
                assertThrows(IOException.class, () -> OnnxWeights.read(new ByteArrayInputStream(model), normalized));
        assertTrue(
                missing.getMessage().contains("the ONNX file has no floating-point initializer 'c1.weight'"),
                missing.getMessage());
        assertArrayEquals(before, Networks.parameters(normalized));
    }
}
