package dev.nnc.compiler.codegen;

import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.runtime.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every network of {@code examples/} exported to ONNX and run in ONNX Runtime predicts what the
 * generated class predicts, to 1e-5 in float; float networks are exported as they are (not their
 * double twins), batch_norm's running statistics moved away from their starting values.
 */
class OnnxExportParityTest {
    record Case(String file, Declaration.Network declaration) {
        @Override
        public String toString() {
            return file + ":" + declaration.name();
        }
    }

    static Stream<Case> examples() {
        List<Case> cases = new ArrayList<>();
        for (String file : Examples.files()) {
            for (Declaration declaration : Examples.checked(file).declarations()) {
                if (declaration instanceof Declaration.Network network) {
                    cases.add(new Case(file, network));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void onnxRuntimePredictsWhatTheGeneratedClassPredicts(Case example) {
        Network network = Examples.compiled(example.file())
                .newInstance(example.declaration().name());
        OrtModels.randomizeBuffers(example.declaration(), network, 7);
        OrtModels.assertSamePredictions(example.declaration(), network, example.toString());
    }
}
