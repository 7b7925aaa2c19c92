package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.compiler.autodiff.ReverseMode;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.Lowering;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.pass.Passes;
import dev.nnc.compiler.semantic.CheckedUnit;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Precision;
import dev.nnc.compiler.semantic.Shape;
import dev.nnc.compiler.semantic.Symbol;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import javax.lang.model.element.Modifier;

/**
 * A function's class: static {@code value}, {@code gradient} (value and the gradient in every
 * argument, in argument order) and, for one scalar argument, {@code derivative}. The gradient
 * code is emitted from the differentiated graph, so it reuses the forward values
 * ({@code x * (1 + b) / d} for {@code sqrt(x^2 + exp(x^2))}).
 */
final class FunctionClasses {
    private static final ArrayTypeName DOUBLES = ArrayTypeName.of(TypeName.DOUBLE);

    private final Declaration.Function function;
    private final Numeric numeric = new Numeric(Precision.DOUBLE);
    private final JavaNames names;
    private final Set<String> helpers = new TreeSet<>();

    private FunctionClasses(Declaration.Function function, JavaNames names) {
        this.function = function;
        this.names = names;
    }

    static TypeSpec generate(Declaration.Function function, CheckedUnit unit, JavaNames names) {
        return new FunctionClasses(function, names).build(unit);
    }

