package dev.nnc.compiler.onnx;

import dev.nnc.compiler.diagnostic.SourceSpan;
import dev.nnc.compiler.onnx.OnnxProto.Attribute;
import dev.nnc.compiler.semantic.Builtin;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Shape;
import dev.nnc.compiler.semantic.Symbol;
import dev.nnc.compiler.semantic.Term;
import dev.nnc.compiler.semantic.TermGraph;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * Translates the prediction of a checked network, term by term, into ONNX nodes over a batch.
 *
 * <p>A value that depends on an input is <em>batched</em>: its ONNX shape is {@code [N, *shape]},
 * where {@code shape} is the term's per-sample shape ({@code [N]} for a scalar). A value of
 * parameters and constants alone is not: its ONNX shape is the term's shape, and numpy-style
 * broadcasting lines it up with batched values of the same shape. The one place that needs help is
 * a batched scalar against a tensor, which {@link #align} reshapes to {@code [N, 1, ..., 1]};
 * operators that need a batch axis ({@code Gemm}, {@code Conv}, ...) give a constant operand one of
 * length 1 and take it off again.
 *
 * <p>Layers become the operator people know from PyTorch's exports, the node named after the
 * definition that holds the layer ({@code Gemm} {@code hidden}); the value of a definition keeps the
 * definition's name, intermediate values are named {@code definition/Operator}.
 */
final class GraphExport {
    /** A term's ONNX value: its name, its per-sample shape and whether it has a batch axis. */
    record Value(String name, Shape shape, boolean batched) {}

    /** A construct that has no ONNX form: where it is, what it is and why. */
    static final class Unsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient SourceSpan span;
        private final String construct;

        Unsupported(SourceSpan span, String construct, String reason) {
            super(reason);
            this.span = span;
            this.construct = construct;
        }

        SourceSpan span() {
            return span;
        }

        String construct() {
            return construct;
        }
    }

    private final Nodes nodes;
    private final Map<Term, Value> values = new IdentityHashMap<>();
    private final Map<Term, String> definitionNames = new IdentityHashMap<>();
    private final Map<Term, String> scopes = new IdentityHashMap<>();
    private final Value batchReference;
    private final Map<String, Value> inputs;

    private GraphExport(Nodes nodes, Map<String, Value> inputs, Declaration.Network network) {
        this.nodes = nodes;
        this.batchReference = inputs.values().iterator().next();
        for (Symbol.Definition definition : network.definitions()) {
            definitionNames.putIfAbsent(definition.value(), definition.name());
            assignScope(definition.value(), definition.name());
        }
        assignScope(network.output(), "output");
        this.inputs = inputs;
    }

    /**
     * The prediction of {@code network} as nodes added to {@code nodes}, whose graph inputs are
     * {@code inputs} by spec name; returns the name of the graph output, {@code outputName} unless
     * that is taken: a batched value (an output of constants alone is repeated over the batch).
     *
     * @throws Unsupported if a term has no ONNX form
     */
    static String export(Nodes nodes, Map<String, Value> inputs, Declaration.Network network, String outputName) {
        GraphExport export = new GraphExport(nodes, inputs, network);
        for (Term term : TermGraph.postOrder(network.output())) {
            export.values.put(term, export.lower(term));
        }
        Value value = export.values.get(network.output());
        Value batched = value.batched() ? value : export.expand(value, "output");
        if (batched.name().equals(outputName) && !inputs.containsKey(outputName)) {
            return outputName;
        }
        return nodes.add("Identity", "output/Identity", outputName, List.of(batched.name()));
    }

    // ------------------------------------------------------------------------------------------
    // Traversal and names

    /** Gives the terms of {@code root} that no earlier definition owns the scope {@code scope}. */
    private void assignScope(Term root, String scope) {
        Deque<Term> work = new ArrayDeque<>();
        work.push(root);
        while (!work.isEmpty()) {
            Term term = work.pop();
            if (scopes.containsKey(term)) {
                continue;
            }
            scopes.put(term, scope);
            if (!(term instanceof Term.Read)) {
                term.operands().forEach(work::push);
            }
        }
    }

    private String scope(Term term) {
        return scopes.getOrDefault(term, "output");
    }

    /** The name of {@code term}'s value: its definition's name, else {@code scope/op}. */
    private String resultName(Term term, String op) {
        String definition = definitionNames.get(term);
        return definition != null ? definition : scope(term) + "/" + op;
    }

    private Value of(Term term) {
        return values.get(term);
    }

    // ------------------------------------------------------------------------------------------
    // Terms

    private Value lower(Term term) {
        if (term instanceof Term.Literal literal) {
            return new Value(
                    nodes.reals("const/" + (float) literal.value(), List.of(), literal.value()), Shape.scalar(), false);
        } else if (term instanceof Term.Read read) {
            return read(read);
        } else if (term instanceof Term.Negate negate) {
            return unary(term, "Neg", of(negate.operand()));
        } else if (term instanceof Term.Arithmetic arithmetic) {
            String op = switch (arithmetic.op()) {
                case ADD -> "Add";
                case SUBTRACT -> "Sub";
                case MULTIPLY -> "Mul";
                case DIVIDE -> "Div";
            };
            return binary(term, op, of(arithmetic.left()), of(arithmetic.right()), arithmetic.shape());
        } else if (term instanceof Term.MatMul matMul) {
            return matMul(matMul);
        } else if (term instanceof Term.Power power) {
            return power(power);
        } else if (term instanceof Term.Element element) {
            Value vector = of(element.vector());
            String index = nodes.int64Scalar(scope(term) + "/index", element.index());
            String out = nodes.add(
                    "Gather",
                    scope(term) + "/Gather",
                    resultName(term, "Gather"),
                    List.of(vector.name(), index),
                    Attribute.of("axis", vector.batched() ? 1L : 0L));
            return new Value(out, Shape.scalar(), vector.batched());
        } else if (term instanceof Term.Apply apply) {
            return apply(apply);
        } else if (term instanceof Term.Dense dense) {
            return dense(dense);
        } else if (term instanceof Term.Rbf rbf) {
            return rbf(rbf);
        } else if (term instanceof Term.Dropout dropout) {
            // Prediction: dropout is the identity, and the exported graph is the prediction.
            return of(dropout.input());
        } else if (term instanceof Term.Conv conv) {
            return conv(conv);
        } else if (term instanceof Term.Recurrent recurrent) {
            return recurrent(recurrent);
        } else if (term instanceof Term.BatchNorm norm) {
            return batchNorm(norm);
        } else if (term instanceof Term.LayerNorm norm) {
            return layerNorm(norm);
        } else if (term instanceof Term.Embedding embedding) {
            return embedding(embedding);
        } else if (term instanceof Term.Pool pool) {
            return pool(pool);
        } else if (term instanceof Term.GlobalPool pool) {
            return globalPool(pool);
        } else if (term instanceof Term.Reshape reshape) {
            return reshape(reshape);
        } else if (term instanceof Term.Slice slice) {
            return slice(slice);
        } else if (term instanceof Term.Concat concat) {
            return concat(concat);
        }
        throw new Unsupported(term.span(), term.getClass().getSimpleName(), "it has no ONNX form");
    }

    private Value read(Term.Read read) {
        Symbol symbol = read.symbol();
        if (symbol instanceof Symbol.Input input) {
            return inputs.get(input.name());
        } else if (symbol instanceof Symbol.Param param) {
            return new Value(param.name(), param.shape(), false);
        } else if (symbol instanceof Symbol.Definition definition) {
            return of(definition.value());
        }
        throw new Unsupported(
                read.span(),
                "'" + symbol.name() + "'",
                "the prediction graph has no " + (symbol instanceof Symbol.Target ? "targets" : "such value"));
    }

    private Value unary(Term term, String op, Value x, Attribute... attributes) {
        String out = nodes.add(op, scope(term) + "/" + op, resultName(term, op), List.of(x.name()), attributes);
        return new Value(out, x.shape(), x.batched());
    }

    private Value binary(Term term, String op, Value a, Value b, Shape shape) {
        String out = nodes.add(
                op,
                scope(term) + "/" + op,
                resultName(term, op),
                List.of(align(a, shape, scope(term)), align(b, shape, scope(term))));
        return new Value(out, shape, a.batched() || b.batched());
    }

    /**
     * {@code v} ready to broadcast against values of {@code shape}: a batched scalar {@code [N]}
     * becomes {@code [N, 1, ..., 1]}, everything else broadcasts as it is.
     */
    private String align(Value v, Shape shape, String scope) {
        if (!v.batched() || !v.shape().isScalar() || shape.isScalar()) {
            return v.name();
        }
        long[] dims = new long[shape.rank() + 1];
        Arrays.fill(dims, 1);
        dims[0] = 0;
        return nodes.add(
                "Reshape",
                scope + "/Reshape",
                scope + "/aligned",
                List.of(v.name(), nodes.int64s(scope + "/shape", dims)));
    }

    private Value matMul(Term.MatMul term) {
        Value left = of(term.left());
        Value right = of(term.right());
        String scope = scope(term);
        String name = resultName(term, "MatMul");
        boolean batched = left.batched() || right.batched();
        if (term.right().shape().isVector() && right.batched()) {
            if (!left.batched()) {
                // W @ x per sample is x W^T over the batch: PyTorch's Linear without a bias.
                String out = nodes.add(
                        "Gemm", scope + "/Gemm", name, List.of(right.name(), left.name()), Attribute.of("transB", 1L));
                return new Value(out, term.shape(), true);
            }
            String column = nodes.add(
                    "Unsqueeze",
                    scope + "/Unsqueeze",
                    scope + "/column",
                    List.of(right.name(), nodes.int64s(scope + "/axes", 2)));
            String product = nodes.add("MatMul", scope + "/MatMul", scope + "/product", List.of(left.name(), column));
            String out =
                    nodes.add("Squeeze", scope + "/Squeeze", name, List.of(product, nodes.int64s(scope + "/axes", 2)));
            return new Value(out, term.shape(), true);
        }
        // numpy's matmul: a constant operand broadcasts over the batch, a constant vector on the
        // right is a column that disappears again.
        String out = nodes.add("MatMul", scope + "/MatMul", name, List.of(left.name(), right.name()));
        return new Value(out, term.shape(), batched);
    }

    private Value power(Term.Power term) {
        Value base = of(term.base());
        if (term.exponent() == 0.5) {
            return unary(term, "Sqrt", base);
        }
        String exponent = nodes.reals(scope(term) + "/exponent", List.of(), term.exponent());
        String out = nodes.add("Pow", scope(term) + "/Pow", resultName(term, "Pow"), List.of(base.name(), exponent));
        return new Value(out, base.shape(), base.batched());
    }

    private Value apply(Term.Apply apply) {
        Builtin function = apply.function();
        List<Value> args = apply.arguments().stream().map(this::of).toList();
        return switch (function.kind()) {
            case ELEMENTWISE -> {
                if (function == Builtin.MIN || function == Builtin.MAX) {
                    yield binary(
                            apply, function == Builtin.MIN ? "Min" : "Max", args.get(0), args.get(1), apply.shape());
                }
                if (function == Builtin.LOG) {
                    Term argument = definitionValue(apply.arguments().get(0));
                    if (argument instanceof Term.Apply inner && inner.function() == Builtin.SOFTMAX) {
                        // As the generated code computes it: log_softmax cannot underflow to -Inf.
                        yield unary(apply, "LogSoftmax", of(inner.arguments().get(0)), Attribute.of("axis", -1L));
                    }
                }
                yield activation(apply, function, apply.option(), args.get(0), resultName(apply, function.spelling()));
            }
            case VECTOR ->
                unary(
                        apply,
                        function == Builtin.SOFTMAX ? "Softmax" : "LogSoftmax",
                        args.get(0),
                        Attribute.of("axis", -1L));
            case REDUCTION -> reduction(apply, args);
            case REGULARIZER -> regularizer(apply, args);
            case LOSS -> loss(apply, args.get(0), args.get(1));
        };
    }

    /** The term a read of a definition stands for (through chains of definitions). */
    private static Term definitionValue(Term term) {
        Term current = term;
        while (current instanceof Term.Read read && read.symbol() instanceof Symbol.Definition definition) {
            current = definition.value();
        }
        return current;
    }

    /** A one-argument elementwise builtin (a layer's activation, too) of {@code x}, named {@code name}. */
    private Value activation(Term term, Builtin function, double option, Value x, String name) {
        String scope = scope(term);
        String in = x.name();
        String out = switch (function) {
            case IDENTITY -> in;
            case SIGMOID -> nodes.add("Sigmoid", scope + "/Sigmoid", name, List.of(in));
            case TANH -> nodes.add("Tanh", scope + "/Tanh", name, List.of(in));
            case RELU -> nodes.add("Relu", scope + "/Relu", name, List.of(in));
            case LEAKY_RELU ->
                nodes.add("LeakyRelu", scope + "/LeakyRelu", name, List.of(in), Attribute.of("alpha", (float) option));
            case ELU -> nodes.add("Elu", scope + "/Elu", name, List.of(in), Attribute.of("alpha", (float) option));
            case SOFTPLUS -> nodes.add("Softplus", scope + "/Softplus", name, List.of(in));
            case EXP -> nodes.add("Exp", scope + "/Exp", name, List.of(in));
            case LOG -> nodes.add("Log", scope + "/Log", name, List.of(in));
            case SQRT -> nodes.add("Sqrt", scope + "/Sqrt", name, List.of(in));
            case ABS -> nodes.add("Abs", scope + "/Abs", name, List.of(in));
            case SIN -> nodes.add("Sin", scope + "/Sin", name, List.of(in));
            case COS -> nodes.add("Cos", scope + "/Cos", name, List.of(in));
            case SQUARE -> nodes.add("Mul", scope + "/Mul", name, List.of(in, in));
            case GAUSSIAN -> {
                // exp(-x^2)
                String square = nodes.add("Mul", scope + "/Mul", scope + "/square", List.of(in, in));
                String negated = nodes.add("Neg", scope + "/Neg", scope + "/negated", List.of(square));
                yield nodes.add("Exp", scope + "/Exp", name, List.of(negated));
            }
            case STEP -> {
                // 1 where x > 0, else 0
                String zero = nodes.reals(scope + "/zero", List.of(), 0);
                String positive = nodes.add("Greater", scope + "/Greater", scope + "/positive", List.of(in, zero));
                yield nodes.add("Cast", scope + "/Cast", name, List.of(positive), Attribute.of("to", (long)
                        nodes.elementType()));
            }
            default ->
                throw new Unsupported(
                        term.span(), "'" + function.spelling() + "'", "it is not a one-argument elementwise function");
        };
        return new Value(out, x.shape(), x.batched());
    }

    private Value reduction(Term.Apply apply, List<Value> args) {
        Value x = args.get(0);
        String scope = scope(apply);
        return switch (apply.function()) {
            case SUM -> sum(apply, x, resultName(apply, "ReduceSum"));
            case MEAN -> {
                Value total = sum(apply, x, scope + "/sum");
                String scale =
                        nodes.reals(scope + "/scale", List.of(), 1.0 / x.shape().size());
                String out = nodes.add("Mul", scope + "/Mul", resultName(apply, "Mul"), List.of(total.name(), scale));
                yield new Value(out, Shape.scalar(), x.batched());
            }
            case DOT -> {
                Value product = binaryNamed(
                        scope,
                        "Mul",
                        x,
                        args.get(1),
                        x.shape().isScalar() ? args.get(1).shape() : x.shape());
                yield sum(apply, product, resultName(apply, "ReduceSum"));
            }
            case NORM2 -> sum(apply, binaryNamed(scope, "Mul", x, x, x.shape()), resultName(apply, "ReduceSum"));
            default ->
                throw new Unsupported(apply.span(), "'" + apply.function().spelling() + "'", "not a reduction");
        };
    }

    /**
     * A loss of a prediction {@code p} and a value {@code t} that is not a target (a target has no
     * place in the prediction graph), in the forms the generated code computes: cross-entropy of
     * a softmax from its logits, binary cross-entropy of a sigmoid as {@code softplus(z) - t z}.
     */
    private Value loss(Term.Apply apply, Value p, Value t) {
        String scope = scope(apply);
        String name = resultName(apply, apply.function().spelling());
        Shape shape = p.shape().isScalar() ? t.shape() : p.shape();
        Term predicted = definitionValue(apply.arguments().get(0));
        return switch (apply.function()) {
            case MSE, SSE -> {
                Value d = binaryNamed(scope, "Sub", p, t, shape);
                Value total = sum(apply, binaryNamed(scope, "Mul", d, d, shape), scope + "/sum");
                double factor = apply.function() == Builtin.MSE ? 1.0 / shape.size() : 0.5;
                yield scaled(apply, total, factor, name);
            }
            case CROSS_ENTROPY -> {
                Value logs = predicted instanceof Term.Apply inner && inner.function() == Builtin.SOFTMAX
                        ? logSoftmax(scope, of(inner.arguments().get(0)))
                        : elementwise(scope, "Log", p, "log");
                Value total = sum(apply, binaryNamed(scope, "Mul", t, logs, shape), scope + "/sum");
                yield scaled(apply, total, -1, name);
            }
            case BINARY_CROSS_ENTROPY -> {
                if (predicted instanceof Term.Apply inner && inner.function() == Builtin.SIGMOID) {
                    Value z = of(inner.arguments().get(0));
                    Value tz = binaryNamed(scope, "Mul", t, z, shape);
                    yield sum(
                            apply,
                            binaryNamed(scope, "Sub", elementwise(scope, "Softplus", z, "softplus"), tz, shape),
                            name);
                }
                Value one = new Value(nodes.reals(scope + "/one", List.of(), 1), Shape.scalar(), false);
                Value logP = elementwise(scope, "Log", p, "log_p");
                Value logQ = elementwise(scope, "Log", binaryNamed(scope, "Sub", one, p, p.shape()), "log_q");
                Value positive = binaryNamed(scope, "Mul", t, logP, shape);
                Value negative = binaryNamed(scope, "Mul", binaryNamed(scope, "Sub", one, t, t.shape()), logQ, shape);
                Value total = sum(apply, binaryNamed(scope, "Add", positive, negative, shape), scope + "/sum");
                yield scaled(apply, total, -1, name);
            }
            default ->
                throw new Unsupported(apply.span(), "'" + apply.function().spelling() + "'", "not a loss");
        };
    }

    private Value elementwise(String scope, String op, Value x, String name) {
        return new Value(
                nodes.add(op, scope + "/" + op, scope + "/" + name, List.of(x.name())), x.shape(), x.batched());
    }

    private Value logSoftmax(String scope, Value z) {
        return new Value(
                nodes.add(
                        "LogSoftmax",
                        scope + "/LogSoftmax",
                        scope + "/log_softmax",
                        List.of(z.name()),
                        Attribute.of("axis", -1L)),
                z.shape(),
                z.batched());
    }

    private Value scaled(Term term, Value x, double factor, String name) {
        String scope = scope(term);
        String scale = nodes.reals(scope + "/scale", List.of(), factor);
        return new Value(nodes.add("Mul", scope + "/Mul", name, List.of(x.name(), scale)), x.shape(), x.batched());
    }

    /** {@code l1}/{@code l2} of parameters: sums of |w| or of w^2, constants of the graph. */
    private Value regularizer(Term.Apply apply, List<Value> args) {
        String scope = scope(apply);
        String total = null;
        for (Value w : args) {
            Value term = apply.function() == Builtin.L1
                    ? sum(
                            apply,
                            new Value(
                                    nodes.add("Abs", scope + "/Abs", scope + "/abs", List.of(w.name())),
                                    w.shape(),
                                    w.batched()),
                            scope + "/sum")
                    : sum(apply, binaryNamed(scope, "Mul", w, w, w.shape()), scope + "/sum");
            total = total == null
                    ? term.name()
                    : nodes.add("Add", scope + "/Add", scope + "/total", List.of(total, term.name()));
        }
        if (total == null) {
            total = nodes.reals(scope + "/zero", List.of(), 0);
        }
        String out = nodes.add(
                "Identity",
                scope + "/Identity",
                resultName(apply, apply.function().spelling()),
                List.of(total));
        boolean batched = args.stream().anyMatch(Value::batched);
        return new Value(out, Shape.scalar(), batched);
    }

    private Value binaryNamed(String scope, String op, Value a, Value b, Shape shape) {
        String out = nodes.add(
                op,
                scope + "/" + op,
                scope + "/" + op.toLowerCase(Locale.ROOT),
                List.of(align(a, shape, scope), align(b, shape, scope)));
        return new Value(out, shape, a.batched() || b.batched());
    }

    /** The sum of all elements of each sample (of the whole value, when not batched). */
    private Value sum(Term term, Value x, String name) {
        if (x.shape().isScalar()) {
            return x;
        }
        int first = x.batched() ? 1 : 0;
        long[] axes =
                IntStream.range(first, first + x.shape().rank()).asLongStream().toArray();
        String out = nodes.add(
                "ReduceSum",
                scope(term) + "/ReduceSum",
                name,
                List.of(x.name(), nodes.int64s(scope(term) + "/axes", axes)),
                Attribute.of("keepdims", 0L));
        return new Value(out, Shape.scalar(), x.batched());
    }

    // ------------------------------------------------------------------------------------------
    // Layers

    /** {@code dense}: {@code Gemm(x, weight, bias, transB=1)}, PyTorch's Linear, then the activation. */
    private Value dense(Term.Dense dense) {
        String layer = dense.weight().owner();
        Value input = of(dense.input());
        boolean activated = dense.activation() != Builtin.IDENTITY;
        String rows = input.shape().isScalar()
                ? reshape(input.name(), input.batched() ? new long[] {0, 1} : new long[] {1, 1}, layer)
                : input.batched()
                        ? input.name()
                        : reshape(input.name(), new long[] {1, input.shape().size()}, layer);
        List<String> operands = new ArrayList<>(List.of(rows, dense.weight().name()));
        dense.bias().ifPresent(b -> operands.add(b.name()));
        String linearName = activated ? layer + "/Gemm" : resultName(dense, "Gemm");
        String linear = input.batched()
                ? nodes.add("Gemm", layer, linearName, operands, Attribute.of("transB", 1L))
                : reshape(
                        nodes.add("Gemm", layer, layer + "/row", operands, Attribute.of("transB", 1L)),
                        new long[] {dense.shape().size()},
                        layer,
                        linearName);
        Value sum = new Value(linear, dense.shape(), input.batched());
        return activated
                ? activation(dense, dense.activation(), dense.activationOption(), sum, resultName(dense, "activation"))
                : sum;
    }

    /** {@code rbf}: {@code exp(-sum((x - centers)^2) / widths^2)} over the units. */
    private Value rbf(Term.Rbf rbf) {
        String layer = rbf.centers().owner();
        Value input = of(rbf.input());
        String x = input.batched()
                ? nodes.add(
                        "Unsqueeze",
                        layer + "/Unsqueeze",
                        layer + "/x",
                        List.of(input.name(), nodes.int64s(layer + "/axes", 1)))
                : input.name();
        String difference = nodes.add(
                "Sub",
                layer + "/Sub",
                layer + "/difference",
                List.of(x, rbf.centers().name()));
        String square = nodes.add("Mul", layer + "/Mul", layer + "/square", List.of(difference, difference));
        String distance = nodes.add(
                "ReduceSum",
                layer + "/ReduceSum",
                layer + "/distance",
                List.of(square, nodes.int64s(layer + "/axes", -1)),
                Attribute.of("keepdims", 0L));
        String widths = nodes.add(
                "Mul",
                layer + "/Mul",
                layer + "/widths_squared",
                List.of(rbf.widths().name(), rbf.widths().name()));
        String scaled = nodes.add("Div", layer + "/Div", layer + "/scaled", List.of(distance, widths));
        String negated = nodes.add("Neg", layer + "/Neg", layer + "/negated", List.of(scaled));
        String out = nodes.add("Exp", layer, resultName(rbf, "Exp"), List.of(negated));
        return new Value(out, rbf.shape(), input.batched());
    }

    /** {@code conv1d}/{@code conv2d}: {@code Conv} with PyTorch's weight layout, then the activation. */
    private Value conv(Term.Conv conv) {
        String layer = conv.weight().owner();
        Value input = of(conv.input());
        Term.Window window = conv.window();
        List<String> operands =
                new ArrayList<>(List.of(withBatch(input, layer), conv.weight().name()));
        conv.bias().ifPresent(b -> operands.add(b.name()));
        boolean activated = conv.activation() != Builtin.IDENTITY;
        String linearName = activated || !input.batched() ? layer + "/Conv" : resultName(conv, "Conv");
        String out = nodes.add(
                "Conv",
                layer,
                linearName,
                operands,
                Attribute.ints("kernel_shape", window.kernel()),
                Attribute.ints("strides", window.stride()),
                Attribute.ints("pads", pads(window)),
                Attribute.ints("dilations", window.dilation()));
        Value sum = withoutBatch(
                out, conv.shape(), input.batched(), layer, activated ? layer + "/linear" : resultName(conv, "Conv"));
        return activated
                ? activation(conv, conv.activation(), conv.activationOption(), sum, resultName(conv, "activation"))
                : sum;
    }

    private static List<Integer> pads(Term.Window window) {
        List<Integer> pads = new ArrayList<>(window.padBegin());
        pads.addAll(window.padEnd());
        return pads;
    }

    /** Pools: {@code MaxPool}, or {@code AveragePool} dividing by the whole window (padding included). */
    private Value pool(Term.Pool pool) {
        String scope = scope(pool);
        Value input = of(pool.input());
        Term.Window window = pool.window();
        boolean max = pool.kind() == Term.Pool.Kind.MAX;
        String op = max ? "MaxPool" : "AveragePool";
        List<Attribute> attributes = new ArrayList<>(List.of(
                Attribute.ints("kernel_shape", window.kernel()),
                Attribute.ints("strides", window.stride()),
                Attribute.ints("pads", pads(window))));
        if (max) {
            attributes.add(Attribute.ints("dilations", window.dilation()));
        } else {
            if (window.dilation().stream().anyMatch(d -> d != 1)) {
                throw new Unsupported(
                        pool.span(), "a dilated average pool", "AveragePool has no dilations before opset 19");
            }
            attributes.add(Attribute.of("count_include_pad", 1L));
        }
        String out = nodes.add(
                op,
                definitionNames.getOrDefault(pool, scope + "/" + op),
                input.batched() ? resultName(pool, op) : scope + "/" + op,
                List.of(withBatch(input, scope)),
                attributes.toArray(Attribute[]::new));
        return withoutBatch(out, pool.shape(), input.batched(), scope, resultName(pool, op));
    }

    /** {@code global_avg_pool}/{@code global_max_pool}: the ONNX op of the same name, then {@code [N, C]}. */
    private Value globalPool(Term.GlobalPool pool) {
        String scope = scope(pool);
        Value input = of(pool.input());
        String op = pool.kind() == Term.Pool.Kind.AVERAGE ? "GlobalAveragePool" : "GlobalMaxPool";
        String pooled = nodes.add(
                op,
                definitionNames.getOrDefault(pool, scope + "/" + op),
                scope + "/" + op,
                List.of(withBatch(input, scope)));
        String out = nodes.add(
                "Flatten",
                scope + "/Flatten",
                input.batched() ? resultName(pool, op) : scope + "/flat",
                List.of(pooled),
                Attribute.of("axis", 1L));
        return withoutBatch(out, pool.shape(), input.batched(), scope, resultName(pool, op));
    }

    /**
     * {@code rnn}/{@code gru}/{@code lstm}: ONNX's {@code RNN}/{@code GRU}/{@code LSTM} over the
     * sequence, time first. ONNX stacks the gates in another order (GRU z, r, h for PyTorch's r, z,
     * n; LSTM i, o, f, c for PyTorch's i, f, g, o) and wants {@code W}, {@code R} with a
     * direction axis and both biases in one {@code B}: nodes build them from the initializers
     * named as PyTorch names them, which ONNX Runtime folds once.
     */
    private Value recurrent(Term.Recurrent recurrent) {
        String layer = recurrent.weightIh().owner();
        Value input = of(recurrent.input());
        int units = recurrent.units();
        String w = direction(gates(recurrent, recurrent.weightIh().name(), layer + "/W"), layer + "/W");
        String r = direction(gates(recurrent, recurrent.weightHh().name(), layer + "/R"), layer + "/R");
        String biases = nodes.add(
                "Concat",
                layer + "/Concat",
                layer + "/biases",
                List.of(
                        gates(recurrent, recurrent.biasIh().name(), layer + "/Wb"),
                        gates(recurrent, recurrent.biasHh().name(), layer + "/Rb")),
                Attribute.of("axis", 0L));
        String b = direction(biases, layer + "/B");
        String timeFirst = nodes.add(
                "Transpose",
                layer + "/Transpose",
                layer + "/time_first",
                List.of(withBatch(input, layer)),
                Attribute.ints("perm", List.of(1, 0, 2)));
        List<Attribute> attributes = new ArrayList<>(List.of(Attribute.of("hidden_size", (long) units)));
        String op;
        switch (recurrent.cell()) {
            case RNN_TANH -> op = "RNN";
            case RNN_RELU -> {
                op = "RNN";
                attributes.add(Attribute.strings("activations", List.of("Relu")));
            }
            case GRU -> {
                op = "GRU";
                attributes.add(Attribute.of("linear_before_reset", 1L));
            }
            default -> op = "LSTM";
        }
        String states = nodes.fresh(layer + "/Y");
        String last = nodes.fresh(layer + "/Y_h");
        nodes.addNode(
                op, layer, List.of(timeFirst, w, r, b), List.of(states, last), attributes.toArray(Attribute[]::new));
        String name = input.batched() ? resultName(recurrent, op) : layer + "/states";
        String out;
        if (recurrent.sequences()) {
            // Y [T, 1, N, H] -> [N, T, H]
            String squeezed = nodes.add(
                    "Squeeze",
                    layer + "/Squeeze",
                    layer + "/sequence",
                    List.of(states, nodes.int64s(layer + "/axes", 1)));
            out = nodes.add(
                    "Transpose",
                    layer + "/Transpose",
                    name,
                    List.of(squeezed),
                    Attribute.ints("perm", List.of(1, 0, 2)));
        } else {
            out = nodes.add("Squeeze", layer + "/Squeeze", name, List.of(last, nodes.int64s(layer + "/axes", 0)));
        }
        return withoutBatch(out, recurrent.shape(), input.batched(), layer, resultName(recurrent, op));
    }

    /** {@code tensor}'s blocks of rows (PyTorch's gate order) in ONNX's gate order. */
    private String gates(Term.Recurrent recurrent, String tensor, String name) {
        List<Integer> order = switch (recurrent.cell()) {
            case RNN_TANH, RNN_RELU -> List.of(0);
            case GRU -> List.of(1, 0, 2);
            case LSTM -> List.of(0, 3, 1, 2);
        };
        if (order.size() == 1) {
            return tensor;
        }
        List<String> blocks = new ArrayList<>();
        for (int g = 0; g < order.size(); g++) {
            blocks.add(nodes.fresh(name + "/gate" + g));
        }
        nodes.addNode("Split", name + "/Split", List.of(tensor), blocks, Attribute.of("axis", 0L));
        return nodes.add(
                "Concat",
                name + "/Concat",
                name + "/onnx_order",
                order.stream().map(blocks::get).toList(),
                Attribute.of("axis", 0L));
    }

    /** {@code tensor} with ONNX's leading direction axis of length 1. */
    private String direction(String tensor, String name) {
        return nodes.add("Unsqueeze", name + "/Unsqueeze", name, List.of(tensor, nodes.int64s(name + "/axes", 0)));
    }

    /** {@code batch_norm} in prediction: {@code BatchNormalization} with the running statistics. */
    private Value batchNorm(Term.BatchNorm norm) {
        String layer = norm.weight().owner();
        Value input = of(norm.input());
        String out = nodes.add(
                "BatchNormalization",
                layer,
                input.batched() ? resultName(norm, "BatchNormalization") : layer + "/BatchNormalization",
                List.of(
                        withBatch(input, layer),
                        norm.weight().name(),
                        norm.bias().name(),
                        norm.runningMean().name(),
                        norm.runningVar().name()),
                Attribute.of("epsilon", (float) norm.eps()));
        return withoutBatch(out, norm.shape(), input.batched(), layer, resultName(norm, "BatchNormalization"));
    }

    /** {@code layer_norm} over all elements of a sample: {@code LayerNormalization(axis = 1)} (opset 17). */
    private Value layerNorm(Term.LayerNorm norm) {
        String layer = norm.weight().owner();
        Value input = of(norm.input());
        String out = nodes.add(
                "LayerNormalization",
                layer,
                input.batched() ? resultName(norm, "LayerNormalization") : layer + "/LayerNormalization",
                List.of(
                        withBatch(input, layer),
                        norm.weight().name(),
                        norm.bias().name()),
                Attribute.of("axis", 1L),
                Attribute.of("epsilon", (float) norm.eps()));
        return withoutBatch(out, norm.shape(), input.batched(), layer, resultName(norm, "LayerNormalization"));
    }

    /** {@code embedding}: {@code Gather} of the weight's rows at the ids, which arrive as floats. */
    private Value embedding(Term.Embedding embedding) {
        String layer = embedding.weight().owner();
        Value ids = of(embedding.ids());
        String indices =
                nodes.add("Cast", layer + "/Cast", layer + "/ids", List.of(ids.name()), Attribute.of("to", (long)
                        OnnxProto.INT64));
        String out = nodes.add(
                "Gather",
                layer,
                resultName(embedding, "Gather"),
                List.of(embedding.weight().name(), indices),
                Attribute.of("axis", 0L));
        return new Value(out, embedding.shape(), ids.batched());
    }

    // ------------------------------------------------------------------------------------------
    // Views

    private Value reshape(Term.Reshape reshape) {
        Value input = of(reshape.input());
        String scope = scope(reshape);
        Shape shape = reshape.shape();
        if (input.shape().equals(shape)) {
            return input;
        }
        if (input.batched() && shape.isVector()) {
            String out = nodes.add(
                    "Flatten",
                    scope + "/Flatten",
                    resultName(reshape, "Flatten"),
                    List.of(input.name()),
                    Attribute.of("axis", 1L));
            return new Value(out, shape, true);
        }
        long[] dims = input.batched()
                ? LongStream.concat(LongStream.of(0), IntStream.of(shape.dims()).asLongStream())
                        .toArray()
                : IntStream.of(shape.dims()).asLongStream().toArray();
        return new Value(reshape(input.name(), dims, scope, resultName(reshape, "Reshape")), shape, input.batched());
    }

    private Value slice(Term.Slice slice) {
        Value input = of(slice.input());
        String scope = scope(slice);
        String out = nodes.add(
                "Slice",
                scope + "/Slice",
                resultName(slice, "Slice"),
                List.of(
                        input.name(),
                        nodes.int64s(scope + "/starts", slice.from()),
                        nodes.int64s(scope + "/ends", slice.to()),
                        nodes.int64s(scope + "/axes", input.batched() ? 1 : 0)));
        return new Value(out, slice.shape(), input.batched());
    }

    private Value concat(Term.Concat concat) {
        String scope = scope(concat);
        List<Value> parts = concat.parts().stream().map(this::of).toList();
        boolean batched = parts.stream().anyMatch(Value::batched);
        List<String> names = parts.stream()
                .map(p -> batched && !p.batched() ? expand(p, scope).name() : p.name())
                .toList();
        String out = nodes.add(
                "Concat",
                scope + "/Concat",
                resultName(concat, "Concat"),
                names,
                Attribute.of("axis", batched ? 1L : 0L));
        return new Value(out, concat.shape(), batched);
    }

    // ------------------------------------------------------------------------------------------
    // Batch axes

    private String reshape(String input, long[] dims, String scope) {
        return reshape(input, dims, scope, scope + "/reshaped");
    }

    private String reshape(String input, long[] dims, String scope, String name) {
        return nodes.add("Reshape", scope + "/Reshape", name, List.of(input, nodes.int64s(scope + "/shape", dims)));
    }

    /** {@code v} with a batch axis: itself if batched, else with a leading axis of length 1. */
    private String withBatch(Value v, String scope) {
        if (v.batched()) {
            return v.name();
        }
        return nodes.add(
                "Unsqueeze",
                scope + "/Unsqueeze",
                scope + "/batch_of_one",
                List.of(v.name(), nodes.int64s(scope + "/axes", 0)));
    }

    /** The result of an op that needed a batch axis, without the axis {@link #withBatch} added. */
    private Value withoutBatch(String out, Shape shape, boolean batched, String scope, String name) {
        if (batched) {
            return new Value(out, shape, true);
        }
        return new Value(reshape(out, IntStream.of(shape.dims()).asLongStream().toArray(), scope, name), shape, false);
    }

    /** A value of constants repeated over the batch of the first input: {@code [N, *shape]}. */
    private Value expand(Value constant, String scope) {
        String inputShape =
                nodes.add("Shape", scope + "/Shape", scope + "/input_shape", List.of(batchReference.name()));
        String batch = nodes.add(
                "Slice",
                scope + "/Slice",
                scope + "/batch",
                List.of(inputShape, nodes.int64s(scope + "/starts", 0), nodes.int64s(scope + "/ends", 1)));
        String target = nodes.add(
                "Concat",
                scope + "/Concat",
                scope + "/expanded_shape",
                List.of(
                        batch,
                        nodes.int64s(
                                scope + "/dims",
                                IntStream.of(constant.shape().dims())
                                        .asLongStream()
                                        .toArray())),
                Attribute.of("axis", 0L));
        String out = nodes.add("Expand", scope + "/Expand", scope + "/expanded", List.of(constant.name(), target));
        return new Value(out, constant.shape(), true);
    }
}
