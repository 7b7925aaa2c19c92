package dev.nnc.compiler.graph;

import static dev.nnc.compiler.graph.Specs.add;
import static dev.nnc.compiler.graph.Specs.argument;
import static dev.nnc.compiler.graph.Specs.call;
import static dev.nnc.compiler.graph.Specs.element;
import static dev.nnc.compiler.graph.Specs.lit;
import static dev.nnc.compiler.graph.Specs.matmul;
import static dev.nnc.compiler.graph.Specs.mul;
import static dev.nnc.compiler.graph.Specs.neg;
import static dev.nnc.compiler.graph.Specs.pow;
import static dev.nnc.compiler.graph.Specs.read;
import static dev.nnc.compiler.graph.Specs.sub;

import dev.nnc.compiler.semantic.Builtin;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Shape;
import dev.nnc.compiler.semantic.Symbol;
import dev.nnc.compiler.semantic.Term;
import java.util.List;
import java.util.Optional;

/**
 * The declarations of {@code /work/shared/examples/*.nn}, written as the semantic checker's
 * output, until the front end can produce them.
 */
public final class Examples {
    private Examples() {}

    public static List<Declaration.Network> networks() {
        return List.of(
                perceptron(),
                scalarHidden(),
                quadratic(),
                xor(),
                rbf(),
                iris(),
                irisScorer(),
                explicit(),
                digits(),
                mnistMlp());
    }

    public static List<Declaration.Function> functions() {
        return List.of(gauss(), f(), logisticLoss(), rosenbrock(), chain());
    }

    public static Declaration.Network perceptron() {
        var n = new Specs.NetworkBuilder("Perceptron");
        Term x = n.input("x", Shape.scalar());
        Term y = n.target("y", Shape.scalar());
        Term w1 = n.param("w1", Shape.scalar());
        Term b1 = n.param("b1", Shape.scalar());
        Term a1 = n.define("a1", call(Builtin.SIGMOID, add(mul(w1, x), b1)));
        return n.build(a1, mul(lit(0.5), pow(sub(a1, y), 2)));
    }

    public static Declaration.Network scalarHidden() {
        var n = new Specs.NetworkBuilder("ScalarHidden");
        Term x = n.input("x", Shape.scalar());
        Term y = n.target("y", Shape.scalar());
        Term w1 = n.param("w1", Shape.scalar());
        Term b1 = n.param("b1", Shape.scalar());
        Term w2 = n.param("w2", Shape.scalar());
        Term b2 = n.param("b2", Shape.scalar());
        Term a1 = n.define("a1", call(Builtin.SIGMOID, add(mul(w1, x), b1)));
        Term a2 = n.define("a2", call(Builtin.SIGMOID, add(mul(w2, a1), b2)));
        return n.build(a2, mul(lit(0.5), pow(sub(a2, y), 2)));
    }

    public static Declaration.Network quadratic() {
        var n = new Specs.NetworkBuilder("Quadratic");
        Term x = n.input("x", Shape.vector(2));
        Term y = n.target("y", Shape.vector(1));
        Term hidden = n.dense("hidden", x, 2, Builtin.SIGMOID);
        Term out = n.dense("out", hidden, 1, Builtin.IDENTITY);
        return n.build(out, call(Builtin.SSE, out, y));
    }

    public static Declaration.Network xor() {
        var n = new Specs.NetworkBuilder("Xor");
        Term x = n.input("x", Shape.vector(2));
        Term y = n.target("y", Shape.vector(1));
        Term hidden = n.dense("hidden", x, 4, Builtin.TANH);
        Term out = n.dense("out", hidden, 1, Builtin.SIGMOID);
        return n.build(out, call(Builtin.BINARY_CROSS_ENTROPY, out, y));
    }

    public static Declaration.Network rbf() {
        var n = new Specs.NetworkBuilder("Rbf");
        Term x = n.input("x", Shape.vector(2));
        Term y = n.target("y", Shape.vector(1));
        Term bumps = n.rbf("bumps", x, 8);
        Term out = n.dense("out", bumps, 1, Builtin.IDENTITY);
        return n.build(out, call(Builtin.MSE, out, y));
    }

    public static Declaration.Network iris() {
        var n = new Specs.NetworkBuilder("Iris");
        Term features = n.input("features", Shape.vector(4));
        Term species = n.target("species", Shape.vector(3));
        Term h1 = n.dense("h1", features, 16, Builtin.TANH);
        Term h1drop = n.dropout("h1drop", h1, 0.1);
        Term logits = n.dense("logits", h1drop, 3, Builtin.IDENTITY);
        Term probs = n.define("probs", call(Builtin.SOFTMAX, logits));
        return n.build(probs, call(Builtin.CROSS_ENTROPY, probs, species));
    }

