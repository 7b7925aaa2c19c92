package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.compiler.diagnostic.SourceFile;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Symbol;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * The class of one network, in the order a reader expects: constants, parameter, gradient and
 * optimizer-state fields, scratch buffers, constructors, the public API in contract order
 * ({@code predict}, {@code loss}, {@code gradient}, {@code trainStep}, parameters,
 * {@code save}/{@code load}, {@code copy}, metadata), then the private kernels and helpers.
 * The kernels (forward, loss and training code per sample) come from {@link KernelEmitter};
 * everything here depends only on the checked declaration.
 */
final class NetworkClassGenerator {
    private static final String RUNTIME = "dev.nnc.runtime";
    private static final ClassName NETWORK = ClassName.get(RUNTIME, "Network");
    private static final ClassName TRAINABLE = ClassName.get(RUNTIME, "TrainableNetwork");
    private static final ClassName SEEDED_RANDOM = ClassName.get(RUNTIME, "SeededRandom");
    private static final ClassName INITIALIZERS = ClassName.get(RUNTIME, "Initializers");
    private static final ClassName PARAMETER_FILE = ClassName.get(RUNTIME, "ParameterFile");
    private static final ClassName NON_FINITE = ClassName.get(RUNTIME, "NonFiniteTrainingException");
    private static final ClassName LIST = ClassName.get(List.class);
    private static final TypeName STRING_LIST = ParameterizedTypeName.get(LIST, ClassName.get(String.class));
    private static final TypeName SHAPE_LIST = ParameterizedTypeName.get(LIST, TypeName.get(int[].class));

    private final Declaration.Network network;
    private final SourceFile source;
    private final Numeric numeric;
    private final JavaNames names;
    private final ClassName self;
    private final List<ParameterField> parameters;
    private final Kernels kernels;
    private final OptimizerEmitter optimizer;
    /** Whether batches can be split across threads (see {@link PartsEmitter}). */
    private final boolean splits;
    /**
     * In classes that split batches, the arrays shards share with their main instance:
     * {@code name = new ...} for the constructors that allocate them, in declaration order.
     */
    private final java.util.Map<String, CodeBlock> shared = new java.util.LinkedHashMap<>();
    /** Parts of long methods (see {@link MethodParts#inlineOrSplit}), added after the others. */
    private final List<MethodSpec> parts = new ArrayList<>();

    NetworkClassGenerator(
            Declaration.Network network,
            SourceFile source,
            String packageName,
            JavaNames names,
            List<ParameterField> parameters,
            Kernels kernels,
            OptimizerEmitter optimizer) {
        this.network = network;
        this.source = source;
        this.numeric = new Numeric(network.precision());
        this.names = names;
        this.self = ClassName.get(packageName, network.name());
        this.parameters = List.copyOf(parameters);
        this.kernels = kernels;
        this.optimizer = optimizer;
        this.splits = kernels.splitsBatches();
        this.buffers = new BufferEmitter(kernels.buffers(), numeric);
    }

    /** The buffers' constants, fields and methods ({@code batch_norm}'s running statistics). */
    private final BufferEmitter buffers;

    /**
     * A field that holds persistent state: allocated where it is declared, or, in classes whose
     * shards share it, by the constructors.
     */
    private FieldSpec persistent(FieldSpec.Builder field, String name, CodeBlock allocation) {
        if (splits) {
            shared.put(name, allocation);
            return field.build();
        }
        return field.initializer(allocation).build();
    }

    /**
     * The fields of the parameters (and gradients, when trainable), named once for the class;
     * with {@code tiled}, matrices are stored by columns (see {@link ParameterField}).
     */
    static List<ParameterField> parameterFields(Declaration.Network network, JavaNames names, boolean tiled) {
        List<ParameterField> fields = new ArrayList<>();
        for (Symbol.Param p : network.parameters()) {
            String field = names.of(p, p.name());
            String gradient = network.isTrainable() ? names.of("d:" + p.name(), "d_" + p.name()) : "";
            fields.add(new ParameterField(p, field, gradient, tiled && p.shape().isMatrix()));
        }
        return fields;
    }

