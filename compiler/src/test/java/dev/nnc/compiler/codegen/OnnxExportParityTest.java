package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Precision;
import dev.nnc.compiler.testing.RandomSpecs;
import dev.nnc.runtime.Network;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("zoo")
    void everyMappedConstructPredictsTheSameInOnnxRuntime(Declaration.Network network) {
        GeneratedClasses classes = Examples.compiled(ZOO, zooText());
        Network instance = classes.newInstance(network.name());
        OrtModels.randomizeBuffers(network, instance, 5);
        OrtModels.assertSamePredictions(network, instance, ZOO + ":" + network.name());
    }

    /**
     * The ONNX operators that ONNX Runtime's CPU provider implements in float only: a double model
     * with one of them is valid ONNX that ONNX Runtime refuses to run (docs/interop.md).
     */
    private static final Set<String> FLOAT_ONLY_IN_ORT = Set.of("Conv", "RNN", "GRU", "LSTM", "Elu", "Softplus");

    @ParameterizedTest(name = "{0}")
    @MethodSource("doubleExamples")
    void doubleNetworksExportedInDoublePredictTheSameTo1e12(Case example) {
        Network network = Examples.compiled(example.file())
                .newInstance(example.declaration().name());
        OrtModels.randomizeBuffers(example.declaration(), network, 7);
        assertDoubleExport(example.declaration(), network, example.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zoo")
    void everyMappedConstructInDoubleRunsOrIsOneOntoFloatOnlyOperators(Declaration.Network network) {
        GeneratedClasses classes = Examples.compiled(ZOO, zooText());
        Network instance = classes.newInstance(network.name());
        OrtModels.randomizeBuffers(network, instance, 5);
        assertDoubleExport(network, instance, ZOO + ":" + network.name());
    }

    @Test
    void aDoubleModelOfDenseLayersRunsInDoubleInOnnxRuntime() {
        long exact = doubleExamples()
                .filter(example -> !usesFloatOnlyOperators(
                        example.declaration(),
                        Examples.compiled(example.file())
                                .newInstance(example.declaration().name())))
                .count();
        assertTrue(exact >= 3, "double examples without float-only operators: " + exact);
    }

    /**
     * A double network exported in double predicts in ONNX Runtime what the generated class predicts,
     * to 1e-12, unless the model has an operator ONNX Runtime has in float only: then ONNX Runtime
     * refuses it.
     */
    private static void assertDoubleExport(Declaration.Network declaration, Network network, String where) {
        if (!usesFloatOnlyOperators(declaration, network)) {
            OrtModels.assertSamePredictions(declaration, network, Precision.DOUBLE, 1e-12, where);
            return;
        }
        AssertionError refused = assertThrows(
                AssertionError.class,
                () -> OrtModels.assertSamePredictions(declaration, network, Precision.DOUBLE, 1e-12, where));
        assertTrue(
                refused.getMessage().contains("ORT_NOT_IMPLEMENTED")
                        || refused.getMessage().contains("does not support double"),
                refused::getMessage);
    }

    private static boolean usesFloatOnlyOperators(Declaration.Network declaration, Network network) {
        Set<String> operators = OrtModels.operators(OrtModels.export(declaration, network, Precision.DOUBLE));
        return operators.stream().anyMatch(FLOAT_ONLY_IN_ORT::contains);
    }

    static Stream<Case> doubleExamples() {
        return examples().filter(example -> example.declaration().precision() == Precision.DOUBLE);
    }

    private static final String ZOO = "onnx-zoo.nn";

    static Stream<Declaration.Network> zoo() {
        return Examples.check(ZOO, zooText()).declarations().stream().map(Declaration.Network.class::cast);
    }

    private static String zooText() {
        try {
            return Files.readString(Path.of("src", "test", "resources", "onnx", "zoo.nn"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Seeded random specs: shaped (convolutions, pools, recurrent layers, norms, embeddings) and mixed. */
    static Stream<RandomSpecs.Spec> randomSpecs() {
        List<RandomSpecs.Spec> specs = new ArrayList<>();
        RandomSpecs.Kind[] kinds = {
            RandomSpecs.Kind.SHAPED, RandomSpecs.Kind.MIXED, RandomSpecs.Kind.PARAM_LAYER_INPUT, RandomSpecs.Kind.FLOAT
        };
        for (RandomSpecs.Kind kind : kinds) {
            int count = kind == RandomSpecs.Kind.SHAPED ? 8 : 3;
            for (int i = 0; i < count; i++) {
                String unique = "onnx" + kind.ordinal() + "x" + i;
                specs.add(RandomSpecs.of(
                        kind, new SplittableRandom(1900 + 31L * i + kind.ordinal()), unique, RandomSpecs.Scale.CI));
            }
        }
        return specs.stream();
    }

    @ParameterizedTest(name = "{index}")
    @MethodSource("randomSpecs")
    void randomSpecsPredictTheSameInOnnxRuntime(RandomSpecs.Spec spec) {
        GeneratedClasses classes = GeneratedClasses.compile(spec.fileName(), spec.text());
        for (Declaration declaration :
                Examples.check(spec.fileName(), spec.text()).declarations()) {
            if (declaration instanceof Declaration.Network network) {
                Network instance = classes.newInstance(network.name());
                OrtModels.randomizeBuffers(network, instance, 11);
                OrtModels.assertSamePredictions(network, instance, spec.toString());
            }
        }
    }
}
