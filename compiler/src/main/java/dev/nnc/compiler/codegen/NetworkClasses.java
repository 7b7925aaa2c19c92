package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.compiler.autodiff.ReverseMode;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.Lowering;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.pass.Passes;
import dev.nnc.compiler.semantic.CheckedUnit;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * A network's class: its graphs (prediction, and for trainable networks the training graph with
 * gradients), optimised, turned into the per-sample kernels, and wrapped by
 * {@link NetworkClassGenerator}.
 */
final class NetworkClasses {
    private final Declaration.Network network;
    private final Numeric numeric;
    private final JavaNames names = new JavaNames();
    private final List<ParameterField> parameters;
    private final Map<String, ParameterField> byName;
    private final List<FieldSpec> scratch = new ArrayList<>();
    private final Set<String> helpers = new TreeSet<>();
    private boolean usesRandom;
    /** Scratch array fields by name and size, shared between kernels. */
    private final Map<String, List<String>> pool = new java.util.HashMap<>();

    /**
     * Kernels whose source is longer than this many characters are split into parts. Generated
     * code runs about 0.6 bytes of bytecode per character, so a part stays near 4,000 bytes,
     * half of HotSpot's limit; {@code MethodSizeTest} measures the real sizes.
     */
    static final int SPLIT_THRESHOLD = 6_000;

    private NetworkClasses(Declaration.Network network) {
        this.network = network;
        this.numeric = new Numeric(network.precision());
        this.parameters = NetworkClassGenerator.parameterFields(network, names);
        this.byName =
                parameters.stream().collect(Collectors.toMap(p -> p.param().name(), Function.identity()));
    }

    static TypeSpec generate(Declaration.Network network, CheckedUnit unit) {
        return new NetworkClasses(network).build(unit);
    }

    private TypeSpec build(CheckedUnit unit) {
        Graph prediction = Passes.optimize(Lowering.lower(network, Lowering.Mode.PREDICTION));
        List<MethodSpec> methods = new ArrayList<>();
        methods.addAll(forward(prediction));
        if (network.isTrainable()) {
            Graph training = Passes.optimize(
                    ReverseMode.differentiateLoss(Lowering.lower(network, Lowering.Mode.TRAINING), network));
            methods.addAll(sampleLoss(prediction));
            methods.addAll(trainSample(training, "trainSample", "dropout applied"));
            if (usesRandom) {
                // gradient() is the gradient of loss(): deterministic, without dropout, and it
                // leaves the dropout generator alone.
                Graph deterministic = Passes.optimize(
                        ReverseMode.differentiateLoss(Lowering.lower(network, Lowering.Mode.PREDICTION), network));
                methods.addAll(trainSample(deterministic, "gradientSample", "no dropout"));
            }
        }
        for (String helper : helpers) {
            methods.add(Helpers.method(helper, numeric));
        }
        Kernels kernels = new Kernels(scratch, methods, usesRandom);
        return new NetworkClassGenerator(network, unit.source(), unit.packageName(), names, parameters, kernels)
                .generate();
    }

    // private void forward(double[] xs, int xo, double[] outs, int oo) {
    //     double hidden0 = Math.tanh(...);
    //     outs[oo + 0] = ...;
    // }
    private List<MethodSpec> forward(Graph graph) {
        Output out = graph.output(Output.Kind.PREDICTION).orElseThrow();
        Shape shape = graph.node(out.node()).shape();
        return kernelMethods(
                new Signature("forward", TypeName.VOID, List.of("xs", "xo", "outs", "oo"))
                        .withJavadoc("Prediction for the sample at {@code xs[xo]}, written to {@code outs[oo]}.\n"),
                graph,
                o -> o.kind() == Output.Kind.PREDICTION,
                kernel -> List.of(writeElements(
                        kernel,
                        out.node(),
                        shape,
                        (index, value) -> CodeBlock.of("outs[$L] = $L;\n", index.plus(CodeBlock.of("oo"), 0), value))),
                kernel -> null);
    }

    private List<MethodSpec> sampleLoss(Graph graph) {
        Output loss = graph.output(Output.Kind.LOSS).orElseThrow();
        return kernelMethods(
                new Signature("sampleLoss", TypeName.DOUBLE, List.of("xs", "xo", "ys", "yo"))
                        .withJavadoc(
                                "The loss of the sample at {@code xs[xo]} with target {@code ys[yo]}, no dropout.\n"),
                graph,
                o -> o.kind() == Output.Kind.LOSS,
                kernel -> List.of(),
                kernel -> kernel.ref(loss.node(), Index.literal(0, Shape.scalar())));
    }

