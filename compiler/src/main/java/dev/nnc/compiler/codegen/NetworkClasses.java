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
        methods.add(forward(prediction));
        if (network.isTrainable()) {
            Graph training = Passes.optimize(
                    ReverseMode.differentiateLoss(Lowering.lower(network, Lowering.Mode.TRAINING), network));
            methods.add(sampleLoss(prediction));
            methods.add(trainSample(training));
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
    private MethodSpec forward(Graph graph) {
        KernelEmitter kernel = kernel(graph, o -> o.kind() == Output.Kind.PREDICTION);
        Output out = graph.output(Output.Kind.PREDICTION).orElseThrow();
        CodeBlock body = kernel.statements();
        CodeBlock.Builder sink = CodeBlock.builder();
        Shape shape = graph.node(out.node()).shape();
        writeElements(
                kernel,
                out.node(),
                shape,
                (index, value) -> CodeBlock.of("outs[$L] = $L;\n", index.plus(CodeBlock.of("oo"), 0), value),
                sink);
        collect(kernel);
        return kernelMethod("forward", TypeName.VOID)
                .addJavadoc("Prediction for the sample at {@code xs[xo]}, written to {@code outs[oo]}.\n")
                .addParameter(numeric.arrayType(), "xs")
                .addParameter(TypeName.INT, "xo")
                .addParameter(numeric.arrayType(), "outs")
                .addParameter(TypeName.INT, "oo")
                .addCode(kernel.declarations())
                .addCode(body)
                .addCode(sink.build())
                .build();
    }

    private MethodSpec sampleLoss(Graph graph) {
        KernelEmitter kernel = kernel(graph, o -> o.kind() == Output.Kind.LOSS);
        Output loss = graph.output(Output.Kind.LOSS).orElseThrow();
        CodeBlock body = kernel.statements();
        CodeBlock result = kernel.ref(loss.node(), Index.literal(0, Shape.scalar()));
        collect(kernel);
        return kernelMethod("sampleLoss", TypeName.DOUBLE)
                .addJavadoc("The loss of the sample at {@code xs[xo]} with target {@code ys[yo]}, no dropout.\n")
                .addParameter(numeric.arrayType(), "xs")
                .addParameter(TypeName.INT, "xo")
                .addParameter(numeric.arrayType(), "ys")
                .addParameter(TypeName.INT, "yo")
                .addCode(kernel.declarations())
                .addCode(body)
                .addStatement("return $L", result)
                .build();
    }

    private MethodSpec trainSample(Graph graph) {
        KernelEmitter kernel = kernel(graph, o -> true);
        Output loss = graph.output(Output.Kind.LOSS).orElseThrow();
        CodeBlock body = kernel.statements();
        CodeBlock.Builder sinks = CodeBlock.builder();
        for (Output gradient : graph.outputs()) {
            if (gradient.kind() != Output.Kind.GRADIENT) {
                continue;
            }
            ParameterField p = byName.get(gradient.name());
            sinks.add("// accumulate d loss / d $L\n", p.param().name());
            writeElements(
                    kernel,
                    gradient.node(),
                    p.param().shape(),
                    (index, value) -> CodeBlock.of("$N[$L] += weight * $L;\n", p.gradient(), index.flat(), value),
                    sinks);
        }
        CodeBlock result = kernel.ref(loss.node(), Index.literal(0, Shape.scalar()));
        collect(kernel);
        return kernelMethod("trainSample", TypeName.DOUBLE)
                .addJavadoc("Forward and backward pass of the sample at {@code xs[xo]}: adds {@code weight} times\n")
                .addJavadoc("its gradient to the gradient fields and returns its loss (dropout applied).\n")
                .addParameter(numeric.arrayType(), "xs")
                .addParameter(TypeName.INT, "xo")
                .addParameter(numeric.arrayType(), "ys")
                .addParameter(TypeName.INT, "yo")
                .addParameter(numeric.type(), "weight")
                .addCode(kernel.declarations())
                .addCode(body)
                .addCode(sinks.build())
                .addStatement("return $L", result)
                .build();
    }

    /** Writes every element of node {@code id}: one statement each when unrolled, else a loop. */
    private void writeElements(
            KernelEmitter kernel,
            int id,
            Shape shape,
            java.util.function.BiFunction<Index, CodeBlock, CodeBlock> write,
            CodeBlock.Builder code) {
        if (kernel.isUnrolled() || shape.isScalar()) {
            for (int e = 0; e < shape.size(); e++) {
                Index index = Index.literal(e, shape);
                code.add(write.apply(index, kernel.ref(id, index)));
            }
        } else {
            code.add(kernel.forEach(shape, index -> write.apply(index, kernel.ref(id, index))));
        }
    }

    private MethodSpec.Builder kernelMethod(String name, TypeName returns) {
        return MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE).returns(returns);
    }

    private KernelEmitter kernel(Graph graph, java.util.function.Predicate<Output> outputs) {
        KernelEmitter kernel = new KernelEmitter(graph, outputs, numeric, names.forMethod(), new Context());
        for (Node node : graph.nodes()) {
            if (node.op() instanceof LeafOp.DropoutMask) {
                usesRandom = true;
            }
        }
        return kernel;
    }

    /** Leaves of a network kernel: rows of the batch arrays and the parameter fields. */
    private final class Context implements KernelEmitter.Context {
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
            String field = names.fresh(suggestedName);
            scratch.add(FieldSpec.builder(numeric.arrayType(), field, Modifier.PRIVATE, Modifier.FINAL)
                    .initializer("new $T[$L]", numeric.type(), node.shape().size())
                    .build());
            return field;
        }
    }

    /** Records the helpers a kernel called, for the class to declare once. */
    void collect(KernelEmitter kernel) {
        helpers.addAll(kernel.helpers());
    }
}
