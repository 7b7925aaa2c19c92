package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
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
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
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
    /** Parts of split methods and the methods that make their scratch. */
    private final List<MethodSpec> parts = new ArrayList<>();
    /** The scratch pools of split methods. */
    private final List<FieldSpec> fields = new ArrayList<>();
    /** Nested classes holding the parts of very long methods. */
    private final List<TypeSpec> nested = new ArrayList<>();

    private ClassName className;

    private FunctionClasses(Declaration.Function function, JavaNames names) {
        this.function = function;
        this.names = names;
    }

    /**
     * A function's optimised graphs: its value, and its value with the gradient. They do not
     * depend on names, so the rounds of {@link CodeGenerator#type} share them.
     */
    record Graphs(Graph value, Graph gradient) {
        static Graphs of(Declaration.Function function) {
            return new Graphs(
                    Passes.optimize(Lowering.lower(function)),
                    Passes.optimize(ReverseMode.differentiateValue(Lowering.lower(function), function)));
        }
    }

    static TypeSpec generate(Declaration.Function function, Graphs graphs, CheckedUnit unit, JavaNames names) {
        return new FunctionClasses(function, names).build(graphs, unit);
    }

    private TypeSpec build(Graphs graphs, CheckedUnit unit) {
        Graph value = graphs.value();
        Graph gradient = graphs.gradient();
        List<String> argumentNames = new ArrayList<>();
        for (Symbol.Argument argument : function.arguments()) {
            argumentNames.add(names.of(argument, argument.name()));
        }
        className = ClassName.get(unit.packageName(), function.name());
        TypeSpec.Builder type = TypeSpec.classBuilder(className)
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
        type.addFields(fields);
        type.addMethods(parts);
        type.addTypes(nested);
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
        MethodSpec.Builder method = signature("value", argumentNames)
                .returns(TypeName.DOUBLE)
                .addJavadoc("The value of $L.\n", function.name())
                .addCode(checks(argumentNames));
        return body(
                        method,
                        argumentNames,
                        graph,
                        o -> o.kind() == Output.Kind.VALUE,
                        kernel -> List.of(),
                        kernel -> valueOf(kernel, graph))
                .build();
    }

    private MethodSpec derivativeMethod(Graph graph, List<String> argumentNames) {
        Output gradient = gradientOutputs(graph).get(0);
        MethodSpec.Builder method = signature("derivative", argumentNames)
                .returns(TypeName.DOUBLE)
                .addJavadoc("The derivative of $L in {@code $L}.\n", function.name(), argumentNames.get(0));
        return body(
                        method,
                        argumentNames,
                        graph,
                        o -> o == gradient,
                        kernel -> List.of(),
                        kernel -> kernel.ref(gradient.node(), Index.literal(0, Shape.scalar())))
                .build();
    }

    private MethodSpec gradientMethod(Graph graph, List<String> argumentNames) {
        int total =
                function.arguments().stream().mapToInt(a -> a.shape().size()).sum();
        MethodSpec.Builder method = signature("gradient", argumentNames)
                .addParameter(DOUBLES, "grad")
                .returns(TypeName.DOUBLE)
                .addJavadoc(
                        "Returns the value of $L and fills {@code grad} with its gradient in every\n", function.name())
                .addJavadoc("argument, in argument order ($L value$L).\n", total, total == 1 ? "" : "s")
                .addCode(checks(argumentNames))
                .addStatement("requireLength($S, grad.length, $L)", "grad", total);
        return body(
                        method,
                        argumentNames,
                        graph,
                        o -> true,
                        kernel -> gradientSinks(kernel, graph),
                        kernel -> valueOf(kernel, graph))
                .build();
    }

    /** {@code grad[k] = ...} for every element of every argument's gradient, one statement each. */
    private List<CodeBlock> gradientSinks(KernelEmitter kernel, Graph graph) {
        List<CodeBlock> sinks = new ArrayList<>();
        int offset = 0;
        for (Output gradient : gradientOutputs(graph)) {
            Shape shape = graph.node(gradient.node()).shape();
            for (int e = 0; e < shape.size(); e++) {
                sinks.add(CodeBlock.of(
                        "grad[$L] = $L;\n", offset + e, kernel.ref(gradient.node(), Index.literal(e, shape))));
            }
            offset += shape.size();
        }
        return sinks;
    }

    /**
     * The statements of {@code method} after its argument checks: the kernel that computes
     * {@code outputs}, then {@code sinks}, then {@code return result}. A kernel whose code would
     * pass {@link NetworkClasses#SPLIT_THRESHOLD} characters is split into static parts (see
     * {@link #splitBody}).
     */
    private MethodSpec.Builder body(
            MethodSpec.Builder method,
            List<String> argumentNames,
            Graph graph,
            Predicate<Output> outputs,
            Function<KernelEmitter, List<CodeBlock>> sinks,
            Function<KernelEmitter, CodeBlock> result) {
        if (graph.size() > NetworkClasses.SPLIT_THRESHOLD) {
            // Every node takes at least a character: no need to emit it whole to know it is long.
            return splitBody(method, argumentNames, graph, outputs, sinks, result);
        }
        KernelEmitter kernel =
                new KernelEmitter(graph, outputs, numeric, names.forMethod(), new Context(), false, false, false);
        List<CodeBlock> segments = new ArrayList<>(kernel.segments());
        segments.addAll(sinks.apply(kernel));
        if (segments.stream().mapToInt(b -> b.toString().length()).sum() > NetworkClasses.SPLIT_THRESHOLD) {
            return splitBody(method, argumentNames, graph, outputs, sinks, result);
        }
        CodeBlock returned = result.apply(kernel);
        // After the result: an inlined result may call a helper too (leakyRelu(x, 0.2)).
        helpers.addAll(kernel.helpers());
        method.addCode(kernel.declarations());
        segments.forEach(method::addCode);
        return method.addStatement("return $L", returned);
    }

    /**
     * A long kernel as static parts that {@code method} calls in order. A static method has no
     * instance to keep scratch in, and the values one part leaves for later ones (a chain's
     * forward values, read again by its backward pass) are far too many for parameters and
     * return values, so they live in a preallocated scratch array ({@code s[k]} for scalars,
     * {@code scratch[j]} for vectors) that every part receives. The class keeps one scratch per
     * method in an {@link AtomicReference}: a call takes it out, and puts it back when done; a
     * call that finds it taken (another thread is in the same method) makes its own. So a
     * single thread never allocates, and concurrent calls never share a scratch.
     */
    private MethodSpec.Builder splitBody(
            MethodSpec.Builder method,
            List<String> argumentNames,
            Graph graph,
            Predicate<Output> outputs,
            Function<KernelEmitter, List<CodeBlock>> sinks,
            Function<KernelEmitter, CodeBlock> result) {
        MethodSpec built = method.build();
        String name = built.name();
        JavaNames local = names.forMethod();
        String scalars = local.fresh("s");
        String scratch = local.fresh("scratch");
        ScratchContext context = new ScratchContext(scalars, scratch);
        KernelEmitter kernel = new KernelEmitter(graph, outputs, numeric, local, context, true, false, false);
        List<CodeBlock> segments = new ArrayList<>(kernel.segments());
        segments.addAll(sinks.apply(kernel));
        CodeBlock returned = result.apply(kernel);
        helpers.addAll(kernel.helpers());
        List<ParameterSpec> parameters = new ArrayList<>(built.parameters());
        parameters.add(ParameterSpec.builder(DOUBLES, scalars).build());
        parameters.add(ParameterSpec.builder(ArrayTypeName.of(DOUBLES), scratch).build());
        MethodParts.Split split = MethodParts.split(
                name + "Part", List.of(Modifier.PRIVATE, Modifier.STATIC), parameters, segments, name, className);
        parts.addAll(split.methods());
        nested.addAll(split.classes());
        String pool = names.fresh(name.toUpperCase(Locale.ROOT) + "_SCRATCH");
        String create = names.fresh(name + "Scratch");
        TypeName poolType = ParameterizedTypeName.get(ClassName.get(AtomicReference.class), ArrayTypeName.of(DOUBLES));
        fields.add(FieldSpec.builder(poolType, pool, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The scratch of {@link #$L}, while no call holds it.\n", name)
                .initializer("new $T<>($N())", AtomicReference.class, create)
                .build());
        parts.addAll(context.creator(create, name));
        String value = local.fresh("result");
        return method.addComment("Split into parts: one method of this size would exceed HotSpot's compilation limit.")
                .addStatement("$T $N = $N.getAndSet(null)", ArrayTypeName.of(DOUBLES), scratch, pool)
                .beginControlFlow("if ($N == null)", scratch)
                .addComment("another thread holds the shared scratch")
                .addStatement("$N = $N()", scratch, create)
                .endControlFlow()
                .addStatement("$T $N = $N[0]", DOUBLES, scalars, scratch)
                .addCode(split.calls())
                .addStatement("double $N = $L", value, returned)
                .addStatement("$N.set($N)", pool, scratch)
                .addStatement("return $N", value);
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

    /** Leaves of a function kernel: its arguments; arrays are locals of the method. */
    private class Context implements KernelEmitter.Context {
        @Override
        public int tileRows() {
            return KernelEmitter.TILE;
        }

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
            throw new InternalCompilerError("an unsplit function kernel keeps its scalars in locals");
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

        @Override
        public boolean hasScratchRows() {
            return false;
        }
    }

    /**
     * The storage of a split kernel: stored scalars are elements of {@code s}, arrays the rows
     * {@code scratch[1]}, {@code scratch[2]}, ... of the scratch that every part receives
     * ({@code s} is {@code scratch[0]}).
     */
    private final class ScratchContext extends Context {
        private final String scalars;
        private final String scratch;
        private int scalarCount;
        private final List<Integer> arraySizes = new ArrayList<>();

        ScratchContext(String scalars, String scratch) {
            this.scalars = scalars;
            this.scratch = scratch;
        }

        @Override
        public String scalar(String suggestedName) {
            return scalars + "[" + scalarCount++ + "]";
        }

        @Override
        public String array(Node node, String suggestedName, int size, CodeBlock.Builder declarations) {
            arraySizes.add(size);
            return scratch + "[" + arraySizes.size() + "]";
        }

        /**
         * {@code creator()}, which makes a scratch of the sizes this kernel needs (split in parts
         * too when the kernel has very many arrays), and its parts.
         */
        List<MethodSpec> creator(String creator, String method) {
            List<CodeBlock> rows = new ArrayList<>();
            rows.add(CodeBlock.of("$N[0] = new double[$L];\n", scratch, Math.max(1, scalarCount)));
            for (int j = 0; j < arraySizes.size(); j++) {
                rows.add(CodeBlock.of("$N[$L] = new double[$L];\n", scratch, j + 1, arraySizes.get(j)));
            }
            MethodParts.Split split = MethodParts.split(
                    creator + "Part",
                    List.of(Modifier.PRIVATE, Modifier.STATIC),
                    List.of(ParameterSpec.builder(ArrayTypeName.of(DOUBLES), scratch)
                            .build()),
                    rows,
                    creator,
                    className);
            nested.addAll(split.classes());
            List<MethodSpec> methods = new ArrayList<>(split.methods());
            methods.add(
                    0,
                    MethodSpec.methodBuilder(creator)
                            .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                            .returns(ArrayTypeName.of(DOUBLES))
                            .addJavadoc("A new scratch for {@link #$L}.\n", method)
                            .addStatement(
                                    "$T $N = new double[$L][]",
                                    ArrayTypeName.of(DOUBLES),
                                    scratch,
                                    arraySizes.size() + 1)
                            .addCode(split.calls())
                            .addStatement("return $N", scratch)
                            .build());
            return methods;
        }
    }
}