    public static Declaration.Network irisScorer() {
        var n = new Specs.NetworkBuilder("IrisScorer");
        Term features = n.input("features", Shape.vector(4));
        Term h = n.dense("h", features, 16, Builtin.TANH);
        Term scores = n.dense("scores", h, 3, Builtin.IDENTITY);
        return n.build(scores, null);
    }

    public static Declaration.Network explicit() {
        var n = new Specs.NetworkBuilder("Explicit");
        Term x = n.input("x", Shape.vector(3));
        Term y = n.target("y", Shape.vector(2));
        Term w1 = n.param("W1", Shape.matrix(5, 3));
        Term b1 = n.param("b1", Shape.vector(5));
        Term w2 = n.param("W2", Shape.matrix(2, 5));
        Term b2 = n.param("b2", Shape.vector(2));
        Term h1 = n.define("h1", call(Builtin.ELU, 1.0, add(matmul(w1, x), b1)));
        Term h2 = n.define("h2", call(Builtin.LEAKY_RELU, 0.01, add(matmul(w2, h1), b2)));
        Term loss = add(
                add(call(Builtin.MSE, h2, y), mul(lit(1e-3), call(Builtin.L1, w1))),
                mul(lit(1e-3), call(Builtin.L2, w2)));
        return n.build(h2, loss);
    }

    public static Declaration.Network digits() {
        var n = new Specs.NetworkBuilder("Digits");
        Term pixels = n.input("pixels", Shape.vector(64));
        Term label = n.target("label", Shape.vector(10));
        Term hidden = n.dense("hidden", pixels, 32, Builtin.RELU);
        Term logits = n.dense("logits", hidden, 10, Builtin.IDENTITY);
        Term probs = n.define("probs", call(Builtin.SOFTMAX, logits));
        Term weights = call(Builtin.L2, paramRead(hidden, "hidden.weight"), paramRead(logits, "logits.weight"));
        return n.build(probs, add(call(Builtin.CROSS_ENTROPY, probs, label), mul(lit(1e-4), weights)));
    }

    public static Declaration.Network mnistMlp() {
        var n = new Specs.NetworkBuilder("MnistMlp");
        Term image = n.input("image", Shape.vector(784));
        Term label = n.target("label", Shape.vector(10));
        Term h1 = n.dense("h1", image, 256, Builtin.RELU);
        Term h2 = n.dense("h2", h1, 128, Builtin.RELU);
        Term logits = n.dense("logits", h2, 10, Builtin.IDENTITY);
        Term probs = n.define("probs", call(Builtin.SOFTMAX, logits));
        return n.build(probs, call(Builtin.CROSS_ENTROPY, probs, label));
    }

    /** A read of the weight owned by the dense layer held by definition {@code layer}. */
    private static Term paramRead(Term layer, String name) {
        Symbol.Definition definition = (Symbol.Definition) ((Term.Read) layer).symbol();
        Term.Dense dense = (Term.Dense) definition.value();
        if (!dense.weight().name().equals(name)) {
            throw new IllegalArgumentException(name);
        }
        return read(dense.weight());
    }

    public static Declaration.Function gauss() {
        Symbol.Argument x = argument("x", Shape.scalar(), 0);
        return Specs.function("Gauss", call(Builtin.EXP, pow(read(x), 2)), x);
    }

    public static Declaration.Function f() {
        Symbol.Argument x = argument("x", Shape.scalar(), 0);
        Term square = pow(read(x), 2);
        return Specs.function("F", call(Builtin.SQRT, add(square, call(Builtin.EXP, square))), x);
    }

    public static Declaration.Function logisticLoss() {
        Symbol.Argument x = argument("x", Shape.scalar(), 0);
        return Specs.function("LogisticLoss", call(Builtin.LOG, add(lit(1), call(Builtin.EXP, neg(read(x))))), x);
    }

    public static Declaration.Function rosenbrock() {
        Symbol.Argument p = argument("p", Shape.vector(2), 0);
        Term p0 = element(read(p), 0);
        Term p1 = element(read(p), 1);
        Term result = add(pow(sub(lit(1), p0), 2), mul(lit(100), pow(sub(p1, pow(p0, 2)), 2)));
        return Specs.function("Rosenbrock", result, p);
    }

    public static Declaration.Function chain() {
        Symbol.Argument x = argument("x", Shape.scalar(), 0);
        Symbol.Argument y = argument("y", Shape.scalar(), 1);
        Symbol.Definition a = Specs.define("a", mul(read(x), read(y)));
        Symbol.Definition b = Specs.define("b", call(Builtin.SIN, read(a)));
        Symbol.Definition c = Specs.define("c", add(read(a), read(b)));
        return new Declaration.Function(
                "Chain", Specs.span(), Optional.empty(), List.of(x, y), List.of(a, b, c), mul(read(c), read(y)));
    }
}
