package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.compiler.semantic.Declaration;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Batches split across threads, in classes whose kernels work on tiles and draw no random
 * numbers. {@code setThreads(k)} makes {@code k - 1} shards: instances that share this one's
 * parameters, optimizer state and weight copies (the same arrays) but own their gradient and
 * scratch arrays. A batch is then cut into {@code k} contiguous ranges of samples, range
 * {@code p} runs on shard {@code p} (shard 0 is the instance itself) through the runtime's
 * {@code PartRunner}, and the caller adds the shards' gradients and losses into its own, in
 * part order. The parts write disjoint memory and the sums are taken in a fixed order, so a step
 * gives the same bits on every run; with one thread (the default) nothing of this runs. A batch
 * of at most one tile splits the input layer by inputs instead ({@link InputLayerSplit}).
 */
final class PartsEmitter {
    static final ClassName PART_RUNNER = ClassName.get("dev.nnc.runtime", "PartRunner");

    /**
     * Multiply-adds a part must have for a split to pay: handing a part to a helper thread costs
     * about 1 µs when it is spinning and 20 µs when it is parked (docs/codegen.md), against
     * roughly 10 µs for this much arithmetic.
     */
    static final int MIN_PART_WORK = 200_000;

    private final Declaration.Network network;
    private final Numeric numeric;
    private final ClassName self;
    private final List<ParameterField> parameters;
    private final boolean transposes;
    /** The input layer that a one-tile batch splits by inputs (see {@link InputLayerSplit}). */
    private final java.util.Optional<InputLayerSplit> inputSplit;

    PartsEmitter(
            Declaration.Network network,
            Numeric numeric,
            ClassName self,
            List<ParameterField> parameters,
            boolean transposes,
            java.util.Optional<InputLayerSplit> inputSplit) {
        this.network = network;
        this.numeric = numeric;
        this.self = self;
        this.parameters = List.copyOf(parameters);
        this.transposes = transposes;
        this.inputSplit = inputSplit;
    }