    private List<MethodSpec> trainSample(Graph graph, String name, String dropout) {
        Output loss = graph.output(Output.Kind.LOSS).orElseThrow();
        return kernelMethods(
                new Signature(name, TypeName.DOUBLE, List.of("xs", "xo", "ys", "yo", "weight"))
                        .withJavadoc(
                                "Forward and backward pass of the sample at {@code xs[xo]}: adds {@code weight} times\n"
                                        + "its gradient to the gradient fields and returns its loss ("
                                        + dropout
                                        + ").\n"),
                graph,
                o -> o.kind() != Output.Kind.PREDICTION,
                kernel -> gradientSinks(kernel, graph),
                kernel -> kernel.ref(loss.node(), Index.literal(0, Shape.scalar())));
    }

    private List<CodeBlock> gradientSinks(KernelEmitter kernel, Graph graph) {
        List<CodeBlock> sinks = new ArrayList<>();
        for (Output gradient : graph.outputs()) {
            if (gradient.kind() != Output.Kind.GRADIENT) {
                continue;
            }
            ParameterField p = byName.get(gradient.name());
            sinks.add(CodeBlock.builder()
                    .add("// accumulate d loss / d $L\n", p.param().name())
                    .add(writeElements(
                            kernel,
                            gradient.node(),
                            p.param().shape(),
                            (index, value) ->
                                    CodeBlock.of("$N[$L] += weight * $L;\n", p.gradient(), index.flat(), value)))
                    .build());
        }
        return sinks;
    }

    /** The name, return type, parameters and Javadoc of a kernel method. */
    private record Signature(String name, TypeName returns, List<String> parameters, String javadoc) {
        Signature(String name, TypeName returns, List<String> parameters) {
            this(name, returns, parameters, "");
        }

        Signature withJavadoc(String text) {
            return new Signature(name, returns, parameters, text);
        }
    }

    /**
     * The method of one kernel, or, when its code would pass {@link #SPLIT_THRESHOLD}
     * characters, the method and the parts it calls in order ({@code trainSample0},
     * {@code trainSample1}, ...), each well under HotSpot's 8,000-byte compilation limit.
     */
    private List<MethodSpec> kernelMethods(
            Signature signature,
            Graph graph,
            java.util.function.Predicate<Output> outputs,
            Function<KernelEmitter, List<CodeBlock>> sinks,
            Function<KernelEmitter, CodeBlock> result) {
        KernelEmitter kernel = kernel(graph, outputs, false);
        List<CodeBlock> segments = new ArrayList<>(kernel.segments());
        segments.addAll(sinks.apply(kernel));
        CodeBlock returned = result.apply(kernel);
        if (length(segments) <= SPLIT_THRESHOLD) {
            collect(kernel);
            MethodSpec.Builder method = kernelMethod(signature).addCode(kernel.declarations());
            segments.forEach(method::addCode);
            if (returned != null) {
                method.addStatement("return $L", returned);
            }
            return List.of(method.build());
        }
        kernel = kernel(graph, outputs, true);
        segments = new ArrayList<>(kernel.segments());
        segments.addAll(sinks.apply(kernel));
        returned = result.apply(kernel);
        collect(kernel);
        List<MethodSpec> methods = new ArrayList<>();
        MethodSpec.Builder main = kernelMethod(signature)
                .addComment("Split into parts: one method of this size would exceed HotSpot's compilation limit.");
        String arguments = String.join(", ", signature.parameters());
        List<CodeBlock> part = new ArrayList<>();
        int partLength = 0;
        for (CodeBlock segment : segments) {
            int length = segment.toString().length();
            if (!part.isEmpty() && partLength + length > SPLIT_THRESHOLD) {
                methods.add(part(signature, methods.size(), part));
                main.addStatement("$N$L($L)", signature.name(), methods.size() - 1, arguments);
                part = new ArrayList<>();
                partLength = 0;
            }
            part.add(segment);
            partLength += length;
        }
        if (!part.isEmpty()) {
            methods.add(part(signature, methods.size(), part));
            main.addStatement("$N$L($L)", signature.name(), methods.size() - 1, arguments);
        }
        if (returned != null) {
            main.addStatement("return $L", returned);
        }
        methods.add(0, main.build());
        return methods;
    }

