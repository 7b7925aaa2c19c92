package dev.nnc.compiler.semantic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.diagnostic.Diagnostic;
import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.diagnostic.SourceFile;
import dev.nnc.compiler.frontend.FrontEnd;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Version 2 of the language: shaped tensors, convolutions, pools, reshape, concat and slices. */
class ShapedTensorsTest {
    private final Diagnostics diagnostics = new Diagnostics();

    private Optional<CheckedUnit> check(String body) {
        var unit = FrontEnd.parse(SourceFile.of("t.nn", "network N {\n" + body + "\n}"), diagnostics)
                .orElseThrow(() -> new AssertionError(diagnostics.sorted()));
        return SemanticChecker.check(unit, Optional.empty(), diagnostics);
    }

    private Declaration.Network network(String body) {
        return (Declaration.Network) check(body)
                .orElseThrow(() -> new AssertionError(diagnostics.sorted()))
                .declarations()
                .get(0);
    }

    /** The value of definition {@code name}. */
    private static Term value(Declaration.Network network, String name) {
        return network.definitions().stream()
                .filter(d -> d.name().equals(name))
                .findFirst()
                .orElseThrow()
                .value();
    }

    private static Symbol.Param parameter(Declaration.Network network, String name) {
        return network.parameters().stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    /** The one error the body gives. */
    private Diagnostic error(String body) {
        assertTrue(check(body).isEmpty(), "expected an error");
        List<Diagnostic> errors = diagnostics.sorted();
        assertEquals(1, errors.size(), errors.toString());
        return errors.get(0);
    }

    private static final String CNN = "input x[1, 8, 8]; target y[10];"
            + " c = conv2d(x, 4, 3, padding = 1, activation = relu); p = max_pool2d(c, 2); f = flatten(p);"
            + " out = softmax(dense(f, 10)); output out; loss cross_entropy(out, y); optimizer adam;";

    @Test
    void declaresInputsOfUpToFourDimensions() {
        var network = network("input x[2, 3, 4, 5]; output x * 2;");
        assertEquals(Shape.of(2, 3, 4, 5), network.output().shape());
    }

    @Test
    void aSmallCnnHasPyTorchShapesAndParameters() {
        var network = network(CNN);
        Term.Conv conv = assertInstanceOf(Term.Conv.class, value(network, "c"));
        assertEquals(Shape.of(4, 8, 8), conv.shape());
        assertEquals(Builtin.RELU, conv.activation());
        assertEquals(List.of(3, 3), conv.window().kernel());
        assertEquals(List.of(1, 1), conv.window().padBegin());
        assertEquals(List.of(1, 1), conv.window().padEnd());
        assertEquals(List.of(1, 1), conv.window().stride());
        assertEquals(List.of(1, 1), conv.window().dilation());
        Term.Pool pool = assertInstanceOf(Term.Pool.class, value(network, "p"));
        assertEquals(Term.Pool.Kind.MAX, pool.kind());
        assertEquals(Shape.of(4, 4, 4), pool.shape());
        assertEquals(List.of(2, 2), pool.window().stride());
        assertEquals(Shape.vector(64), value(network, "f").shape());
        Symbol.Param weight = parameter(network, "c.weight");
        assertEquals(Shape.of(4, 1, 3, 3), weight.shape());
        assertEquals(Initializer.Kind.GLOROT_UNIFORM, weight.initializer().kind());
        assertTrue(weight.isWeight());
        Symbol.Param bias = parameter(network, "c.bias");
        assertEquals(Shape.vector(4), bias.shape());
        assertEquals(Initializer.Kind.ZEROS, bias.initializer().kind());
        assertEquals(Shape.matrix(10, 64), parameter(network, "out.weight").shape());
        assertEquals(4 * 9 + 4 + 640 + 10, network.parameterCount());
        // The loss reaches the convolution's parameters: no "unused parameter" warning.
        assertEquals(List.of(), diagnostics.sorted());
    }

    @Test
    void convolutionDefaultsAreStrideOnePaddingZeroDilationOneIdentityAndBias() {
        var network = network("input x[3, 10]; c = conv1d(x, 5, 3); output c;");
        Term.Conv conv = assertInstanceOf(Term.Conv.class, value(network, "c"));
        assertEquals(Shape.matrix(5, 8), conv.shape());
        assertEquals(new Term.Window(List.of(3), List.of(1), List.of(0), List.of(0), List.of(1)), conv.window());
        assertEquals(Builtin.IDENTITY, conv.activation());
        assertTrue(conv.bias().isPresent());
        assertEquals(Shape.of(5, 3, 3), conv.weight().shape());
    }

    @Test
    void convolutionOptionsFollowPyTorchsOutputFormula() {
        // floor((9 + 2*2 - 2*(3-1) - 1)/2) + 1 = 5 and floor((12 + 2*0 - 1*(5-1) - 1)/3) + 1 = 3
        var network = network("input x[2, 9, 12]; c = conv2d(x, 6, [3, 5], stride = [2, 3], padding = [2, 0],"
                + " dilation = [2, 1], bias = false, init = he_normal); output c;");
        Term.Conv conv = assertInstanceOf(Term.Conv.class, value(network, "c"));
        assertEquals(Shape.of(6, 5, 3), conv.shape());
        assertTrue(conv.bias().isEmpty());
        assertEquals(
                List.of("c.weight"),
                network.parameters().stream().map(Symbol.Param::name).toList());
        assertEquals(Shape.of(6, 2, 3, 5), conv.weight().shape());
        assertEquals(Initializer.Kind.HE_NORMAL, conv.weight().initializer().kind());
    }

    @Test
    void samePaddingSplitsTheWindowWithTheExtraPaddingAtTheEnd() {
        var network = network(
                "input x[1, 7, 7]; c = conv2d(x, 2, [4, 3], padding = same, dilation = [1, 2]);" + " output c;");
        Term.Conv conv = assertInstanceOf(Term.Conv.class, value(network, "c"));
        assertEquals(Shape.of(2, 7, 7), conv.shape());
        assertEquals(List.of(1, 2), conv.window().padBegin());
        assertEquals(List.of(2, 2), conv.window().padEnd());
    }

    @Test
    void poolsDefaultTheirStrideToTheirSizeAndTakePadding() {
        var network = network("input x[3, 9]; a = avg_pool1d(x, 3, padding = 1); m = max_pool1d(x, 2, stride = 1);"
                + " output sum(a) + sum(m);");
        Term.Pool average = assertInstanceOf(Term.Pool.class, value(network, "a"));
        assertEquals(Term.Pool.Kind.AVERAGE, average.kind());
        assertEquals(Shape.matrix(3, 3), average.shape());
        assertEquals(List.of(3), average.window().stride());
        assertEquals(Shape.matrix(3, 8), value(network, "m").shape());
        assertTrue(network.parameters().isEmpty());
    }

    @Test
    void globalPoolsKeepOneValuePerChannel() {
        var network = network("input x[5, 4, 3]; a = global_avg_pool(x); m = global_max_pool(x); output a + m;");
        Term.GlobalPool average = assertInstanceOf(Term.GlobalPool.class, value(network, "a"));
        assertEquals(Term.Pool.Kind.AVERAGE, average.kind());
        assertEquals(Shape.vector(5), average.shape());
        assertEquals(Term.Pool.Kind.MAX, ((Term.GlobalPool) value(network, "m")).kind());
    }

    @Test
    void reshapeFlattenConcatAndSlicesHaveTheirShapes() {
        var network = network(
                "input x[2, 3, 4]; input v[4];"
                        + " r = reshape(x, [6, 4]); f = flatten(x); c = concat(r, x[1], reshape(v, [1, 4 + 2 - 2]));"
                        + " s = x[1:2]; t = c[:3]; u = v[2:]; e = v[3]; output sum(f) + sum(c) + sum(s) + sum(t) + sum(u) + e;");
        assertEquals(Shape.matrix(6, 4), value(network, "r").shape());
        assertEquals(Shape.vector(24), value(network, "f").shape());
        Term.Concat concat = assertInstanceOf(Term.Concat.class, value(network, "c"));
        assertEquals(Shape.matrix(10, 4), concat.shape());
        Term.Reshape row = assertInstanceOf(Term.Reshape.class, concat.parts().get(1));
        assertEquals(Shape.matrix(3, 4), row.shape());
        Term.Slice rowSlice = assertInstanceOf(Term.Slice.class, row.input());
        assertEquals(1, rowSlice.from());
        assertEquals(2, rowSlice.to());
        Term.Slice s = assertInstanceOf(Term.Slice.class, value(network, "s"));
        assertEquals(Shape.of(1, 3, 4), s.shape());
        assertEquals(Shape.matrix(3, 4), value(network, "t").shape());
        assertEquals(Shape.vector(2), value(network, "u").shape());
        assertInstanceOf(Term.Element.class, value(network, "e"));
    }

    @Test
    void elementwiseFunctionsDropoutAndReductionsWorkOnAnyShape() {
        var network = network("input x[2, 3, 4]; target y[2, 3, 4]; param b[2, 3, 4] = normal(0, 1);"
                + " h = dropout(tanh(x * b + 1), 0.5); output h; loss mse(h, y) + mean(h); optimizer sgd(lr = 0.1);");
        assertEquals(Shape.of(2, 3, 4), network.output().shape());
    }

    @Test
    void fanBasedInitializersAcceptConvolutionWeights() {
        var network = network("input x[1, 4]; param k[3, 2, 5] = he_uniform; output sum(x);");
        assertEquals(
                Initializer.Kind.HE_UNIFORM,
                parameter(network, "k").initializer().kind());
    }

    @Test
    void aConvolutionIsTheOneLayerOfItsDefinition() {
        assertEquals(
                DiagnosticCode.LAYER_NESTED,
                error("input x[1, 6]; h = dense(flatten(conv1d(x, 2, 3)), 3); output h;")
                        .code());
    }

    @Test
    void poolsAndShapeFunctionsNeedNoDefinition() {
        var network = network("input x[1, 6, 6]; output flatten(max_pool2d(x, 2));");
        assertEquals(Shape.vector(9), network.output().shape());
    }

    @Test
    void denseOfATensorSuggestsFlatten() {
        Diagnostic error = error("input x[2, 8, 8]; h = dense(x, 3); output h;");
        assertEquals(DiagnosticCode.SHAPE_EXPECTED, error.code());
        assertEquals(
                "write flatten(x) to use its 128 elements as a vector",
                error.help().orElseThrow());
    }

    @Test
    void emptyOutputsShowTheArithmetic() {
        Diagnostic error = error("input x[1, 8, 8]; c = conv2d(x, 4, 9); output c;");
        assertEquals(DiagnosticCode.SHAPE_EMPTY_OUTPUT, error.code());
        assertEquals("'conv2d' has an empty output: height (8 + 2*0 - 1*(9-1) - 1)/1 + 1 = 0", error.message());
    }

    @Test
    void reportsEveryMisuseWithItsCode() {
        List<String> bodies = List.of(
                "input x[1, 2, 3, 4, 5]; output x;",
                "input x[8]; c = conv1d(x, 2, 3); output c;",
                "input x[2, 8]; c = conv1d(x, 2, [3, 3]); output c;",
                "input x[2, 8, 8]; c = conv2d(x, 2, [3, 3, 3]); output c;",
                "input x[2, 8, 8]; c = conv2d(x, 2, 3, stride = 2, padding = same); output c;",
                "input x[2, 8, 8]; c = conv2d(x, 2, 2.5); output c;",
                "input x[2, 8, 8]; c = conv2d(x, 2, 3, padding = -1); output c;",
                "input x[2, 8, 8]; c = conv2d(x, 0, 3); output c;",
                "input x[2, 8]; c = max_pool1d(x, 3, padding = 2); output c;",
                "input x[2, 8]; c = max_pool1d(x, 3, padding = same); output c;",
                "input x[2, 8]; c = avg_pool1d(x, 9); output c;",
                "input x[2, 8]; output reshape(x, [3, 5]);",
                "input x[2, 8]; output reshape(x, 16);",
                "input x[2, 8]; output reshape(x, [1, 1, 2, 2, 4]);",
                "input x[2, 8]; input z[2, 7]; output concat(x, z);",
                "input x[2, 8]; input s; output concat(x, s);",
                "input x[2, 8]; output concat(x);",
                "input x[2, 8]; output concat(x, x, axis = 1);",
                "input x[4, 3]; output x[2:5];",
                "input x[4, 3]; output x[3:3];",
                "input x[4, 3]; output x[4];",
                "input x[4, 3]; output x[0.5:2];",
                "input x; output x[0:1];",
                "input x[8]; output global_avg_pool(x);",
                "input x[8]; output relu([1, 2]);",
                "input x[2, 3, 4]; param w[5, 2]; output w @ x;");
        List<DiagnosticCode> expected = List.of(
                DiagnosticCode.SHAPE_RANK,
                DiagnosticCode.SHAPE_EXPECTED,
                DiagnosticCode.ARGUMENT_KIND,
                DiagnosticCode.ARGUMENT_KIND,
                DiagnosticCode.ARGUMENT_SAME_NEEDS_STRIDE_1,
                DiagnosticCode.LITERAL_NOT_INTEGER,
                DiagnosticCode.ARGUMENT_RANGE,
                DiagnosticCode.SHAPE_BAD_DIMENSION,
                DiagnosticCode.ARGUMENT_RANGE,
                DiagnosticCode.ARGUMENT_KIND,
                DiagnosticCode.SHAPE_EMPTY_OUTPUT,
                DiagnosticCode.SHAPE_RESHAPE,
                DiagnosticCode.ARGUMENT_KIND,
                DiagnosticCode.SHAPE_RANK,
                DiagnosticCode.SHAPE_CONCAT,
                DiagnosticCode.SHAPE_EXPECTED,
                DiagnosticCode.ARGUMENT_COUNT,
                DiagnosticCode.ARGUMENT_UNKNOWN,
                DiagnosticCode.SHAPE_SLICE_OUT_OF_RANGE,
                DiagnosticCode.SHAPE_SLICE_EMPTY,
                DiagnosticCode.SHAPE_INDEX_OUT_OF_RANGE,
                DiagnosticCode.LITERAL_NOT_INTEGER,
                DiagnosticCode.SHAPE_EXPECTED,
                DiagnosticCode.SHAPE_EXPECTED,
                DiagnosticCode.LITERAL_LIST,
                DiagnosticCode.SHAPE_EXPECTED);
        for (int i = 0; i < bodies.size(); i++) {
            Diagnostics fresh = new Diagnostics();
            var unit = FrontEnd.parse(SourceFile.of("t.nn", "network N {\n" + bodies.get(i) + "\n}"), fresh)
                    .orElseThrow(() -> new AssertionError(fresh.sorted()));
            assertTrue(SemanticChecker.check(unit, Optional.empty(), fresh).isEmpty(), bodies.get(i));
            List<Diagnostic> errors = fresh.sorted();
            assertEquals(1, errors.size(), bodies.get(i) + ": " + errors);
            assertEquals(expected.get(i), errors.get(0).code(), bodies.get(i) + ": " + errors);
        }
        assertFalse(diagnostics.hasErrors());
    }
}