    TypeSpec generate() {
        TypeSpec.Builder type = TypeSpec.classBuilder(self)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(network.isTrainable() ? TRAINABLE : NETWORK)
                .addJavadoc(classJavadoc());
        List<FieldSpec> fields = new ArrayList<>(constants());
        fields.addAll(parameterArrays());
        fields.addAll(buffers.fields(network.isTrainable()));
        if (optimizer != null) {
            fields.addAll(optimizer.stateFields(!splits));
            if (splits) {
                parameters.forEach(
                        p -> optimizer.stateArrays(p).forEach(state -> shared.put(state, p.newArray(numeric))));
            }
            fields.add(FieldSpec.builder(TypeName.LONG, "step", Modifier.PRIVATE)
                    .addJavadoc("Training steps taken so far: Adam's t, and the step that errors name.\n")
                    .build());
        }
        if (kernels.usesRandom()) {
            fields.add(FieldSpec.builder(SEEDED_RANDOM, "random", Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("Source of dropout masks while training.\n")
                    .build());
        }
        NetworkApiEmitter api = new NetworkApiEmitter(network, numeric, self, parameters, kernels.usesRandom())
                .withBatchStatistics(kernels.batchStatistics(), buffers)
                .withTransposes(kernels.hasTransposes())
                .withParts(splits)
                .withTrainOne(kernels.hasTrainOne())
                .withSelfClearedGradients(kernels.selfClearedGradients(), kernels.hasFreshFlag());
        PartsEmitter partsEmitter = new PartsEmitter(
                network, numeric, self, parameters, kernels.hasTransposes(), kernels.inputLayerSplit());
        fields.addAll(api.fields());
        fields.addAll(kernels.fields());
        fields.addAll(transposeFields());
        if (splits) {
            fields.addAll(partsEmitter.fields());
        }
        type.addFields(allocatedInParts(fields));
        type.addMethods(constructors());
        if (splits) {
            type.addMethod(partsEmitter.shardConstructor(List.copyOf(shared.keySet()), allocation, this::sharing));
        }
        type.addMethods(api.methods());
        if (optimizer != null) {
            type.addMethods(checkpoints().methods());
        }
        if (splits) {
            type.addMethods(partsEmitter.methods(
                    optimizer != null
                            ? optimizer.returnSquares(ParameterRuns.inParts(), "reduceRange")
                            : CodeBlock.of("return 0.0;\n")));
        }
        type.addMethods(copyAndMetadata());
        if (!buffers.isEmpty()) {
            type.addMethods(buffers.methods(network.isTrainable()));
        }
        type.addMethods(kernels.methods());
        boolean rowsInParts = optimizer != null && kernels.refreshesRowsInParts();
        if (kernels.hasTransposes()) {
            type.addMethod(refreshTransposes());
        }
        if (rowsInParts) {
            type.addMethod(refreshTransposesRange());
        }
        if (optimizer != null) {
            // Straight-line classes read the gradient once for the check and the update.
            boolean fromLocals = kernels.hasTrainOne() && !splits;
            type.addMethod(
                    fromLocals
                            ? optimizer.applyUpdateFromLocals(kernels.hasTransposes())
                            : optimizer.applyUpdate(kernels.hasTransposes(), splits));
            if (splits) {
                type.addMethod(optimizer.applyUpdateInParts(kernels.hasTransposes(), rowsInParts));
                type.addMethod(optimizer.updateRange(rowsInParts));
            }
            if (!fromLocals) {
                type.addMethod(optimizer.gradientNorm());
            }
            type.addMethod(optimizer.nonFiniteGradient());
            type.addMethods(optimizer.parts());
        }
        type.addMethods(api.parts());
        type.addMethods(parts);
        if (splits) {
            type.addType(partsEmitter.partsClass());
        }
        return type.build();
    }

    private CodeBlock classJavadoc() {
        CodeBlock.Builder doc = CodeBlock.builder();
        network.doc().ifPresent(text -> doc.add("$L\n\n", Comments.javadoc(text)));
        String inputs = network.inputs().stream()
                .map(i -> i.name() + i.shape().toString().replace("scalar", ""))
                .collect(Collectors.joining(", "));
        doc.add(
                "$LNetwork {@code $L} ($L:$L), $L precision: input $L; output of $L value$L; $L parameters",
                network.doc().isPresent() ? "<p>" : "",
                network.name(),
                Comments.javadoc(source.fileName()),
                network.span().line(),
                network.precision().name().toLowerCase(java.util.Locale.ROOT),
                inputs,
                network.outputSize(),
                network.outputSize() == 1 ? "" : "s",
                network.parameterCount());
        network.optimizer()
                .ifPresentOrElse(
                        o -> doc.add("; trained with $L.\n", source.text(o.span())),
                        () -> doc.add("; inference only.\n"));
        doc.add("\n<p>An instance owns its scratch buffers and is not thread-safe; {@link #copy()} gives each\n")
                .add("thread its own. Flat arrays are row-major, one sample after another.\n");
        return doc.build();
    }

    /**
     * Row copies of the weights that tiled kernels multiply with (see {@link WeightRows}), and
     * the flag that says they must be refreshed.
     */
    private List<FieldSpec> transposeFields() {
        if (!kernels.hasTransposes()) {
            return List.of();
        }
        List<FieldSpec> fields = new ArrayList<>();
        for (WeightRows view : kernels.weightRows()) {
            fields.add(persistent(
                    FieldSpec.builder(
                                    com.palantir.javapoet.ArrayTypeName.of(numeric.arrayType()),
                                    view.field(),
                                    Modifier.PRIVATE,
                                    Modifier.FINAL)
                            .addJavadoc(
                                    "$L$L as rows, refreshed after every change of the parameters.\n",
                                    view.parameter().param().name(),
                                    view.transposed() ? " transposed" : ""),
                    view.field(),
                    CodeBlock.of("new $T[$L][$L]", numeric.type(), view.rows(), view.cols())));
        }
        fields.add(FieldSpec.builder(TypeName.BOOLEAN, "transposesStale", Modifier.PRIVATE)
                .addJavadoc("Whether the parameters changed since the row copies were last made.\n")
                .initializer("true")
                .build());
        return fields;
    }

    // for (int c0 = 0; c0 < 64; c0 += 16) ... hidden_weight_rows[r][c] = hidden_weight[c][r];
    private MethodSpec refreshTransposes() {
        return MethodSpec.methodBuilder("refreshTransposes")
                .addModifiers(Modifier.PRIVATE)
                .addCode(refreshes(ParameterRuns.whole(), "refreshTransposes"))
                .addStatement("transposesStale = false")
                .build();
    }

    /** The row copies of every weight over {@code runs}, in parts when long. */
    private CodeBlock refreshes(ParameterRuns runs, String whole) {
        List<CodeBlock> segments = new ArrayList<>();
        for (WeightRows view : kernels.weightRows()) {
            segments.add(view.refresh(numeric, runs));
        }
        return MethodParts.inlineOrSplit(whole + "Part", runs.parameters(), segments, whole, parts);
    }

    /**
     * The row copies of part {@code part}'s share of the parameters, run by that part right
     * after its share of the update: the columns it reads are still in its core's cache, and
     * the caller no longer copies every matrix alone before the next step.
     */
    private MethodSpec refreshTransposesRange() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("refreshTransposesRange")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(TypeName.INT, "part")
                .addParameter(TypeName.INT, "parts")
                .addJavadoc("Part {@code part} of {@code parts} of {@link #refreshTransposes}.\n");
        return method.addCode(refreshes(ParameterRuns.inParts(), "refreshTransposesRange"))
                .build();
    }