    private MethodSpec part(Signature signature, int index, List<CodeBlock> segments) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(signature.name() + index)
                .addModifiers(Modifier.PRIVATE)
                .addJavadoc("Part $L of {@link #$L}.\n", index, signature.name());
        addParameters(method, signature);
        segments.forEach(method::addCode);
        return method.build();
    }

    private static int length(List<CodeBlock> blocks) {
        return blocks.stream().mapToInt(b -> b.toString().length()).sum();
    }

    private MethodSpec.Builder kernelMethod(Signature signature) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(signature.name())
                .addModifiers(Modifier.PRIVATE)
                .returns(signature.returns())
                .addJavadoc(signature.javadoc());
        addParameters(method, signature);
        return method;
    }

    private void addParameters(MethodSpec.Builder method, Signature signature) {
        for (String parameter : signature.parameters()) {
            TypeName type = switch (parameter) {
                case "xs", "ys", "outs" -> numeric.arrayType();
                case "weight" -> numeric.type();
                default -> TypeName.INT;
            };
            method.addParameter(type, parameter);
        }
    }

    /** Every element of node {@code id} through {@code write}: one statement each when unrolled, else a loop. */
    private CodeBlock writeElements(
            KernelEmitter kernel,
            int id,
            Shape shape,
            java.util.function.BiFunction<Index, CodeBlock, CodeBlock> write) {
        CodeBlock.Builder code = CodeBlock.builder();
        if (kernel.isUnrolled() || shape.isScalar()) {
            for (int e = 0; e < shape.size(); e++) {
                Index index = Index.literal(e, shape);
                code.add(write.apply(index, kernel.ref(id, index)));
            }
        } else {
            code.add(kernel.forEach(shape, index -> write.apply(index, kernel.ref(id, index))));
        }
        return code.build();
    }

    private KernelEmitter kernel(Graph graph, java.util.function.Predicate<Output> outputs, boolean split) {
        for (Node node : graph.nodes()) {
            if (node.op() instanceof LeafOp.DropoutMask) {
                usesRandom = true;
            }
        }
        return new KernelEmitter(graph, outputs, numeric, names.forMethod(), new Context(), split);
    }

    /**
     * Leaves of a network kernel (rows of the batch arrays, the parameter fields) and its
     * storage: scratch arrays are fields shared between kernels (never used by two at once,
     * since an instance is not thread-safe), reused by name and size so that the prediction
     * and the training kernel do not each need their own.
     */
    private final class Context implements KernelEmitter.Context {
        private final Set<String> taken = new java.util.HashSet<>();

        @Override
        public CodeBlock read(LeafOp.Read op, Index index) {
            if (op instanceof LeafOp.Input input) {
                return CodeBlock.of("xs[$L]", index.plus(CodeBlock.of("xo"), input.offset()));
            }
            if (op instanceof LeafOp.Target target) {
                return CodeBlock.of("ys[$L]", index.plus(CodeBlock.of("yo"), target.offset()));
            }
            if (op instanceof LeafOp.Param param) {
                return CodeBlock.of("$N[$L]", byName.get(param.name()).field(), index.flat());
            }
            throw new dev.nnc.compiler.diagnostic.InternalCompilerError("a network cannot read " + op.mnemonic());
        }

        @Override
        public String array(Node node, String suggestedName, CodeBlock.Builder declarations) {
            String key = suggestedName + ":" + node.shape().size();
            List<String> fields = pool.computeIfAbsent(key, k -> new ArrayList<>());
            for (String field : fields) {
                if (taken.add(field)) {
                    return field;
                }
            }
            String field = names.fresh(suggestedName);
            fields.add(field);
            taken.add(field);
            scratch.add(FieldSpec.builder(numeric.arrayType(), field, Modifier.PRIVATE, Modifier.FINAL)
                    .initializer("new $T[$L]", numeric.type(), node.shape().size())
                    .build());
            return field;
        }

        @Override
        public String scalar(String suggestedName) {
            String field = names.fresh(suggestedName);
            scratch.add(
                    FieldSpec.builder(numeric.type(), field, Modifier.PRIVATE).build());
            return field;
        }
    }

    /** Records the helpers a kernel called, for the class to declare once. */
    void collect(KernelEmitter kernel) {
        helpers.addAll(kernel.helpers());
    }
}