    List<FieldSpec> fields() {
        // A sample's forward pass costs about one multiply-add per parameter.
        int perSample = Math.max(1, network.parameterCount());
        int minSamples = Math.max(1, (MIN_PART_WORK + perSample - 1) / perSample);
        List<FieldSpec> fields = new ArrayList<>();
        fields.add(
                FieldSpec.builder(TypeName.INT, "MIN_PART_SAMPLES", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .addJavadoc("Fewest samples per part for which a batch is split across threads.\n")
                        .initializer("$L", minSamples)
                        .build());
        fields.add(FieldSpec.builder(ArrayTypeName.of(self), "shards", Modifier.PRIVATE)
                .addJavadoc("The instance of each part ({@code shards[0] == this}); null with one thread.\n")
                .build());
        fields.add(FieldSpec.builder(partsClassName(), "parts", Modifier.PRIVATE, Modifier.FINAL)
                .initializer("new $T()", partsClassName())
                .build());
        fields.add(FieldSpec.builder(TypeName.DOUBLE, "partLoss", Modifier.PRIVATE)
                .addJavadoc("The loss sum of the part this instance ran last.\n")
                .build());
        if (network.isTrainable()) {
            fields.add(FieldSpec.builder(double[].class, "partSquares", Modifier.PRIVATE)
                    .addJavadoc("Each part's sum of squares of its share of the last split gradient.\n")
                    .build());
            fields.add(FieldSpec.builder(TypeName.BOOLEAN, "splitGradient", Modifier.PRIVATE)
                    .addJavadoc("Whether the gradient fields were last summed in parts (and partSquares is theirs).\n")
                    .build());
        }
        inputSplit.ifPresent(split -> fields.addAll(split.fields(numeric)));
        return fields;
    }

    // public void setThreads(int threads) { ... shards = {this, new Xor(this), ...} ... }
    MethodSpec setThreads() {
        return MethodSpec.methodBuilder("setThreads")
                .addModifiers(Modifier.PUBLIC)
                .addParameter(TypeName.INT, "threads")
                .addJavadoc(
                        "Splits each batch into {@code threads} parts that run at once: on the calling thread and\n")
                .addJavadoc(
                        "on the helper threads of {@link $T#shared()}. 1, the default, runs everything on\n",
                        PART_RUNNER)
                .addJavadoc("the calling thread. Batches with fewer than {@code MIN_PART_SAMPLES} samples per part\n")
                .addJavadoc("are not split. A split step sums the gradient part by part, so its result depends on\n")
                .addJavadoc("{@code threads} (in the last bits), never on timing. Instances from {@link #copy()} and\n")
                .addJavadoc("{@link #load} start with one thread.\n")
                .beginControlFlow("if (threads < 1)")
                .addStatement(
                        "throw new $T(\"threads must be at least 1, found \" + threads)",
                        IllegalArgumentException.class)
                .endControlFlow()
                .beginControlFlow("if (threads == 1)")
                .addStatement("shards = null")
                .addStatement("return")
                .endControlFlow()
                .addStatement("$T[] created = new $T[threads]", self, self)
                .addStatement("created[0] = this")
                .beginControlFlow("for (int p = 1; p < threads; p++)")
                .addStatement("created[p] = new $T(this, p)", self)
                .endControlFlow()
                .addCode(inputSplit.map(split -> split.wireShards(numeric)).orElse(CodeBlock.of("")))
                .addCode(
                        network.isTrainable() ? CodeBlock.of("partSquares = new double[threads];\n") : CodeBlock.of(""))
                .addStatement("shards = created")
                .build();
    }

    /** Whether a batch of {@code n} is split: the condition in front of the API's loops. */
    static CodeBlock splits() {
        return CodeBlock.of("shards != null && n >= shards.length * MIN_PART_SAMPLES");
    }

    /** The constructor of a shard: {@code shared} are the arrays it takes from the main instance. */
    MethodSpec shardConstructor(List<String> shared) {
        MethodSpec.Builder constructor = MethodSpec.constructorBuilder()
                .addModifiers(Modifier.PRIVATE)
                .addParameter(self, "main")
                .addParameter(TypeName.INT, "part")
                .addJavadoc("The instance that runs part {@code part} of {@code main}'s batches: it shares\n")
                .addJavadoc("{@code main}'s parameters, optimizer state and weight copies, and owns its gradient and\n")
                .addJavadoc("scratch arrays.\n");
        for (String array : shared) {
            constructor.addStatement("this.$N = main.$N", array, array);
        }
        if (transposes) {
            // The main instance refreshes the shared copies before it hands out parts.
            constructor.addStatement("this.transposesStale = false");
        }
        return constructor.build();
    }

    /** The methods; {@code squares} adds a part's share of the squared gradient to {@code s0..s7}. */
    List<MethodSpec> methods(CodeBlock squares) {
        List<MethodSpec> methods = new ArrayList<>();
        methods.add(setThreads());
        if (network.isTrainable()) {
            methods.add(accumulateInParts());
            methods.add(reduceRange(squares));
            inputSplit.ifPresent(split -> {
                methods.add(split.accumulatePart(numeric));
                methods.add(split.computeInputPartials(numeric, network.inputSize()));
                methods.add(split.computeInputGradient(numeric));
            });
        }
        methods.add(predictInParts());
        return methods;
    }

    private MethodSpec accumulateInParts() {
        CodeBlock inputPhase = inputSplit.isEmpty()
                ? CodeBlock.of("")
                : CodeBlock.builder()
                        .add("// A one-tile batch: the input layer by inputs, the rest by samples (InputLayerSplit).\n")
                        .beginControlFlow("if (n <= TILE)")
                        .addStatement("parts.startInputPartials()")
                        .addStatement("$T.shared().run(parts, shards.length, shards.length)", PART_RUNNER)
                        .addStatement("parts.startAccumulate()")
                        .endControlFlow()
                        .build();
        return MethodSpec.methodBuilder("accumulateInParts")
                .addModifiers(Modifier.PRIVATE)
                .returns(TypeName.DOUBLE)
                .addParameter(numeric.arrayType(), "xs")
                .addParameter(numeric.arrayType(), "ys")
                .addParameter(TypeName.INT, "n")
                .addParameter(numeric.type(), "weight")
                .addJavadoc("{@link #accumulateRange} over all {@code n} samples, one range per shard, then the\n")
                .addJavadoc("shards' gradients added into this instance's, a share of the parameters per part;\n")
                .addJavadoc("returns the loss sum.\n")
                .addCode(refresh())
                .addStatement("parts.start(xs, ys, null, n, weight)")
                .beginControlFlow("try")
                .addCode(inputPhase)
                .addStatement("$T.shared().run(parts, shards.length, shards.length)", PART_RUNNER)
                .addStatement("parts.startReduce()")
                .addStatement("$T.shared().run(parts, shards.length, shards.length)", PART_RUNNER)
                .nextControlFlow("finally")
                .addStatement("parts.finish()")
                .endControlFlow()
                .addStatement("splitGradient = true")
                .addStatement("double sum = partLoss")
                .beginControlFlow("for (int p = 1; p < shards.length; p++)")
                .addStatement("sum += shards[p].partLoss")
                .endControlFlow()
                .addStatement("return sum")
                .build();
    }

    // for (int s = 1; s < shards.length; s++) for (int c = C * part / parts; ...) { to[i] += from[i]; }
    private MethodSpec reduceRange(CodeBlock squares) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("reduceRange")
                .addModifiers(Modifier.PRIVATE)
                .returns(TypeName.DOUBLE)
                .addParameter(TypeName.INT, "part")
                .addParameter(TypeName.INT, "parts")
                .addJavadoc("Adds the other shards' gradients into this instance's over part {@code part}'s share\n")
                .addJavadoc("of every parameter; returns the sum of squares of that share.\n");
        inputSplit.ifPresent(split -> method.addParameter(TypeName.BOOLEAN, "inputSplit")
                .addJavadoc(
                        "With {@code inputSplit}, the parts have computed {@code $N} already.\n",
                        split.weight().gradient()));
        method.beginControlFlow("for (int s = 1; s < shards.length; s++)").addStatement("$T shard = shards[s]", self);
        ParameterRuns runs = ParameterRuns.inParts();
        for (ParameterField p : parameters) {
            boolean splitByInputs =
                    inputSplit.filter(split -> split.weight().equals(p)).isPresent();
            if (splitByInputs) {
                method.beginControlFlow("if (!inputSplit)");
            }
            method.addCode(runs.forEachRun(
                    p,
                    numeric,
                    List.of(p.gradient()),
                    run -> CodeBlock.builder()
                            .addStatement(
                                    "$T $N = shard.$N$L",
                                    numeric.arrayType(),
                                    p.gradient() + "_shard",
                                    p.gradient(),
                                    p.byColumns() ? "[c]" : "")
                            .beginControlFlow("for (int i = $L; i < $L; i++)", run.from(), run.to())
                            .addStatement("$N[i] += $N[i]", run.name(0), p.gradient() + "_shard")
                            .endControlFlow()
                            .build()));
            if (splitByInputs) {
                method.endControlFlow();
            }
        }
        return method.endControlFlow()
                .addCode(OptimizerEmitter.squaresDeclarations())
                .addCode(squares)
                .addStatement("return $L", OptimizerEmitter.chainTotal())
                .build();
    }