    private TypeSpec build(CheckedUnit unit) {
        Graph value = Passes.optimize(Lowering.lower(function));
        Graph gradient = Passes.optimize(ReverseMode.differentiateValue(Lowering.lower(function), function));
        List<String> argumentNames = new ArrayList<>();
        for (Symbol.Argument argument : function.arguments()) {
            argumentNames.add(names.of(argument, argument.name()));
        }
        TypeSpec.Builder type = TypeSpec.classBuilder(ClassName.get(unit.packageName(), function.name()))
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addJavadoc(javadoc(unit));
        type.addMethod(
                MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
        type.addMethod(valueMethod(value, argumentNames));
        if (function.arguments().size() == 1
                && function.arguments().get(0).shape().isScalar()) {
            type.addMethod(derivativeMethod(gradient, argumentNames));
        }
        type.addMethod(gradientMethod(gradient, argumentNames));
        type.addMethod(NetworkApiEmitter.requireLength());
        for (String helper : helpers) {
            type.addMethod(Helpers.method(helper, numeric));
        }
        return type.build();
    }

    private CodeBlock javadoc(CheckedUnit unit) {
        CodeBlock.Builder doc = CodeBlock.builder();
        function.doc().ifPresent(text -> doc.add("$L\n\n", Comments.javadoc(text)));
        return doc.add(
                        "<p>Function {@code $L} ($L:$L): {@code $L}.\n",
                        function.name(),
                        Comments.javadoc(unit.source().fileName()),
                        function.span().line(),
                        Comments.javadoc(unit.source().text(function.span()).replace("\n", " ")))
                .build();
    }

    private MethodSpec valueMethod(Graph graph, List<String> argumentNames) {
        KernelEmitter kernel = kernel(graph, o -> o.kind() == Output.Kind.VALUE);
        CodeBlock body = kernel.statements();
        CodeBlock result = valueOf(kernel, graph);
        helpers.addAll(kernel.helpers());
        return signature("value", argumentNames)
                .returns(TypeName.DOUBLE)
                .addJavadoc("The value of $L.\n", function.name())
                .addCode(checks(argumentNames))
                .addCode(kernel.declarations())
                .addCode(body)
                .addStatement("return $L", result)
                .build();
    }

    private MethodSpec derivativeMethod(Graph graph, List<String> argumentNames) {
        Output gradient = gradientOutputs(graph).get(0);
        KernelEmitter kernel = kernel(graph, o -> o == gradient);
        CodeBlock body = kernel.statements();
        CodeBlock result = kernel.ref(gradient.node(), Index.literal(0, Shape.scalar()));
        helpers.addAll(kernel.helpers());
        return signature("derivative", argumentNames)
                .returns(TypeName.DOUBLE)
                .addJavadoc("The derivative of $L in {@code $L}.\n", function.name(), argumentNames.get(0))
                .addCode(kernel.declarations())
                .addCode(body)
                .addStatement("return $L", result)
                .build();
    }

    private MethodSpec gradientMethod(Graph graph, List<String> argumentNames) {
        KernelEmitter kernel = kernel(graph, o -> true);
        CodeBlock body = kernel.statements();
        CodeBlock.Builder sinks = CodeBlock.builder();
        int offset = 0;
        int total =
                function.arguments().stream().mapToInt(a -> a.shape().size()).sum();
        List<Output> gradients = gradientOutputs(graph);
        for (int k = 0; k < gradients.size(); k++) {
            Output gradient = gradients.get(k);
            Shape shape = graph.node(gradient.node()).shape();
            for (int e = 0; e < shape.size(); e++) {
                sinks.addStatement("grad[$L] = $L", offset + e, kernel.ref(gradient.node(), Index.literal(e, shape)));
            }
            offset += shape.size();
        }
        CodeBlock result = valueOf(kernel, graph);
        helpers.addAll(kernel.helpers());
        return signature("gradient", argumentNames)
                .addParameter(DOUBLES, "grad")
                .returns(TypeName.DOUBLE)
                .addJavadoc(
                        "Returns the value of $L and fills {@code grad} with its gradient in every\n", function.name())
                .addJavadoc("argument, in argument order ($L value$L).\n", total, total == 1 ? "" : "s")
                .addCode(checks(argumentNames))
                .addStatement("requireLength($S, grad.length, $L)", "grad", total)
                .addCode(kernel.declarations())
                .addCode(body)
                .addCode(sinks.build())
                .addStatement("return $L", result)
                .build();
    }

    private static List<Output> gradientOutputs(Graph graph) {
        return graph.outputs().stream()
                .filter(o -> o.kind() == Output.Kind.GRADIENT)
                .toList();
    }

    private CodeBlock valueOf(KernelEmitter kernel, Graph graph) {
        Output value = graph.output(Output.Kind.VALUE).orElseThrow();
        return kernel.ref(value.node(), Index.literal(0, Shape.scalar()));
    }

    private MethodSpec.Builder signature(String name, List<String> argumentNames) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC, Modifier.STATIC);
        for (int i = 0; i < argumentNames.size(); i++) {
            Shape shape = function.arguments().get(i).shape();
            method.addParameter(shape.isScalar() ? TypeName.DOUBLE : DOUBLES, argumentNames.get(i));
        }
        return method;
    }

    private CodeBlock checks(List<String> argumentNames) {
        CodeBlock.Builder code = CodeBlock.builder();
        for (int i = 0; i < argumentNames.size(); i++) {
            Shape shape = function.arguments().get(i).shape();
            if (!shape.isScalar()) {
                code.addStatement(
                        "requireLength($S, $N.length, $L)", argumentNames.get(i), argumentNames.get(i), shape.size());
            }
        }
        return code.build();
    }

    private KernelEmitter kernel(Graph graph, Predicate<Output> outputs) {
        return new KernelEmitter(graph, outputs, numeric, names.forMethod(), new Context(), false, false, false);
    }

    /** Leaves of a function kernel: its arguments; arrays are locals of the method. */
    private final class Context implements KernelEmitter.Context {
        @Override
        public CodeBlock read(LeafOp.Read op, Index index, CodeBlock batch) {
            if (op instanceof LeafOp.Argument argument) {
                String name = names.of(function.arguments().get(argument.index()), argument.name());
                return argument.valueShape().isScalar()
                        ? CodeBlock.of("$N", name)
                        : CodeBlock.of("$N[$L]", name, index.flat());
            }
            throw new InternalCompilerError("a function cannot read " + op.mnemonic());
        }

        @Override
        public String scalar(String suggestedName) {
            throw new InternalCompilerError("function kernels are not split, so scalars stay locals");
        }

        @Override
        public String array(Node node, String suggestedName, int size, CodeBlock.Builder declarations) {
            declarations.addStatement("double[] $N = new double[$L]", suggestedName, size);
            return suggestedName;
        }

        @Override
        public String columns(LeafOp.Param op) {
            throw new InternalCompilerError("a function has no parameters");
        }

        @Override
        public String rows(LeafOp.Param op) {
            throw new InternalCompilerError("a function has no parameters");
        }

        @Override
        public boolean isCopy(String field) {
            return false;
        }

        @Override
        public String array2D(Node node, String suggestedName, int rows, int cols) {
            throw new InternalCompilerError("function kernels are never tiled");
        }
    }
}