    private List<FieldSpec> constants() {
        List<FieldSpec> fields = new ArrayList<>();
        fields.add(intConstant("INPUT_SIZE", network.inputSize(), "Values per sample in the input rows."));
        fields.add(intConstant(
                "TARGET_SIZE", network.targetSize(), "Values per sample in the target rows (0 when inference-only)."));
        fields.add(intConstant("OUTPUT_SIZE", network.outputSize(), "Values per sample that prediction writes."));
        fields.add(intConstant("PARAMETER_COUNT", network.parameterCount(), "Number of trainable scalars."));
        CodeBlock namesList = network.parameters().isEmpty()
                ? CodeBlock.of("$T.of()", LIST)
                : CodeBlock.of(
                        "$T.of($L)",
                        LIST,
                        network.parameters().stream()
                                .map(p -> CodeBlock.of("$S", p.name()))
                                .collect(CodeBlock.joining(", ")));
        CodeBlock shapes = network.parameters().isEmpty()
                ? CodeBlock.of("$T.of()", LIST)
                : CodeBlock.of(
                        "$T.of($L)",
                        LIST,
                        network.parameters().stream()
                                .map(p -> CodeBlock.of(
                                        "new int[] {$L}", dims(p.shape().dims())))
                                .collect(CodeBlock.joining(", ")));
        List<CodeBlock> nameSegments = new ArrayList<>();
        List<CodeBlock> shapeSegments = new ArrayList<>();
        for (int i = 0; i < network.parameters().size(); i++) {
            Symbol.Param p = network.parameters().get(i);
            nameSegments.add(CodeBlock.of("names[$L] = $S;\n", i, p.name()));
            shapeSegments.add(CodeBlock.of(
                    "shapes[$L] = new int[] {$L};\n", i, dims(p.shape().dims())));
        }
        if (MethodParts.length(nameSegments) + MethodParts.length(shapeSegments) > NetworkClasses.SPLIT_THRESHOLD) {
            // javac puts every static initializer in one method; this many would pass the limit.
            namesList = CodeBlock.of("$T.of(parameterNameArray())", LIST);
            shapes = CodeBlock.of("$T.of(parameterShapeArrays())", LIST);
            parts.add(staticTable("parameterNameArray", ClassName.get(String.class), "names", nameSegments));
            parts.add(staticTable("parameterShapeArrays", TypeName.get(int[].class), "shapes", shapeSegments));
        }
        fields.add(FieldSpec.builder(STRING_LIST, "PARAMETER_NAMES", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Parameter tensors in the order of the flat parameter arrays.\n")
                .initializer(namesList)
                .build());
        fields.add(FieldSpec.builder(SHAPE_LIST, "PARAMETER_SHAPES", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer(shapes)
                .build());
        fields.addAll(buffers.constants());
        if (!buffers.isEmpty()) {
            // A parameter file holds the buffers after the parameters.
            fields.add(FieldSpec.builder(STRING_LIST, "SAVED_NAMES", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .initializer(
                            "$T.concat(PARAMETER_NAMES.stream(), BUFFER_NAMES.stream()).toList()",
                            java.util.stream.Stream.class)
                    .build());
            fields.add(FieldSpec.builder(SHAPE_LIST, "SAVED_SHAPES", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .initializer(
                            "$T.concat(PARAMETER_SHAPES.stream(), BUFFER_SHAPES.stream()).toList()",
                            java.util.stream.Stream.class)
                    .build());
        }
        if (optimizer != null) {
            fields.add(checkpoints().layout());
        }
        fields.add(FieldSpec.builder(TypeName.INT, "TILE", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Samples the kernels handle per call.\n")
                .initializer("$L", kernels.tile())
                .build());
        fields.add(FieldSpec.builder(TypeName.LONG, "DEFAULT_SEED", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("$LL", network.seed())
                .build());
        return fields;
    }

    /** The checkpoint emitter, made once: its layout field and its methods share parts. */
    private CheckpointEmitter checkpoints() {
        if (checkpoints == null) {
            checkpoints =
                    new CheckpointEmitter(network.name(), numeric, self, parameters, optimizer, kernels.usesRandom());
        }
        return checkpoints;
    }

    private CheckpointEmitter checkpoints;

    /** {@code 2, 3}: the dimensions of a shape, for {@code new int[] {...}}. */
    private static String dims(int[] dims) {
        return java.util.Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", "));
    }

    /**
     * {@code static T[] name()}, an array of {@code segments.size()} elements that the
     * segments fill (local {@code array}), in static parts when long.
     */
    private MethodSpec staticTable(String name, TypeName element, String array, List<CodeBlock> segments) {
        com.palantir.javapoet.ArrayTypeName type = com.palantir.javapoet.ArrayTypeName.of(element);
        MethodSpec.Builder method = MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(type)
                .addStatement("$T $N = new $L", type, array, newArray(element, segments.size()));
        MethodParts.Split split = MethodParts.split(
                name + "Part",
                List.of(Modifier.PRIVATE, Modifier.STATIC),
                List.of(ParameterSpec.builder(type, array).build()),
                segments,
                name);
        parts.addAll(split.methods());
        return method.addCode(split.calls()).addStatement("return $N", array).build();
    }

    /** {@code String[n]}, {@code int[n][]}: an array of {@code n} elements of {@code element}. */
    private static CodeBlock newArray(TypeName element, int n) {
        return element instanceof com.palantir.javapoet.ArrayTypeName array
                ? CodeBlock.of("$T[$L][]", array.componentType(), n)
                : CodeBlock.of("$T[$L]", element, n);
    }

    private static FieldSpec intConstant(String name, int value, String doc) {
        return FieldSpec.builder(TypeName.INT, name, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("$L\n", doc)
                .initializer("$L", value)
                .build();
    }

    private List<FieldSpec> parameterArrays() {
        List<FieldSpec> fields = new ArrayList<>();
        for (ParameterField p : parameters) {
            fields.add(persistent(
                    FieldSpec.builder(p.arrayType(numeric), p.field(), Modifier.PRIVATE, Modifier.FINAL)
                            .addJavadoc(
                                    "$L $L, $L.\n",
                                    p.param().name(),
                                    p.param().shape(),
                                    p.byColumns() ? "by columns: [c][r] holds element (r, c)" : "row-major"),
                    p.field(),
                    p.newArray(numeric)));
        }
        if (network.isTrainable()) {
            for (ParameterField p : parameters) {
                fields.add(FieldSpec.builder(p.arrayType(numeric), p.gradient(), Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc(
                                "Gradient of the mean loss with respect to $L.\n",
                                p.param().name())
                        .initializer(p.newArray(numeric))
                        .build());
            }
        }
        return fields;
    }

    private List<MethodSpec> constructors() {
        MethodSpec byDefault = MethodSpec.constructorBuilder()
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("A network initialised with the spec's seed ($L).\n", network.seed())
                .addStatement("this(DEFAULT_SEED)")
                .build();
        MethodSpec.Builder seeded = MethodSpec.constructorBuilder()
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("A network whose parameters are initialised deterministically from {@code seed}.\n")
                .addParameter(TypeName.LONG, "seed");
        seeded.addCode(allocation).addCode(sharedAllocations());
        if (!parameters.isEmpty()) {
            seeded.addStatement("$T init = new $T(seed)", SEEDED_RANDOM, SEEDED_RANDOM);
        }
        List<CodeBlock> initializers = new ArrayList<>();
        List<ParameterSpec> initArguments = new ArrayList<>();
        initArguments.add(ParameterSpec.builder(SEEDED_RANDOM, "init").build());
        if (parameters.stream().anyMatch(ParameterField::byColumns)) {
            // Initialised in the flat contract order, so the values do not depend on the layout.
            seeded.addStatement("$T initial = new $T[PARAMETER_COUNT]", numeric.arrayType(), numeric.type());
            initArguments.add(
                    ParameterSpec.builder(numeric.arrayType(), "initial").build());
            int offset = 0;
            for (ParameterField p : parameters) {
                initializers.add(
                        CodeBlock.of("$L;\n", ParameterInitializers.call(p, "initial", offset, INITIALIZERS, "init")));
                offset += p.size();
            }
            seeded.addCode(MethodParts.inlineOrSplit(
                            "initializePart", initArguments, initializers, self.simpleName(), parts))
                    .addStatement("setParameters(initial)");
        } else {
            for (ParameterField p : parameters) {
                initializers.add(
                        CodeBlock.of("$L;\n", ParameterInitializers.call(p, p.field(), 0, INITIALIZERS, "init")));
            }
            seeded.addCode(
                    MethodParts.inlineOrSplit("initializePart", initArguments, initializers, self.simpleName(), parts));
        }
        seeded.addCode(buffers.initialize());
        if (kernels.usesRandom()) {
            // A stream of its own, so that adding dropout does not change the initial parameters.
            seeded.addStatement("this.random = new $T(seed ^ 0x5DEECE66DL)", SEEDED_RANDOM);
        }
        MethodSpec.Builder copying =
                MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).addParameter(self, "other");
        copying.addCode(allocation).addCode(sharedAllocations());
        List<CodeBlock> copies = new ArrayList<>();
        for (ParameterField p : parameters) {
            List<String> arrays = new ArrayList<>(List.of(p.field()));
            if (optimizer != null) {
                arrays.addAll(optimizer.stateArrays(p));
            }
            for (String array : arrays) {
                if (p.byColumns()) {
                    copies.add(CodeBlock.builder()
                            .beginControlFlow("for (int c = 0; c < $L; c++)", p.cols())
                            .addStatement(
                                    "$T.arraycopy(other.$N[c], 0, this.$N[c], 0, $L)",
                                    System.class,
                                    array,
                                    array,
                                    p.rows())
                            .endControlFlow()
                            .build());
                } else {
                    copies.add(CodeBlock.of(
                            "$T.arraycopy(other.$N, 0, this.$N, 0, this.$N.length);\n",
                            System.class,
                            array,
                            array,
                            array));
                }
            }
        }
        copying.addCode(MethodParts.inlineOrSplit(
                "copyPart", List.of(ParameterSpec.builder(self, "other").build()), copies, "copy", parts));
        copying.addCode(buffers.copyFrom("other"));
        if (optimizer != null) {
            copying.addStatement("this.step = other.step");
        }
        if (kernels.usesRandom()) {
            copying.addStatement("this.random = other.random.copy()");
        }
        return List.of(byDefault, seeded.build(), copying.build());
    }

    /**
     * The statements every constructor but the delegating one starts with: nothing when the
     * fields are allocated where they are declared, and otherwise calls of the parts that
     * allocate them (see {@link #allocatedInParts}).
     */
    private CodeBlock allocation = CodeBlock.of("");

    /**
     * {@code fields}, as declared. javac copies every instance field's initializer into each
     * constructor, so a class with thousands of parameter, gradient, state and scratch arrays
     * would have constructors far past HotSpot's compilation limit, and past the JVM's 64 KB.
     * When the initializers and the constructors' own allocations would pass {@link
     * NetworkClasses#SPLIT_THRESHOLD}, the fields lose their initializer and {@code final},
     * and constructors call parts that allocate them ({@link #allocation}); the arrays shards
     * share are then assigned in parts too.
     */
    private List<FieldSpec> allocatedInParts(List<FieldSpec> fields) {
        List<CodeBlock> segments = new ArrayList<>();
        for (FieldSpec field : fields) {
            if (!field.modifiers().contains(Modifier.STATIC)
                    && !field.initializer().isEmpty()) {
                segments.add(CodeBlock.of("this.$N = $L;\n", field.name(), field.initializer()));
            }
        }
        shared.forEach((array, allocation) -> segments.add(CodeBlock.of("this.$N = $L;\n", array, allocation)));
        if (MethodParts.length(segments) <= NetworkClasses.SPLIT_THRESHOLD) {
            return fields;
        }
        largeFields = true;
        allocation = MethodParts.inlineOrSplit(
                "allocatePart",
                List.of(),
                segments.subList(0, segments.size() - shared.size()),
                self.simpleName(),
                parts);
        List<FieldSpec> declared = new ArrayList<>();
        for (FieldSpec field : fields) {
            boolean initialized = !field.modifiers().contains(Modifier.STATIC)
                    && !field.initializer().isEmpty();
            if (initialized || shared.containsKey(field.name())) {
                FieldSpec.Builder plain = FieldSpec.builder(field.type(), field.name())
                        .addJavadoc(field.javadoc())
                        .addAnnotations(field.annotations());
                field.modifiers().stream().filter(m -> m != Modifier.FINAL).forEach(plain::addModifiers);
                declared.add(plain.build());
            } else {
                declared.add(field);
            }
        }
        return declared;
    }

    /** Whether the fields are allocated by parts that constructors call (see {@link #allocatedInParts}). */
    private boolean largeFields;

    /** {@code this.w = new double[...]} for the arrays shards share: in parts for large classes. */
    private CodeBlock sharedAllocations() {
        List<CodeBlock> segments = new ArrayList<>();
        shared.forEach((array, allocation) -> segments.add(CodeBlock.of("this.$N = $L;\n", array, allocation)));
        if (!largeFields) {
            return CodeBlock.join(segments, "");
        }
        if (sharedAllocation == null) {
            sharedAllocation =
                    MethodParts.inlineOrSplit("allocateSharedPart", List.of(), segments, self.simpleName(), parts);
        }
        return sharedAllocation;
    }

    private CodeBlock sharedAllocation;

    /** {@code this.w = main.w} for the arrays a shard shares with {@code main}: in parts for large classes. */
    private CodeBlock sharing(List<CodeBlock> segments) {
        if (!largeFields) {
            return CodeBlock.join(segments, "");
        }
        return MethodParts.inlineOrSplit(
                "sharePart", List.of(ParameterSpec.builder(self, "main").build()), segments, self.simpleName(), parts);
    }

    private List<MethodSpec> copyAndMetadata() {
        List<MethodSpec> methods = new ArrayList<>();
        methods.add(MethodSpec.methodBuilder("copy")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(self)
                .addJavadoc("An independent instance with the same parameters and optimizer state.\n")
                .addStatement("return new $T(this)", self)
                .build());
        methods.add(metadata("name", ClassName.get(String.class), CodeBlock.of("$S", network.name())));
        methods.add(metadata("inputSize", TypeName.INT, CodeBlock.of("INPUT_SIZE")));
        methods.add(metadata("outputSize", TypeName.INT, CodeBlock.of("OUTPUT_SIZE")));
        methods.add(metadata("targetSize", TypeName.INT, CodeBlock.of("TARGET_SIZE")));
        methods.add(metadata("parameterCount", TypeName.INT, CodeBlock.of("PARAMETER_COUNT")));
        methods.add(metadata("parameterNames", STRING_LIST, CodeBlock.of("PARAMETER_NAMES")));
        methods.add(metadata("bufferNames", STRING_LIST, CodeBlock.of("BUFFER_NAMES")));
        methods.add(MethodSpec.methodBuilder("parameterShapes")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(SHAPE_LIST)
                .addStatement(
                        "return PARAMETER_SHAPES.stream().map(shape -> shape.clone()).collect($T.toUnmodifiableList())",
                        Collectors.class)
                .build());
        methods.add(MethodSpec.methodBuilder("bufferShapes")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(SHAPE_LIST)
                .addStatement(
                        "return BUFFER_SHAPES.stream().map(shape -> shape.clone()).collect($T.toUnmodifiableList())",
                        Collectors.class)
                .build());
        return methods;
    }

    private static MethodSpec metadata(String name, TypeName type, CodeBlock value) {
        return MethodSpec.methodBuilder(name)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(type)
                .addStatement("return $L", value)
                .build();
    }

    /** The exception type of non-finite training, for the API emitter. */
    static ClassName nonFiniteException() {
        return NON_FINITE;
    }

    /** The parameter-file class, for the API emitter. */
    static ClassName parameterFile() {
        return PARAMETER_FILE;
    }
}
