package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.compiler.autodiff.ReverseMode;
import dev.nnc.compiler.graph.BatchOp;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.Lowering;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.graph.TensorOp;
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
import java.util.function.Predicate;
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
    private final JavaNames names;
    private List<ParameterField> parameters;
    private Map<String, ParameterField> byName;
    private final List<FieldSpec> scratch = new ArrayList<>();
    private final Set<String> helpers = new TreeSet<>();
    private boolean usesRandom;
    /**
     * Whether training reads the statistics of its batch ({@code batch_norm}): it then trains a
     * batch as one tile, on one thread, and the tile's arrays grow to the largest batch.
     */
    private boolean batchStatistics;
    /** The buffers' fields, in {@code BUFFER_NAMES} order. */
    private List<BufferField> buffers = List.of();
    /** Per-sample scratch fields of {@code tile} rows, which a batch-statistics class grows: name to row length (-1: one value per sample). */
    private final Map<String, Integer> tileFields = new java.util.LinkedHashMap<>();

    /** Samples per tile of this class's kernels ({@link Tiles}). */
    private int tile = KernelEmitter.TILE;
    /** Row copies of weights that tiled kernels read, by parameter and orientation. */
    private final Map<String, WeightRows> weightRows = new java.util.LinkedHashMap<>();
    /** The gradient fields each training kernel clears itself on a first tile (TileGradientSinks). */
    private final Map<Kind, Set<String>> clearedByKernel = new java.util.EnumMap<>(Kind.class);
    /** Whether a tiled kernel copies the tile's inputs and targets into rows first. */
    private boolean stagesRows;
    /** The training kernel's input layer, when a split batch can split it by inputs. */
    private java.util.Optional<InputLayerSplit> inputLayerSplit = java.util.Optional.empty();
    /** Scratch array fields by name and size, shared between kernels. */
    private final Map<String, List<String>> pool = new java.util.HashMap<>();
    /** The constant tables of the class by their initializers, each declared once. */
    private final Map<String, String> tables = new java.util.HashMap<>();

    /**
     * Kernels whose source is longer than this many characters are split into parts. Generated
     * code runs about 0.6 bytes of bytecode per character, so a part stays near 4,000 bytes,
     * half of HotSpot's limit; {@code MethodSizeTest} measures the real sizes.
     */
    static final int SPLIT_THRESHOLD = 6_000;

    /**
     * The longest {@code trainOne} body, in characters: at about 0.6 bytes per character, near
     * 5,400 bytes of bytecode, under HotSpot's 8,000-byte compilation limit with room to spare.
     * Longer ones (networks with several hundred parameters) train one sample through the
     * general path; {@code MethodSizeTest} measures the real sizes.
     */
    static final int TRAIN_ONE_LIMIT = 9_000;

    private NetworkClasses(Declaration.Network network, JavaNames names) {
        this.network = network;
        this.names = names;
        this.numeric = new Numeric(network.precision());
    }

    /**
     * A network's optimised graphs: prediction, training (null when not trainable) and the
     * deterministic gradient of a network with dropout (null without). They do not depend on
     * names, so the rounds of {@link CodeGenerator#type} share them.
     */
    record Graphs(Graph prediction, Graph training, Graph deterministic) {
        static Graphs of(Declaration.Network network) {
            Graph training = network.isTrainable()
                    ? Passes.optimize(ReverseMode.differentiateWeightedLoss(
                            Lowering.lower(network, Lowering.Mode.TRAINING), network))
                    : null;
            // Dropout and batch statistics make training differ from prediction; gradient() is then
            // the gradient of the prediction graph's loss, a kernel of its own.
            boolean differs = training != null
                    && training.nodes().stream()
                            .anyMatch(node -> node.op() instanceof LeafOp.DropoutMask || node.op() instanceof BatchOp);
            return new Graphs(
                    Passes.optimize(Lowering.lower(network, Lowering.Mode.PREDICTION)),
                    training,
                    differs
                            ? Passes.optimize(ReverseMode.differentiateWeightedLoss(
                                    Lowering.lower(network, Lowering.Mode.PREDICTION), network))
                            : null);
        }
    }

    static TypeSpec generate(Declaration.Network network, Graphs graphs, CheckedUnit unit, JavaNames names) {
        return new NetworkClasses(network, names).build(graphs, unit);
    }

    private TypeSpec build(Graphs graphs, CheckedUnit unit) {
        Graph prediction = graphs.prediction();
        Graph training = graphs.training();
        // Dropout masks make the class draw random numbers, and a class that does never splits
        // a batch across threads; every kernel must know that before it is emitted.
        usesRandom =
                training != null && training.nodes().stream().anyMatch(node -> node.op() instanceof LeafOp.DropoutMask);
        batchStatistics = training != null && training.nodes().stream().anyMatch(node -> node.op() instanceof BatchOp);
        buffers = network.buffers().stream()
                .map(buffer -> new BufferField(
                        buffer,
                        names.of(buffer, buffer.name()),
                        names.of("next:" + buffer.name(), "next_" + buffer.name())))
                .toList();
        tile = Tiles.rows(training != null ? training : prediction, numeric);
        boolean tiled = kernel(prediction, Kind.FORWARD.outputs(), false, true).isTiled()
                || (training != null
                        && kernel(training, Kind.TRAIN.outputs(), false, true).isTiled());
        parameters = NetworkClassGenerator.parameterFields(network, names, tiled);
        byName = parameters.stream().collect(Collectors.toMap(p -> p.param().name(), Function.identity()));
        List<MethodSpec> methods = new ArrayList<>();
        methods.addAll(kernelMethods(Kind.FORWARD, prediction));
        if (network.isTrainable()) {
            methods.addAll(kernelMethods(Kind.LOSS, prediction));
            methods.addAll(kernelMethods(Kind.TRAIN, training));
            if (graphs.deterministic() != null) {
                // gradient() is the gradient of loss(): deterministic, without dropout (it leaves
                // the dropout generator alone) and with the running statistics.
                methods.addAll(kernelMethods(Kind.GRADIENT, graphs.deterministic()));
            }
        }
        // Named after the kernels' fields, as it always was, so that a collision between the two
        // resolves the same way (the kernels' field keeps its name).
        OptimizerEmitter optimizer = network.optimizer()
                .map(spec -> new OptimizerEmitter(spec, numeric, parameters, names))
                .orElse(null);
        MethodSpec trainOne = optimizer == null ? null : trainOne(training, optimizer);
        if (trainOne != null) {
            methods.add(trainOne);
        }
        for (String helper : helpers) {
            methods.add(Helpers.method(helper, numeric));
        }
        if (stagesRows) {
            scratch.add(rowsField("inputRows", tile, network.inputSize()));
            if (network.isTrainable()) {
                scratch.add(rowsField("targetRows", tile, network.targetSize()));
            }
        }
        if (batchStatistics) {
            methods.add(holdBatch(methods));
            scratch.add(FieldSpec.builder(TypeName.INT, "tileCapacity", Modifier.PRIVATE)
                    .addJavadoc("Samples the per-sample scratch arrays hold; training grows them to its batch.\n")
                    .initializer("TILE")
                    .build());
        }
        // A gradient may go uncleared by the API only if every kernel that accumulates into it
        // clears it on the first tile.
        Set<String> selfCleared = new java.util.LinkedHashSet<>(clearedByKernel.getOrDefault(Kind.TRAIN, Set.of()));
        if (graphs.deterministic() != null) {
            selfCleared.retainAll(clearedByKernel.getOrDefault(Kind.GRADIENT, Set.of()));
        }
        // The flag exists wherever a kernel reads it, also when another kernel accumulates the same
        // gradient without clearing it: the API then clears that gradient itself as well.
        boolean freshFlag = clearedByKernel.values().stream().anyMatch(cleared -> !cleared.isEmpty());
        if (freshFlag) {
            scratch.add(FieldSpec.builder(TypeName.BOOLEAN, TileGradientSinks.FRESH, Modifier.PRIVATE)
                    .addJavadoc("Whether the tile being accumulated is the first of a gradient (the sums clear it).\n")
                    .build());
        }
        Kernels kernels = new Kernels(
                scratch,
                methods,
                usesRandom,
                List.copyOf(weightRows.values()),
                tiled,
                trainOne != null,
                Set.copyOf(selfCleared),
                freshFlag,
                inputLayerSplit,
                tile,
                batchStatistics,
                buffers);
        return new NetworkClassGenerator(
                        network, unit.source(), unit.packageName(), names, parameters, kernels, optimizer)
                .generate();
    }

    /**
     * {@code trainOne(xs, ys)}: {@code trainStep} on one sample, for networks whose training
     * kernel is unrolled, as one method. The per-sample code is {@code trainSample}'s, with the
     * sample at offset 0 and weight 1 (= 1 / n); the gradient stays in locals instead of going
     * through the gradient fields (no clearing, no read-add-write, no second pass to read it
     * back), and the optimizer update reads it from there. Clipping, the finiteness checks and
     * the update are those of {@code applyUpdate}, in the same order and with the same
     * rounding, so a step gives bitwise the parameters that the general path gives.
     *
     * <p>Batch-size-1 training is where the per-step overhead around the arithmetic is largest
     * (BENCHMARKS.md, N1 and N3; docs/codegen.md has the figures). {@code null} when the
     * kernel is not unrolled, or when the fused method would pass {@link #TRAIN_ONE_LIMIT}.
     */
    private MethodSpec trainOne(Graph training, OptimizerEmitter optimizer) {
        KernelEmitter kernel = kernel(training, Kind.TRAIN.outputs(), false, true);
        // Unrolled training kernels go with flat parameters; the fused update indexes them so.
        if (!kernel.isUnrolled() || parameters.stream().anyMatch(ParameterField::byColumns)) {
            return null;
        }
        String type = numeric.type().toString();
        CodeBlock.Builder code = CodeBlock.builder()
                .add(kernel.declarations())
                .add("// trainSample's code for the sample at offset 0 with weight 1 / n = 1.\n")
                .addStatement("int xo = 0")
                .addStatement("int yo = 0")
                .addStatement("$L weight = $L", type, numeric.literal(1));
        kernel.segments().forEach(code::add);
        java.util.Map<ParameterField, String[]> gradients = new java.util.LinkedHashMap<>();
        for (ParameterField p : parameters) {
            gradients.put(p, new String[p.size()]);
        }
        // 0.0 + g, as the general path adds g to a cleared gradient field: the same value, -0.0
        // included (it becomes 0.0), so the update sees bitwise the same gradient.
        for (Output gradient : training.outputs()) {
            if (gradient.kind() != Output.Kind.GRADIENT) {
                continue;
            }
            ParameterField p = byName.get(gradient.name());
            String[] locals = gradients.get(p);
            code.add("// d loss / d $L\n", p.param().name());
            for (int e = 0; e < p.size(); e++) {
                locals[e] = kernel.fresh("g_" + p.field() + "_" + e);
                code.addStatement(
                        "$L $N = $L + $L",
                        type,
                        locals[e],
                        numeric.literal(0),
                        kernel.ref(gradient.node(), Index.literal(e, p.param().shape())));
            }
        }
        for (ParameterField p : parameters) {
            String[] locals = gradients.get(p);
            for (int e = 0; e < locals.length; e++) {
                if (locals[e] == null) {
                    // No gradient output: the loss does not depend on it; the field would stay 0.
                    locals[e] = kernel.fresh("g_" + p.field() + "_" + e);
                    code.addStatement("$L $N = $L", type, locals[e], numeric.literal(0));
                }
            }
        }
        String loss = kernel.fresh("sampleLossValue");
        String next = kernel.fresh("next");
        ClassName nonFinite = NetworkClassGenerator.nonFiniteException();
        code.addStatement(
                        "double $N = $L",
                        loss,
                        kernel.ref(
                                training.output(Output.Kind.LOSS).orElseThrow().node(),
                                Index.literal(0, Shape.scalar())))
                .addStatement("long $N = step + 1", next)
                .beginControlFlow("if (!$T.isFinite($N))", JavaLang.DOUBLE, loss)
                .addStatement("throw new $T($N, $T.Quantity.LOSS, $N)", nonFinite, next, nonFinite, loss)
                .endControlFlow()
                .add(optimizer.fusedUpdate(gradients, next, kernel::fresh, !weightRows.isEmpty()))
                .addStatement("step = $N", next)
                .addStatement("return $N", loss);
        CodeBlock body = code.build();
        if (body.toString().length() > TRAIN_ONE_LIMIT) {
            return null;
        }
        collect(kernel);
        return MethodSpec.methodBuilder("trainOne")
                .addModifiers(Modifier.PRIVATE)
                .returns(TypeName.DOUBLE)
                .addParameter(numeric.arrayType(), "xs")
                .addParameter(numeric.arrayType(), "ys")
                .addJavadoc(
                        "{@link #trainStep} on the one sample at {@code xs[0]}, {@code ys[0]}: forward, backward,\n")
                .addJavadoc("checks and update in one method, with the gradient in locals. Numerically the\n")
                .addJavadoc("general path's step; see {@code trainSample} and {@code applyUpdate}.\n")
                .addCode(body)
                .build();
    }

    /**
     * The four kernels of a network class. Each has a per-sample form ({@code trainSample}) and
     * the form the public API calls, over a tile of {@code m} consecutive samples
     * ({@code trainTile}); for small networks the tile form just calls the per-sample one.
     */
    private enum Kind {
        FORWARD("forward", "forwardTile", TypeName.VOID, "Prediction for", "written to {@code outs}"),
        LOSS("sampleLoss", "lossTile", TypeName.DOUBLE, "The loss of", "without dropout"),
        TRAIN("trainSample", "trainTile", TypeName.DOUBLE, "Forward and backward pass of", "dropout applied"),
        GRADIENT("gradientSample", "gradientTile", TypeName.DOUBLE, "Forward and backward pass of", "no dropout");

        final String sampleName;
        final String tileName;
        final TypeName returns;
        final String what;
        final String note;

        Kind(String sampleName, String tileName, TypeName returns, String what, String note) {
            this.sampleName = sampleName;
            this.tileName = tileName;
            this.returns = returns;
            this.what = what;
            this.note = note;
        }

        boolean hasTargets() {
            return this != FORWARD;
        }

        boolean accumulatesGradient() {
            return this == TRAIN || this == GRADIENT;
        }

        Predicate<Output> outputs() {
            return this == FORWARD
                    ? o -> o.kind() == Output.Kind.PREDICTION
                    : o -> o.kind() != Output.Kind.PREDICTION && (this != LOSS || o.kind() == Output.Kind.LOSS);
        }

        List<String> sampleParameters() {
            return switch (this) {
                case FORWARD -> List.of("xs", "xo", "outs", "oo");
                case LOSS -> List.of("xs", "xo", "ys", "yo");
                case TRAIN, GRADIENT -> List.of("xs", "xo", "ys", "yo", "weight");
            };
        }

        List<String> tileParameters() {
            return switch (this) {
                case FORWARD -> List.of("xs", "xo", "outs", "oo", "m");
                case LOSS -> List.of("xs", "xo", "ys", "yo", "m");
                case TRAIN, GRADIENT -> List.of("xs", "xo", "ys", "yo", "m", "weight");
            };
        }

        String sampleJavadoc() {
            return what + " the sample at {@code xs[xo]} (" + note + ")"
                    + (accumulatesGradient() ? "; adds {@code weight} times its gradient to the gradient fields" : "")
                    + (returns == TypeName.VOID ? "" : "; returns its loss") + ".\n";
        }

        String tileJavadoc() {
            return what + " the {@code m} samples from {@code xs[xo]} on (" + note + ")"
                    + (accumulatesGradient()
                            ? "; adds {@code weight} times their gradients to the gradient fields"
                            : "")
                    + (returns == TypeName.VOID ? "" : "; returns the sum of their losses") + ".\n";
        }
    }

    /**
     * The methods of one kernel: the tile method the API calls and whatever it needs, the
     * per-sample method or the parts a long kernel is split into.
     */
    private List<MethodSpec> kernelMethods(Kind kind, Graph graph) {
        KernelEmitter kernel = kernel(graph, kind.outputs(), false, true);
        if (kind == Kind.TRAIN) {
            inputLayerSplit =
                    kernel.inputSplit().map(site -> new InputLayerSplit(byName.get(site.weight()), site.inputOffset()));
        }
        if (kernel.isTiled()) {
            return tiledMethods(kind, graph, kernel);
        }
        List<MethodSpec> methods = new ArrayList<>(perSampleMethods(kind, graph, kernel));
        methods.add(0, tileWrapper(kind));
        return methods;
    }

    // private double trainTile(double[] xs, int xo, double[] ys, int yo, int m, double weight) {
    //     double lossSum = 0.0;
    //     for (int b = 0; b < m; b++) lossSum += trainSample(xs, xo + b * 2, ys, yo + b * 1, weight);
    //     return lossSum;
    // }
    private MethodSpec tileWrapper(Kind kind) {
        MethodSpec.Builder method = kernelMethod(
                new Signature(kind.tileName, kind.returns, kind.tileParameters()).withJavadoc(kind.tileJavadoc()));
        String call = kind.sampleName + "(xs, xo + b * " + network.inputSize()
                + (kind.hasTargets()
                        ? ", ys, yo + b * " + network.targetSize()
                        : ", outs, oo + b * " + network.outputSize())
                + (kind.accumulatesGradient() ? ", weight)" : ")");
        if (kind.returns == TypeName.VOID) {
            return method.beginControlFlow("for (int b = 0; b < m; b++)")
                    .addStatement(call)
                    .endControlFlow()
                    .build();
        }
        return method.addStatement("double lossSum = 0.0")
                .beginControlFlow("for (int b = 0; b < m; b++)")
                .addStatement("lossSum += " + call)
                .endControlFlow()
                .addStatement("return lossSum")
                .build();
    }

    private List<MethodSpec> perSampleMethods(Kind kind, Graph graph, KernelEmitter first) {
        Signature signature =
                new Signature(kind.sampleName, kind.returns, kind.sampleParameters()).withJavadoc(kind.sampleJavadoc());
        Function<KernelEmitter, List<CodeBlock>> sinks = kernel -> sampleSinks(kind, kernel, graph);
        Function<KernelEmitter, CodeBlock> result = kernel -> kind.returns == TypeName.VOID
                ? null
                : kernel.ref(graph.output(Output.Kind.LOSS).orElseThrow().node(), Index.literal(0, Shape.scalar()));
        return splitIfLong(signature, graph, kind, first, sinks, result);
    }

    private List<MethodSpec> tiledMethods(Kind kind, Graph graph, KernelEmitter first) {
        Signature signature =
                new Signature(kind.tileName, kind.returns, kind.tileParameters()).withJavadoc(kind.tileJavadoc());
        Function<KernelEmitter, List<CodeBlock>> sinks = kernel -> tileSinks(kind, kernel, graph);
        Function<KernelEmitter, CodeBlock> result =
                kernel -> kind.returns == TypeName.VOID ? null : CodeBlock.of("lossSum");
        return splitIfLong(signature, graph, kind, first, sinks, result);
    }

    private List<CodeBlock> sampleSinks(Kind kind, KernelEmitter kernel, Graph graph) {
        if (kind == Kind.FORWARD) {
            Output out = graph.output(Output.Kind.PREDICTION).orElseThrow();
            return List.of(writeElements(
                    kernel,
                    out.node(),
                    graph.node(out.node()).shape(),
                    (index, value) -> CodeBlock.of("outs[$L] = $L;\n", index.plus(CodeBlock.of("oo"), 0), value)));
        }
        return kind.accumulatesGradient() ? gradientSinks(kernel, graph) : List.of();
    }

    private List<CodeBlock> tileSinks(Kind kind, KernelEmitter kernel, Graph graph) {
        List<CodeBlock> sinks = new ArrayList<>();
        if (kind == Kind.FORWARD) {
            Output out = graph.output(Output.Kind.PREDICTION).orElseThrow();
            Shape shape = graph.node(out.node()).shape();
            CodeBlock row = CodeBlock.of("oo + b * $L", network.outputSize());
            sinks.add(kernel.forEachSample(writeElements(
                    kernel,
                    out.node(),
                    shape,
                    (index, value) -> CodeBlock.of("outs[$L] = $L;\n", index.plus(row, 0), value))));
            return sinks;
        }
        if (kind.accumulatesGradient()) {
            TileGradientSinks gradientSinks = new TileGradientSinks(kernel, graph, numeric, byName);
            sinks.addAll(gradientSinks.sinks());
            clearedByKernel.put(kind, gradientSinks.clearedHere());
            sinks.addAll(bufferSinks(kernel, graph));
        }
        int loss = graph.output(Output.Kind.LOSS).orElseThrow().node();
        CodeBlock value = kernel.ref(loss, Index.literal(0, Shape.scalar()));
        sinks.add(
                kernel.isBatched(loss)
                        ? CodeBlock.builder()
                                .addStatement("double lossSum = 0.0")
                                .add(kernel.forEachSample(CodeBlock.of("lossSum += $L;\n", value)))
                                .build()
                        : CodeBlock.builder()
                                .addStatement("double lossSum = m * $L", value)
                                .build());
        return sinks;
    }

    /**
     * The next values of the buffers, from the training graph's {@link Output.Kind#BUFFER}
     * outputs: the same for every sample, so written once per tile (the batch) into the
     * buffers' {@code next} fields, which the API commits.
     */
    private List<CodeBlock> bufferSinks(KernelEmitter kernel, Graph graph) {
        List<CodeBlock> sinks = new ArrayList<>();
        for (Output output : graph.outputs()) {
            if (output.kind() != Output.Kind.BUFFER) {
                continue;
            }
            BufferField buffer = bufferField(output.name());
            if (kernel.isBatched(output.node())) {
                throw new dev.nnc.compiler.diagnostic.InternalCompilerError(
                        "the next value of buffer " + output.name() + " depends on the sample");
            }
            sinks.add(CodeBlock.builder()
                    .add("// the next $L\n", output.name())
                    .add(writeElements(
                            kernel,
                            output.node(),
                            buffer.buffer().shape(),
                            (index, value) -> CodeBlock.of("$N[$L] = $L;\n", buffer.next(), index.flat(), value)))
                    .build());
        }
        return sinks;
    }

    /** The field of the buffer named {@code name}. */
    private BufferField bufferField(String name) {
        return buffers.stream()
                .filter(b -> b.buffer().name().equals(name))
                .findFirst()
                .orElseThrow(
                        () -> new dev.nnc.compiler.diagnostic.InternalCompilerError("no field for buffer " + name));
    }

    /**
     * {@code holdBatch(n)}: the per-sample scratch arrays made to hold {@code n} samples, for
     * training that reads batch statistics and so runs a batch as one tile. They only grow, so a
     * training loop allocates at its first batch and never again.
     */
    private MethodSpec holdBatch(List<MethodSpec> parts) {
        List<CodeBlock> segments = new ArrayList<>();
        tileFields.forEach((field, cols) -> segments.add(
                cols < 0
                        ? CodeBlock.of("$N = new $T[n];\n", field, numeric.type())
                        : CodeBlock.of("$N = new $T[n][$L];\n", field, numeric.type(), Math.max(1, cols))));
        CodeBlock body = MethodParts.inlineOrSplit(
                "holdBatchPart",
                List.of(com.palantir.javapoet.ParameterSpec.builder(TypeName.INT, "n")
                        .build()),
                segments,
                "holdBatch",
                parts);
        return MethodSpec.methodBuilder("holdBatch")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(TypeName.INT, "n")
                .addJavadoc("Makes the per-sample scratch arrays hold {@code n} samples: training reads the\n")
                .addJavadoc("statistics of its batch, so a batch is one tile. They only grow.\n")
                .beginControlFlow("if (n <= tileCapacity)")
                .addStatement("return")
                .endControlFlow()
                .addCode(body)
                .addStatement("tileCapacity = n")
                .build();
    }

    private List<CodeBlock> gradientSinks(KernelEmitter kernel, Graph graph) {
        List<CodeBlock> sinks = new ArrayList<>();
        for (Output gradient : graph.outputs()) {
            if (gradient.kind() != Output.Kind.GRADIENT) {
                continue;
            }
            ParameterField p = byName.get(gradient.name());
            Node node = graph.node(gradient.node());
            if (node.op() instanceof TensorOp.EmbeddingGrad) {
                sinks.add(CodeBlock.builder()
                        .add("// accumulate d loss / d $L\n", p.param().name())
                        .add(EmbeddingRows.addRows(kernel, node, p))
                        .build());
                continue;
            }
            sinks.add(CodeBlock.builder()
                    .add("// accumulate d loss / d $L\n", p.param().name())
                    .add(writeElements(
                            kernel,
                            gradient.node(),
                            p.param().shape(),
                            (index, value) -> CodeBlock.of("$L += $L;\n", p.at(p.gradient(), index), value)))
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
     * characters, the method and the parts it calls in order ({@code trainTile0},
     * {@code trainTile1}, ...), each well under HotSpot's 8,000-byte compilation limit. Values
     * that cross from one part to another live in fields.
     */
    private List<MethodSpec> splitIfLong(
            Signature signature,
            Graph graph,
            Kind kind,
            KernelEmitter kernel,
            Function<KernelEmitter, List<CodeBlock>> sinks,
            Function<KernelEmitter, CodeBlock> result) {
        List<CodeBlock> segments = new ArrayList<>(kernel.segments());
        segments.addAll(sinks.apply(kernel));
        CodeBlock returned = result.apply(kernel);
        if (length(segments) <= SPLIT_THRESHOLD) {
            collect(kernel);
            MethodSpec.Builder method = kernelMethod(signature)
                    .addCode(kernel.declarations())
                    .addCode(refreshTransposes(kernel))
                    .addCode(kernel.isTiled() ? stageRows(kind, kernel) : CodeBlock.of(""));
            segments.forEach(method::addCode);
            if (returned != null) {
                method.addStatement("return $L", returned);
            }
            return List.of(method.build());
        }
        kernel = kernel(graph, kind.outputs(), true, kernel.isTiled());
        segments = new ArrayList<>(kernel.segments());
        List<CodeBlock> tail = new ArrayList<>(sinks.apply(kernel));
        returned = result.apply(kernel);
        // The loss sum is a local of the tile method; compute it in the method itself.
        CodeBlock lossSum = signature.name().endsWith("Tile") && returned != null ? tail.remove(tail.size() - 1) : null;
        segments.addAll(tail);
        collect(kernel);
        List<MethodSpec> methods = new ArrayList<>();
        MethodSpec.Builder main = kernelMethod(signature)
                .addComment("Split into parts: one method of this size would exceed HotSpot's compilation limit.")
                .addCode(refreshTransposes(kernel))
                .addCode(kernel.isTiled() ? stageRows(kind, kernel) : CodeBlock.of(""));
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
        if (lossSum != null) {
            main.addCode(lossSum);
        }
        if (returned != null) {
            main.addStatement("return $L", returned);
        }
        methods.add(0, main.build());
        return methods;
    }

    private FieldSpec rowsField(String name, int rows, int cols) {
        FieldSpec.Builder field = FieldSpec.builder(
                        com.palantir.javapoet.ArrayTypeName.of(numeric.arrayType()), name, Modifier.PRIVATE)
                .initializer("new $T[$L][$L]", numeric.type(), rows, Math.max(1, cols));
        if (batchStatistics && rows == tile) {
            tileFields.put(name, cols);
            return field.build();
        }
        return field.addModifiers(Modifier.FINAL).build();
    }

    /**
     * The tile's input (and target) rows copied into arrays of rows, so that every loop over a
     * row starts at index 0, the form C2 vectorises.
     */
    private CodeBlock stageRows(Kind kind, KernelEmitter kernel) {
        stagesRows = true;
        CodeBlock.Builder code = CodeBlock.builder().beginControlFlow("for (int b = 0; b < m; b++)");
        boolean split = kernel.inputSplit().isPresent();
        if (split) {
            // With the input layer split nothing else reads the input; computeInputPartials copies it.
            code.beginControlFlow("if (!$N)", InputLayerSplit.ACTIVE);
        }
        code.addStatement(
                "$T.arraycopy(xs, xo + b * $L, inputRows[b], 0, $L)",
                System.class,
                network.inputSize(),
                network.inputSize());
        if (split) {
            code.endControlFlow();
        }
        if (kind.hasTargets() && network.targetSize() > 0) {
            code.addStatement(
                    "$T.arraycopy(ys, yo + b * $L, targetRows[b], 0, $L)",
                    System.class,
                    network.targetSize(),
                    network.targetSize());
        }
        return code.endControlFlow().build();
    }

    /** {@code if (transposesStale) refreshTransposes();} in kernels that read a transposed weight. */
    private CodeBlock refreshTransposes(KernelEmitter kernel) {
        return kernel.readsTransposes() ? WeightRows.refreshIfStale() : CodeBlock.of("");
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

    private KernelEmitter kernel(Graph graph, Predicate<Output> outputs, boolean split, boolean tileable) {
        return new KernelEmitter(
                graph,
                outputs,
                numeric,
                names.forMethod(),
                new Context(),
                split,
                tileable,
                !usesRandom && !batchStatistics);
    }

    /**
     * Leaves of a network kernel (rows of the batch arrays, the parameter fields) and its
     * storage: scratch arrays are fields shared between kernels (never used by two at once,
     * since an instance is not thread-safe), reused by name and size so that the prediction
     * and the training kernel do not each need their own.
     */
    private final class Context implements KernelEmitter.Context {
        @Override
        public int tileRows() {
            return tile;
        }

        private final Set<String> taken = new java.util.HashSet<>();

        @Override
        public CodeBlock read(LeafOp.Read op, Index index, CodeBlock batch) {
            if (op instanceof LeafOp.Input input) {
                return batch == null
                        ? CodeBlock.of("xs[$L]", index.plus(CodeBlock.of("xo"), input.offset()))
                        : CodeBlock.of("inputRows[$L][$L]", batch, offset(index, input.offset()));
            }
            if (op instanceof LeafOp.Target target) {
                return batch == null
                        ? CodeBlock.of("ys[$L]", index.plus(CodeBlock.of("yo"), target.offset()))
                        : CodeBlock.of("targetRows[$L][$L]", batch, offset(index, target.offset()));
            }
            if (op instanceof LeafOp.Param param) {
                ParameterField p = byName.get(param.name());
                return p.at(p.field(), index);
            }
            if (op instanceof LeafOp.SampleWeight) {
                return CodeBlock.of("weight");
            }
            if (op instanceof LeafOp.Buffer buffer) {
                return CodeBlock.of("$N[$L]", bufferField(buffer.name()).field(), index.flat());
            }
            if (op instanceof LeafOp.BatchSize) {
                // The tile is the batch in a kernel that reads batch statistics.
                return CodeBlock.of("m");
            }
            throw new dev.nnc.compiler.diagnostic.InternalCompilerError("a network cannot read " + op.mnemonic());
        }

        @Override
        public java.util.Optional<CodeBlock> vectorField(LeafOp.Param op) {
            ParameterField p = byName.get(op.name());
            return p.byColumns() ? java.util.Optional.empty() : java.util.Optional.of(CodeBlock.of("$N", p.field()));
        }

        @Override
        public java.util.Optional<KernelEmitter.SampleRows> sampleRows(LeafOp.Read op) {
            if (op instanceof LeafOp.Input input) {
                return java.util.Optional.of(new KernelEmitter.SampleRows(CodeBlock.of("inputRows"), input.offset()));
            }
            if (op instanceof LeafOp.Target target) {
                return java.util.Optional.of(new KernelEmitter.SampleRows(CodeBlock.of("targetRows"), target.offset()));
            }
            return java.util.Optional.empty();
        }

        @Override
        public String array(Node node, String suggestedName, int size, CodeBlock.Builder declarations) {
            return pooled(suggestedName, suggestedName + ":" + size, field -> {
                FieldSpec.Builder declaration = FieldSpec.builder(numeric.arrayType(), field, Modifier.PRIVATE)
                        .initializer("new $T[$L]", numeric.type(), size);
                // A per-sample scalar of a tile (or an array that happens to be as long): grown with the tile.
                if (batchStatistics && size == tile) {
                    tileFields.put(field, -1);
                    return declaration.build();
                }
                return declaration.addModifiers(Modifier.FINAL).build();
            });
        }

        /**
         * A scratch field of the kind {@code key} names that this kernel does not use yet: one
         * another kernel declared, or a new one.
         */
        private String pooled(String suggestedName, String key, Function<String, FieldSpec> declaration) {
            List<String> fields = pool.computeIfAbsent(key, k -> new ArrayList<>());
            for (String field : fields) {
                if (taken.add(field)) {
                    return field;
                }
            }
            String field = names.fresh(suggestedName);
            fields.add(field);
            taken.add(field);
            scratch.add(declaration.apply(field));
            return field;
        }

        @Override
        public String columns(LeafOp.Param op) {
            ParameterField p = byName.get(op.name());
            return p.byColumns() ? p.field() : rows(op, true);
        }

        @Override
        public boolean isCopy(String field) {
            return weightRows.values().stream().anyMatch(view -> view.field().equals(field));
        }

        @Override
        public String rows(LeafOp.Param op) {
            return rows(op, false);
        }

        private String rows(LeafOp.Param op, boolean transposed) {
            ParameterField p = byName.get(op.name());
            return weightRows
                    .computeIfAbsent(
                            p.field() + (transposed ? ":T" : ":rows"),
                            key -> new WeightRows(
                                    p, names.fresh(p.field() + (transposed ? "_T" : "_rows")), transposed))
                    .field();
        }

        @Override
        public String array2D(Node node, String suggestedName, int rows, int cols) {
            return pooled(
                    suggestedName, suggestedName + ":" + rows + "x" + cols, field -> rowsField(field, rows, cols));
        }

        @Override
        public String intTable(String suggestedName, CodeBlock initializer) {
            return tables.computeIfAbsent(initializer.toString(), key -> {
                String field = names.fresh(suggestedName);
                scratch.add(FieldSpec.builder(int[].class, field, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .initializer(initializer)
                        .build());
                return field;
            });
        }

        @Override
        public String scalar(String suggestedName) {
            String field = names.fresh(suggestedName);
            scratch.add(
                    FieldSpec.builder(numeric.type(), field, Modifier.PRIVATE).build());
            return field;
        }
    }

    private static CodeBlock offset(Index index, int offset) {
        if (offset == 0) {
            return index.flat();
        }
        return index.isLiteral()
                ? CodeBlock.of("$L", offset + index.literal())
                : CodeBlock.of("$L + $L", offset, index.flat());
    }

    /** Records the helpers a kernel called, for the class to declare once. */
    void collect(KernelEmitter kernel) {
        helpers.addAll(kernel.helpers());
    }
}
