package dev.nnc.compiler.semantic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.diagnostic.SourceFile;
import dev.nnc.compiler.frontend.FrontEnd;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SemanticCheckerTest {
    private final Diagnostics diagnostics = new Diagnostics();

    private CheckedUnit check(String name, String text, Optional<String> defaultPackage) {
        var unit = FrontEnd.parse(SourceFile.of(name, text), diagnostics).orElseThrow();
        return SemanticChecker.check(unit, defaultPackage, diagnostics)
                .orElseThrow(() -> new AssertionError(diagnostics.sorted()));
    }

    private Declaration.Network network(String body) {
        return (Declaration.Network) check("t.nn", "network N {\n" + body + "\n}", Optional.empty())
                .declarations()
                .get(0);
    }

    @Test
    void denseOwnsWeightAndBiasNamedAfterItsDefinition() {
        var network = network("input x[3]; target y[2]; h = dense(x, 4, activation = relu, init = he_normal);"
                + " out = dense(h, 2, bias = false); output out; loss mse(out, y); optimizer adam;");
        assertEquals(
                List.of("h.weight", "h.bias", "out.weight"),
                network.parameters().stream().map(Symbol.Param::name).toList());
        assertEquals(Shape.matrix(4, 3), network.parameters().get(0).shape());
        assertEquals(
                Initializer.Kind.HE_NORMAL,
                network.parameters().get(0).initializer().kind());
        assertEquals(
                Initializer.Kind.ZEROS,
                network.parameters().get(1).initializer().kind());
        assertEquals(
                Initializer.Kind.GLOROT_UNIFORM,
                network.parameters().get(2).initializer().kind());
        assertEquals(4 * 3 + 4 + 2 * 4, network.parameterCount());
    }

    @Test
    void rbfOwnsCentersAndWidthsWithTheirDefaultInitializers() {
        var network = network("input x[2]; target y[1]; b = rbf(x, 8); out = dense(b, 1); output out;"
                + " loss mse(out, y); optimizer sgd(lr = 0.1);");
        Symbol.Param centers = network.parameters().get(0);
        assertEquals("b.centers", centers.name());
        assertEquals(new Initializer(Initializer.Kind.UNIFORM, 0, 1), centers.initializer());
        assertFalse(centers.isWeight());
        assertEquals(
                Initializer.Kind.ONES, network.parameters().get(1).initializer().kind());
    }

    @Test
    void weightsExpandsToEveryWeightMatrixAndNoBias() {
        var network = network("input x[2]; target y[1]; param W[3, 2]; param b[3]; h = W @ x + b;"
                + " out = dense(h, 1); output out; loss mse(out, y) + 0.1 * l2(weights); optimizer adam;");
        var loss = (Term.Arithmetic) network.loss().orElseThrow();
        var scaled = (Term.Arithmetic) loss.right();
        var l2 = (Term.Apply) scaled.right();
        assertEquals(
                List.of("W", "out.weight"),
                l2.arguments().stream()
                        .map(t -> ((Term.Read) t).symbol().name())
                        .toList());
    }

    @Test
    void foldsConstantsIntoLiterals() {
        var network = network("const k = 2; input x; output x * (k ^ 3 - 1);");
        var product = (Term.Arithmetic) network.output();
        assertEquals(new Term.Literal(7, product.right().span()), product.right());
    }

    @Test
    void fillsOptimizerDefaults() {
        var network = network("input x[2]; target y[1]; out = dense(x, 1); output out; loss mse(out, y);"
                + " optimizer sgd(lr = 0.05, momentum = 0.9, nesterov = true, clip_norm = 10);");
        OptimizerSpec spec = network.optimizer().orElseThrow();
        assertEquals(OptimizerSpec.Kind.SGD, spec.kind());
        assertEquals(0.05, spec.lr());
        assertTrue(spec.nesterov());
        assertEquals(10, spec.clipNorm().getAsDouble());
        assertTrue(spec.clipValue().isEmpty());
        assertEquals(1e-8, spec.eps());
    }

    @Test
    void laysInputsOutInDeclarationOrder() {
        var network = network("input a[3]; input b; input c[2]; out = sum(a) + b + sum(c); output out;");
        assertEquals(
                List.of(0, 3, 4),
                network.inputs().stream().map(Symbol.Input::offset).toList());
        assertEquals(6, network.inputSize());
    }

    @Test
    void packageComesFromThePackageLineElseTheDefault() {
        assertEquals(
                "a.b",
                check("t.nn", "package a.b; function F(x) = x;", Optional.of("c"))
                        .packageName());
        assertEquals("c", check("t.nn", "function F(x) = x;", Optional.of("c")).packageName());
        assertEquals("", check("t.nn", "function F(x) = x;", Optional.empty()).packageName());
    }

    @Test
    void reportsTheSameClassFromTwoFiles() {
        List<CheckedUnit> units = new ArrayList<>();
        units.add(check("a.nn", "function Mlp(x) = x;", Optional.of("p")));
        units.add(check("b.nn", "function Mlp(x) = 2 * x;", Optional.of("p")));
        SemanticChecker.checkClassCollisions(units, diagnostics);
        var errors = diagnostics.sorted();
        assertEquals(1, errors.size());
        assertEquals(DiagnosticCode.NAME_CLASS_COLLISION, errors.get(0).code());
        assertEquals("b.nn", errors.get(0).span().file());
        assertEquals("a.nn", errors.get(0).notes().get(0).span().file());
    }

    @Test
    void reportsClassNamesThatDifferOnlyInCaseAcrossFiles() {
        List<CheckedUnit> units = new ArrayList<>();
        units.add(check("a.nn", "function Mlp(x) = x;", Optional.empty()));
        units.add(check("b.nn", "function MLP(x) = x;", Optional.empty()));
        SemanticChecker.checkClassCollisions(units, diagnostics);
        assertTrue(diagnostics.sorted().get(0).help().orElseThrow().contains("case"));
    }

    @Test
    void acceptsTheSameNameInDifferentPackages() {
        List<CheckedUnit> units = new ArrayList<>();
        units.add(check("a.nn", "function Mlp(x) = x;", Optional.of("p")));
        units.add(check("b.nn", "function Mlp(x) = x;", Optional.of("q")));
        SemanticChecker.checkClassCollisions(units, diagnostics);
        assertFalse(diagnostics.hasErrors());
    }
}
