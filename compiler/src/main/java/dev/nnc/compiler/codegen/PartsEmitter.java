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
 * gives the same bits on every run; with one thread (the default) nothing of this runs.
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

    PartsEmitter(
            Declaration.Network network,
            Numeric numeric,
            ClassName self,
            List<ParameterField> parameters,
            boolean transposes) {
        this.network = network;
        this.numeric = numeric;
        this.self = self;
        this.parameters = List.copyOf(parameters);
        this.transposes = transposes;
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
        fields.add(FieldSpec.builder(ClassName.get("", "Parts"), "parts", Modifier.PRIVATE, Modifier.FINAL)
                .initializer("new Parts()")
                .build());
        fields.add(FieldSpec.builder(TypeName.DOUBLE, "partLoss", Modifier.PRIVATE)
                .addJavadoc("The loss sum of the part this instance ran last.\n")
                .build());
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

    List<MethodSpec> methods() {
        List<MethodSpec> methods = new ArrayList<>();
        methods.add(setThreads());
        if (network.isTrainable()) {
            methods.add(accumulateInParts());
            methods.add(addGradient());
        }
        methods.add(predictInParts());
        return methods;
    }

    private MethodSpec accumulateInParts() {
        return MethodSpec.methodBuilder("accumulateInParts")
                .addModifiers(Modifier.PRIVATE)
                .returns(TypeName.DOUBLE)
                .addParameter(numeric.arrayType(), "xs")
                .addParameter(numeric.arrayType(), "ys")
                .addParameter(TypeName.INT, "n")
                .addParameter(numeric.type(), "weight")
                .addJavadoc(
                        "{@link #accumulateRange} over all {@code n} samples, one range per shard; returns the loss sum.\n")
                .addCode(refresh())
                .addStatement("parts.start(xs, ys, null, n, weight)")
                .beginControlFlow("try")
                .addStatement("$T.shared().run(parts, shards.length, shards.length)", PART_RUNNER)
                .nextControlFlow("finally")
                .addStatement("parts.finish()")
                .endControlFlow()
                .addStatement("double sum = partLoss")
                .beginControlFlow("for (int p = 1; p < shards.length; p++)")
                .addStatement("sum += shards[p].partLoss")
                .addStatement("addGradient(shards[p])")
                .endControlFlow()
                .addStatement("return sum")
                .build();
    }

    // for (int c = 0; c < 784; c++) { float[] to = d_w[c], from = shard.d_w[c]; for (...) to[i] += from[i]; }
    private MethodSpec addGradient() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("addGradient")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(self, "shard")
                .addJavadoc("Adds {@code shard}'s gradient to this instance's.\n");
        for (ParameterField p : parameters) {
            if (p.byColumns()) {
                method.beginControlFlow("for (int c = 0; c < $L; c++)", p.cols())
                        .addStatement("$T to = $N[c]", numeric.arrayType(), p.gradient())
                        .addStatement("$T from = shard.$N[c]", numeric.arrayType(), p.gradient())
                        .beginControlFlow("for (int i = 0; i < $L; i++)", p.rows())
                        .addStatement("to[i] += from[i]")
                        .endControlFlow()
                        .endControlFlow();
            } else {
                method.beginControlFlow("for (int i = 0; i < $L; i++)", p.size())
                        .addStatement("$N[i] += shard.$N[i]", p.gradient(), p.gradient())
                        .endControlFlow();
            }
        }
        return method.build();
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
        return transposes
                ? CodeBlock.builder()
                        .beginControlFlow("if (transposesStale)")
                        .addStatement("refreshTransposes()")
                        .endControlFlow()
                        .build()
                : CodeBlock.of("");
    }

    /** The task the runner calls: part {@code p} runs on {@code shards[p]} over its range of samples. */
    TypeSpec partsClass() {
        TypeName array = numeric.arrayType();
        MethodSpec.Builder run = MethodSpec.methodBuilder("run")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(TypeName.INT, "part")
                .addStatement("$T shard = shards[part]", self)
                .addStatement("int from = (int) ((long) n * part / shards.length)")
                .addStatement("int to = (int) ((long) n * (part + 1) / shards.length)");
        if (network.isTrainable()) {
            run.beginControlFlow("if (outs == null)")
                    .addStatement("shard.partLoss = shard.accumulateRange(xs, ys, from, to, weight)")
                    .nextControlFlow("else")
                    .addStatement("shard.predictRange(xs, outs, from, to)")
                    .endControlFlow();
        } else {
            run.addStatement("shard.predictRange(xs, outs, from, to)");
        }
        return TypeSpec.classBuilder("Parts")
                .addModifiers(Modifier.PRIVATE, Modifier.FINAL)
                .addSuperinterface(PART_RUNNER.nestedClass("Task"))
                .addJavadoc(
                        "The parts of one batch: part {@code p} runs on {@code shards[p]} over its range of samples.\n")
                .addField(array, "xs", Modifier.PRIVATE)
                .addField(array, "ys", Modifier.PRIVATE)
                .addField(array, "outs", Modifier.PRIVATE)
                .addField(TypeName.INT, "n", Modifier.PRIVATE)
                .addField(numeric.type(), "weight", Modifier.PRIVATE)
                .addMethod(MethodSpec.methodBuilder("start")
                        .addParameter(array, "xs")
                        .addParameter(array, "ys")
                        .addParameter(array, "outs")
                        .addParameter(TypeName.INT, "n")
                        .addParameter(numeric.type(), "weight")
                        .addStatement("this.xs = xs")
                        .addStatement("this.ys = ys")
                        .addStatement("this.outs = outs")
                        .addStatement("this.n = n")
                        .addStatement("this.weight = weight")
                        .build())
                .addMethod(MethodSpec.methodBuilder("finish")
                        .addJavadoc("Forgets the caller's arrays, which the instance must not keep alive.\n")
                        .addStatement("xs = null")
                        .addStatement("ys = null")
                        .addStatement("outs = null")
                        .build())
                .addMethod(run.build())
                .build();
    }
}