    private MethodSpec predictInParts() {
        return MethodSpec.methodBuilder("predictInParts")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(numeric.arrayType(), "xs")
                .addParameter(TypeName.INT, "n")
                .addParameter(numeric.arrayType(), "outs")
                .addJavadoc("{@link #predictRange} over all {@code n} samples, one range per shard.\n")
                .addCode(refresh())
                .addStatement("parts.start(xs, null, outs, n, $L)", numeric.literal(0))
                .beginControlFlow("try")
                .addStatement("$T.shared().run(parts, shards.length, shards.length)", PART_RUNNER)
                .nextControlFlow("finally")
                .addStatement("parts.finish()")
                .endControlFlow()
                .build();
    }

    private CodeBlock refresh() {
        return transposes ? WeightRows.refreshIfStale() : CodeBlock.of("");
    }

    /** The task the runner calls: part {@code p} runs on {@code shards[p]} over its range of samples. */
    TypeSpec partsClass() {
        TypeName array = numeric.arrayType();
        boolean optimizes = network.optimizer().isPresent();
        MethodSpec.Builder run = MethodSpec.methodBuilder("run")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(TypeName.INT, "part")
                .addStatement("int parts = shards.length")
                .addStatement("int from = (int) ((long) n * part / parts)")
                .addStatement("int to = (int) ((long) n * (part + 1) / parts)")
                .beginControlFlow("switch (phase)")
                .addCode("case PREDICT -> shards[part].predictRange(xs, outs, from, to);\n");
        if (network.isTrainable() && inputSplit.isPresent()) {
            run.addCode("case INPUT_PARTIALS -> shards[part].computeInputPartials(xs, n, part, parts);\n")
                    .addCode(
                            "case ACCUMULATE -> shards[part].partLoss = shards[part].accumulatePart(xs, ys, from, to, weight, inputSplit);\n")
                    .beginControlFlow("case REDUCE ->")
                    .beginControlFlow("if (inputSplit)")
                    .addStatement("shards[part].computeInputGradient(n, part, parts)")
                    .endControlFlow()
                    .addStatement("partSquares[part] = reduceRange(part, parts, inputSplit)")
                    .endControlFlow();
        } else if (network.isTrainable()) {
            run.addCode(
                            "case ACCUMULATE -> shards[part].partLoss = shards[part].accumulateRange(xs, ys, from, to, weight);\n")
                    .addCode("case REDUCE -> partSquares[part] = reduceRange(part, parts);\n");
        }
        if (optimizes) {
            run.addCode("case UPDATE -> updateRange(part, parts, step, scale);\n");
        }
        run.addCode("default -> throw new $T(\"no phase \" + phase);\n", IllegalStateException.class)
                .endControlFlow();
        List<String> phases = new ArrayList<>(List.of("PREDICT"));
        if (network.isTrainable()) {
            phases.addAll(List.of("ACCUMULATE", "REDUCE"));
        }
        if (optimizes) {
            phases.add("UPDATE");
        }
        if (network.isTrainable() && inputSplit.isPresent()) {
            phases.add("INPUT_PARTIALS");
        }
        TypeSpec.Builder parts = TypeSpec.classBuilder(partsClassName())
                .addModifiers(Modifier.PRIVATE, Modifier.FINAL)
                .addSuperinterface(PART_RUNNER.nestedClass("Task"))
                .addJavadoc(
                        "The parts of one batch: part {@code p} runs on {@code shards[p]} over its range of samples.\n");
        for (int i = 0; i < phases.size(); i++) {
            parts.addField(
                    FieldSpec.builder(TypeName.INT, phases.get(i), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                            .initializer("$L", i)
                            .build());
        }
        parts.addField(TypeName.INT, "phase", Modifier.PRIVATE)
                .addField(array, "xs", Modifier.PRIVATE)
                .addField(array, "ys", Modifier.PRIVATE)
                .addField(array, "outs", Modifier.PRIVATE)
                .addField(TypeName.INT, "n", Modifier.PRIVATE)
                .addField(numeric.type(), "weight", Modifier.PRIVATE);
        if (network.isTrainable() && inputSplit.isPresent()) {
            parts.addField(FieldSpec.builder(TypeName.BOOLEAN, "inputSplit", Modifier.PRIVATE)
                    .addJavadoc("Whether this batch's input layer is split by inputs (InputLayerSplit).\n")
                    .build());
        }
        if (optimizes) {
            parts.addField(TypeName.LONG, "step", Modifier.PRIVATE)
                    .addField(TypeName.DOUBLE, "scale", Modifier.PRIVATE);
        }
        // An inference-only network has no gradient phases: every batch it splits is a prediction.
        CodeBlock firstPhase = network.isTrainable()
                ? CodeBlock.of("this.phase = outs == null ? ACCUMULATE : PREDICT;\n")
                : CodeBlock.of("this.phase = PREDICT;\n");
        parts.addMethod(MethodSpec.methodBuilder("start")
                .addJavadoc(
                        "Prediction (with {@code outs}) or the gradient of the samples of {@code xs} and {@code ys}.\n")
                .addParameter(array, "xs")
                .addParameter(array, "ys")
                .addParameter(array, "outs")
                .addParameter(TypeName.INT, "n")
                .addParameter(numeric.type(), "weight")
                .addCode(firstPhase)
                .addStatement("this.xs = xs")
                .addStatement("this.ys = ys")
                .addStatement("this.outs = outs")
                .addStatement("this.n = n")
                .addStatement("this.weight = weight")
                .addCode(
                        network.isTrainable() && inputSplit.isPresent()
                                ? CodeBlock.of("this.inputSplit = false;\n")
                                : CodeBlock.of(""))
                .build());
        if (network.isTrainable() && inputSplit.isPresent()) {
            parts.addMethod(MethodSpec.methodBuilder("startInputPartials")
                            .addJavadoc("The partial sums of the input layer, a share of its inputs per part.\n")
                            .addStatement("this.phase = INPUT_PARTIALS")
                            .addStatement("this.inputSplit = true")
                            .build())
                    .addMethod(MethodSpec.methodBuilder("startAccumulate")
                            .addJavadoc("The rest of the gradient, a range of samples per part.\n")
                            .addStatement("this.phase = ACCUMULATE")
                            .build());
        }
        if (network.isTrainable()) {
            parts.addMethod(MethodSpec.methodBuilder("startReduce")
                    .addJavadoc(
                            "The shards' gradients summed into this instance's, a share of the parameters per part.\n")
                    .addStatement("this.phase = REDUCE")
                    .build());
        }
        if (optimizes) {
            parts.addMethod(MethodSpec.methodBuilder("startUpdate")
                    .addJavadoc("The update, a share of the parameters per part, clipped by {@code scale} below 1.\n")
                    .addParameter(TypeName.LONG, "step")
                    .addParameter(TypeName.DOUBLE, "scale")
                    .addStatement("this.phase = UPDATE")
                    .addStatement("this.step = step")
                    .addStatement("this.scale = scale")
                    .build());
        }
        return parts.addMethod(MethodSpec.methodBuilder("finish")
                        .addJavadoc("Forgets the caller's arrays, which the instance must not keep alive.\n")
                        .addStatement("xs = null")
                        .addStatement("ys = null")
                        .addStatement("outs = null")
                        .build())
                .addMethod(run.build())
                .build();
    }

    /**
     * The nested class of the parts: {@code Parts}, or {@code Parts_} in a network named
     * {@code Parts}, since Java forbids a nested class the name of its enclosing class.
     */
    private ClassName partsClassName() {
        return self.nestedClass(self.simpleName().equals("Parts") ? "Parts_" : "Parts");
    }
}
