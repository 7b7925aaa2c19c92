package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Term;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The public API of a generated network, exactly as the contract in ARCHITECTURE.md lists it,
 * plus the argument checks every entry point starts with. Float networks get their API in
 * {@code float[]} and, to implement {@code Network}, a {@code double[]} bridge that converts
 * through buffers kept between calls.
 */
final class NetworkApiEmitter {
    private final Declaration.Network network;
    private final Numeric numeric;
    private final ClassName self;
    private final List<ParameterField> parameters;
    private final ArrayTypeName array;

    private final boolean dropout;
    /** Parts of long methods, for the class to add. */
    private final List<MethodSpec> parts = new ArrayList<>();

    NetworkApiEmitter(
            Declaration.Network network,
            Numeric numeric,
            ClassName self,
            List<ParameterField> parameters,
            boolean dropout) {
        this.dropout = dropout;
        this.network = network;
        this.numeric = numeric;
        this.self = self;
        this.parameters = List.copyOf(parameters);
        this.array = numeric.arrayType();
    }

    /** Buffers of the double bridge of float networks; none for double networks. */
    List<FieldSpec> fields() {
        if (!numeric.isFloat()) {
            return List.of();
        }
        List<FieldSpec> fields = new ArrayList<>();
        for (String name : List.of("bridgeIn", "bridgeTarget", "bridgeOut")) {
            fields.add(FieldSpec.builder(array, name, Modifier.PRIVATE)
                    .addJavadoc("Float copy of a double argument; grows to the largest batch seen.\n")
                    .initializer("new float[0]")
                    .build());
        }
        fields.add(FieldSpec.builder(array, "bridgeParameters", Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("Float parameters or gradient on their way to or from a double array.\n")
                .initializer("new float[PARAMETER_COUNT]")
                .build());
        return fields;
    }

    List<MethodSpec> methods() {
        List<MethodSpec> methods = new ArrayList<>();
        methods.add(predictOne());
        methods.add(predictMany());
        if (network.isTrainable()) {
            methods.add(loss());
            methods.add(gradient());
            methods.add(trainingGradient());
            methods.add(trainStep());
            methods.add(applyGradient());
        }
        methods.add(getParameters());
        methods.add(setParameters());
        if (numeric.isFloat()) {
            methods.addAll(new DoubleBridgeEmitter(network).methods());
        }
        methods.add(save());
        methods.add(load());
        methods.add(savedValues());
        methods.add(restoreSaved());
        if (network.isTrainable()) {
            methods.add(splits ? accumulateGradientInRanges() : accumulateGradient());
            if (splits) {
                methods.add(accumulateRange());
            }
        }
        if (splits) {
            methods.add(predictRange());
        }
        methods.add(requireLength());
        methods.add(requireRows());
        if (batchStatistics) {
            normOfVector().ifPresent(norm -> methods.add(requireBatchStatistics(norm)));
        }
        if (!network.embeddings().isEmpty()) {
            methods.addAll(EmbeddingIdChecks.methods(network, numeric));
        }
        if (parameters.stream().anyMatch(ParameterField::byColumns)) {
            methods.add(fromColumns());
            methods.add(toColumns());
        }
        return methods;
    }

    private MethodSpec predictOne() {
        return MethodSpec.methodBuilder("predict")
                .addModifiers(Modifier.PUBLIC)
                .addAnnotations(overrideIfDouble())
                .addParameter(array, "x")
                .addParameter(array, "out")
                .addJavadoc("Predicts one sample: reads {@code INPUT_SIZE} values of {@code x} and writes\n")
                .addJavadoc("{@code OUTPUT_SIZE} values of {@code out}. Allocates nothing.\n")
                .addStatement("requireLength($S, x.length, INPUT_SIZE)", "x")
                .addStatement("requireLength($S, out.length, OUTPUT_SIZE)", "out")
                .addCode(EmbeddingIdChecks.call(network, "x", "1"))
                .addStatement("forwardTile(x, 0, out, 0, 1)")
                .build();
    }

    private MethodSpec predictMany() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("predict")
                .addModifiers(Modifier.PUBLIC)
                .addAnnotations(overrideIfDouble())
                .addParameter(array, "xs")
                .addParameter(TypeName.INT, "n")
                .addParameter(array, "outs")
                .addJavadoc("Predicts {@code n} samples, rows of {@code xs} to rows of {@code outs}.\n")
                .addStatement("requireRows($S, xs.length, n, INPUT_SIZE)", "xs")
                .addStatement("requireRows($S, outs.length, n, OUTPUT_SIZE)", "outs")
                .addCode(EmbeddingIdChecks.call(network, "xs", "n"));
        if (splits) {
            return method.beginControlFlow("if ($L)", PartsEmitter.splits())
                    .addStatement("predictInParts(xs, n, outs)")
                    .nextControlFlow("else")
                    .addStatement("predictRange(xs, outs, 0, n)")
                    .endControlFlow()
                    .build();
        }
        return method.beginControlFlow("for (int row = 0; row < n; row += TILE)")
                .addStatement(
                        "forwardTile(xs, row * INPUT_SIZE, outs, row * OUTPUT_SIZE, $T.min(TILE, n - row))",
                        JavaLang.MATH)
                .endControlFlow()
                .build();
    }

    private MethodSpec predictRange() {
        return MethodSpec.methodBuilder("predictRange")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(array, "xs")
                .addParameter(array, "outs")
                .addParameter(TypeName.INT, "from")
                .addParameter(TypeName.INT, "to")
                .addJavadoc("Predicts the samples {@code from} (inclusive) to {@code to} (exclusive).\n")
                .beginControlFlow("for (int row = from; row < to; row += TILE)")
                .addStatement(
                        "forwardTile(xs, row * INPUT_SIZE, outs, row * OUTPUT_SIZE, $T.min(TILE, to - row))",
                        JavaLang.MATH)
                .endControlFlow()
                .build();
    }

    private MethodSpec loss() {
        return batchMethod("loss")
                .addJavadoc("The mean loss over {@code n} samples, without dropout and without an update.\n")
                .addStatement("double sum = 0.0")
                .beginControlFlow("for (int row = 0; row < n; row += TILE)")
                .addStatement(
                        "sum += lossTile(xs, row * INPUT_SIZE, ys, row * TARGET_SIZE, $T.min(TILE, n - row))",
                        JavaLang.MATH)
                .endControlFlow()
                .addStatement("return sum / n")
                .build();
    }

    private MethodSpec gradient() {
        return gradientMethod("gradient", false)
                .addJavadoc("The mean loss over {@code n} samples; fills {@code grad} with its gradient with\n")
                .addJavadoc("respect to the parameters, flat in {@code PARAMETER_NAMES} order. No update; like\n")
                .addJavadoc(
                        batchStatistics
                                ? "{@link #loss}, in prediction mode (no dropout, running statistics), so it is the\n"
                                        + "exact gradient of {@code loss}.\n"
                                : "{@link #loss}, without dropout, so it is the exact gradient of {@code loss}.\n")
                .build();
    }

    private MethodSpec trainingGradient() {
        MethodSpec.Builder method = gradientMethod("trainingGradient", true)
                .addJavadoc("The mean loss over {@code n} samples and its gradient as {@link #trainStep} computes\n")
                .addJavadoc("it, flat in {@code PARAMETER_NAMES} order");
        if (dropout) {
            method.addJavadoc(": dropout masks drawn as {@code trainStep} draws them,\nwhich advances the generator");
        }
        if (batchStatistics) {
            method.addJavadoc(
                    "$L the statistics of the batch, and the running statistics\nmoved as a step moves them",
                    dropout ? ";" : ":");
        }
        return method.addJavadoc(". No update; {@code trainStep} is this followed by\n")
                .addJavadoc("{@link #applyGradient}. Allocates nothing.\n")
                .build();
    }

    /**
     * {@code gradient} or {@code trainingGradient}: the gradient fields of the mean loss, as
     * training computes it when {@code training}, copied out to {@code grad}; the copy's parts
     * are shared.
     */
    private MethodSpec.Builder gradientMethod(String name, boolean training) {
        MethodSpec.Builder method = batchMethod(name)
                .addParameter(array, "grad")
                .addStatement("requireLength($S, grad.length, PARAMETER_COUNT)", "grad");
        if (training && batchStatistics && normOfVector().isPresent()) {
            method.addStatement("requireBatchStatistics(n)");
        }
        method.addStatement(
                differs()
                        ? "double loss = accumulateGradient(xs, ys, n, " + training + ")"
                        : "double loss = accumulateGradient(xs, ys, n)");
        if (training && buffers) {
            // As in PyTorch's training mode, the forward pass moves the running statistics.
            method.addStatement("commitBuffers()");
        }
        if (gradientCopy == null) {
            List<CodeBlock> segments = new ArrayList<>();
            int offset = 0;
            for (ParameterField p : parameters) {
                segments.add(CodeBlock.of("$L;\n", copyOut(p, p.gradient(), "grad", offset)));
                offset += p.size();
            }
            gradientCopy = inlineOrSplit("gradientPart", List.of(arrayParameter("grad")), segments, name);
        }
        return method.addCode(gradientCopy).addStatement("return loss");
    }

    /** The statements that copy the gradient fields out to {@code grad}, made once. */
    private CodeBlock gradientCopy;

    private MethodSpec applyGradient() {
        ClassName nonFinite = NetworkClassGenerator.nonFiniteException();
        MethodSpec.Builder method = MethodSpec.methodBuilder("applyGradient")
                .addModifiers(Modifier.PUBLIC)
                .addAnnotations(overrideIfDouble())
                .addParameter(array, "grad")
                .addJavadoc("One optimizer update from {@code grad}, a gradient of the mean loss flat in\n")
                .addJavadoc(
                        "{@code PARAMETER_NAMES} order: the clipping, checks and step count of {@link #trainStep}.\n")
                .addJavadoc("Throws {@link $T}, leaving the network unchanged, when {@code grad} is\n", nonFinite)
                .addJavadoc("not finite. Allocates nothing.\n")
                .addStatement("requireLength($S, grad.length, PARAMETER_COUNT)", "grad");
        List<CodeBlock> segments = new ArrayList<>();
        int offset = 0;
        for (ParameterField p : parameters) {
            segments.add(copyIn(p, p.gradient(), "grad", offset));
            offset += p.size();
        }
        method.addCode(inlineOrSplit("applyGradientPart", List.of(arrayParameter("grad")), segments, "applyGradient"));
        if (splits) {
            // The gradient was not summed in parts here: the update runs on its own.
            method.addJavadoc("<p>A {@code trainStep} whose batch is split across threads sums the norm that\n")
                    .addJavadoc("{@code clip_norm} divides by part by part, and this method in one pass: with\n")
                    .addJavadoc("clipping by norm, the two then differ in the last bits.\n")
                    .addStatement("splitGradient = false");
        }
        return method.addStatement("long next = step + 1")
                .addStatement("applyUpdate(next)")
                .addStatement("step = next")
                .build();
    }

    private MethodSpec trainStep() {
        ClassName nonFinite = NetworkClassGenerator.nonFiniteException();
        MethodSpec.Builder method = batchMethod("trainStep")
                .addJavadoc("One training step on {@code n} samples: forward, backward and optimizer update.\n")
                .addJavadoc("Returns the mean loss before the update. Throws {@link $T}, leaving\n", nonFinite)
                .addJavadoc("the network unchanged, when the loss or the gradient is not finite.\n");
        if (trainOne) {
            // One sample: the fused step, with no tile loop and the gradient in locals.
            method.beginControlFlow("if (n == 1)")
                    .addStatement("return trainOne(xs, ys)")
                    .endControlFlow();
        }
        if (batchStatistics && normOfVector().isPresent()) {
            method.addStatement("requireBatchStatistics(n)");
        }
        method.addStatement(
                        differs()
                                ? "double loss = accumulateGradient(xs, ys, n, true)"
                                : "double loss = accumulateGradient(xs, ys, n)")
                .addStatement("long next = step + 1")
                .beginControlFlow("if (!$T.isFinite(loss))", JavaLang.DOUBLE)
                .addStatement("throw new $T(next, $T.Quantity.LOSS, loss)", nonFinite, nonFinite)
                .endControlFlow()
                .addStatement("applyUpdate(next)");
        if (buffers) {
            // Only a step that updated the parameters moves the running statistics.
            method.addStatement("commitBuffers()");
        }
        return method.addStatement("step = next").addStatement("return loss").build();
    }

    /** A public method over a batch, starting with the checks of {@code xs}, {@code ys}, {@code n}. */
    private MethodSpec.Builder batchMethod(String name) {
        return MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PUBLIC)
                .addAnnotations(overrideIfDouble())
                .returns(TypeName.DOUBLE)
                .addParameter(array, "xs")
                .addParameter(array, "ys")
                .addParameter(TypeName.INT, "n")
                .addStatement("requireRows($S, xs.length, n, INPUT_SIZE)", "xs")
                .addStatement("requireRows($S, ys.length, n, TARGET_SIZE)", "ys")
                .addCode(EmbeddingIdChecks.call(network, "xs", "n"));
    }

    // Arrays.fill(d_hidden_weight, 0.0); ...
    // for (int row = 0; row < n; row += TILE) sum += trainTile(xs, row * INPUT_SIZE, ys, row * TARGET_SIZE, m, weight);
    private MethodSpec accumulateGradient() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("accumulateGradient")
                .addModifiers(Modifier.PRIVATE)
                .returns(TypeName.DOUBLE)
                .addParameter(array, "xs")
                .addParameter(array, "ys")
                .addParameter(TypeName.INT, "n")
                .addJavadoc("Sets the gradient fields to the gradient of the mean loss; returns the mean loss.\n");
        if (differs()) {
            method.addParameter(TypeName.BOOLEAN, "training")
                    .addJavadoc("With {@code training}, as {@code trainStep} trains; without, the gradient of\n")
                    .addJavadoc("{@link #loss}.\n");
        }
        clearGradients(method);
        // Each sample's adjoint is seeded with 1/n: the gradient of the mean is the mean of the
        // gradients, accumulated in place without a second pass.
        method.addStatement("$T weight = $L", numeric.type(), numeric.isFloat() ? "1.0f / n" : "1.0 / n")
                .addStatement("double sum = 0.0");
        raiseFresh(method);
        if (batchStatistics) {
            // Training normalises with the statistics of the whole batch: one tile holds it.
            method.beginControlFlow("if (training)")
                    .addStatement("holdBatch(n)")
                    .addStatement("sum = trainTile(xs, 0, ys, 0, n, weight)");
            lowerFresh(method);
            method.addStatement("return sum / n").endControlFlow();
        }
        method.beginControlFlow("for (int row = 0; row < n; row += TILE)")
                .addStatement("int m = $T.min(TILE, n - row)", JavaLang.MATH)
                .addStatement(
                        batchStatistics
                                ? "sum += gradientTile(xs, row * INPUT_SIZE, ys, row * TARGET_SIZE, m, weight)"
                                : dropout
                                        ? "sum += training ? trainTile(xs, row * INPUT_SIZE, ys, row * TARGET_SIZE, m,"
                                                + " weight) : gradientTile(xs, row * INPUT_SIZE, ys, row * TARGET_SIZE,"
                                                + " m, weight)"
                                        : "sum += trainTile(xs, row * INPUT_SIZE, ys, row * TARGET_SIZE, m, weight)");
        lowerFresh(method);
        return method.endControlFlow().addStatement("return sum / n").build();
    }

    /** {@code freshGradient = true}: the next tile is the first of the gradient (if a kernel clears any). */
    private void raiseFresh(MethodSpec.Builder method) {
        if (freshFlag) {
            method.addStatement("$N = true", TileGradientSinks.FRESH);
        }
    }

    /** {@code freshGradient = false} after a tile: later tiles add to what the first one wrote. */
    private void lowerFresh(MethodSpec.Builder method) {
        if (freshFlag) {
            method.addStatement("$N = false", TileGradientSinks.FRESH);
        }
    }

    // double sum = shards != null && n >= ... ? accumulateInParts(xs, ys, n, weight) : accumulateRange(xs, ys, 0, n,
    // weight);
    private MethodSpec accumulateGradientInRanges() {
        return MethodSpec.methodBuilder("accumulateGradient")
                .addModifiers(Modifier.PRIVATE)
                .returns(TypeName.DOUBLE)
                .addParameter(array, "xs")
                .addParameter(array, "ys")
                .addParameter(TypeName.INT, "n")
                .addJavadoc("Sets the gradient fields to the gradient of the mean loss; returns the mean loss.\n")
                // Each sample's adjoint is seeded with 1/n: the gradient of the mean is the mean of
                // the gradients, accumulated in place without a second pass.
                .addStatement("$T weight = $L", numeric.type(), numeric.isFloat() ? "1.0f / n" : "1.0 / n")
                .beginControlFlow("if ($L)", PartsEmitter.splits())
                .addStatement("return accumulateInParts(xs, ys, n, weight) / n")
                .endControlFlow()
                .addStatement("splitGradient = false")
                .addStatement("return accumulateRange(xs, ys, 0, n, weight) / n")
                .build();
    }

    // Arrays.fill(d_w, 0.0); ... for (int row = from; row < to; row += TILE) sum += trainTile(...);
    private MethodSpec accumulateRange() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("accumulateRange")
                .addModifiers(Modifier.PRIVATE)
                .returns(TypeName.DOUBLE)
                .addParameter(array, "xs")
                .addParameter(array, "ys")
                .addParameter(TypeName.INT, "from")
                .addParameter(TypeName.INT, "to")
                .addParameter(numeric.type(), "weight")
                .addJavadoc("Sets the gradient fields to {@code weight} times the gradient of the loss sum of the\n")
                .addJavadoc("samples {@code from} (inclusive) to {@code to} (exclusive); returns that loss sum.\n");
        clearGradients(method);
        method.addStatement("double sum = 0.0");
        raiseFresh(method);
        method.beginControlFlow("for (int row = from; row < to; row += TILE)")
                .addStatement(
                        "sum += trainTile(xs, row * INPUT_SIZE, ys, row * TARGET_SIZE, $T.min(TILE, to - row), weight)",
                        JavaLang.MATH);
        lowerFresh(method);
        return method.endControlFlow().addStatement("return sum").build();
    }

    /** Clears the gradient fields the kernels do not clear themselves; in parts when long. */
    private void clearGradients(MethodSpec.Builder method) {
        if (clearing == null) {
            List<CodeBlock> segments = new ArrayList<>();
            for (ParameterField p : parameters) {
                if (selfCleared.contains(p.gradient())) {
                    continue;
                }
                segments.add(
                        p.byColumns()
                                ? CodeBlock.builder()
                                        .beginControlFlow("for ($T column : $N)", numeric.arrayType(), p.gradient())
                                        .addStatement("$T.fill(column, $L)", Arrays.class, numeric.literal(0))
                                        .endControlFlow()
                                        .build()
                                : CodeBlock.of("$T.fill($N, $L);\n", Arrays.class, p.gradient(), numeric.literal(0)));
            }
            clearing = inlineOrSplit(
                    "clearGradientsPart", List.of(), segments, method.build().name());
        }
        method.addCode(clearing);
    }

    /** The statements of {@link #clearGradients}, made once: every method that clears shares its parts. */
    private CodeBlock clearing;

    private MethodSpec getParameters() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("getParameters")
                .addModifiers(Modifier.PUBLIC)
                .addAnnotations(overrideIfDouble())
                .addParameter(array, "dst")
                .addJavadoc("Copies every parameter into {@code dst}, flat in {@code PARAMETER_NAMES} order.\n")
                .addStatement("requireLength($S, dst.length, PARAMETER_COUNT)", "dst");
        List<CodeBlock> segments = new ArrayList<>();
        int offset = 0;
        for (ParameterField p : parameters) {
            segments.add(CodeBlock.of("$L;\n", copyOut(p, p.field(), "dst", offset)));
            offset += p.size();
        }
        return method.addCode(
                        inlineOrSplit("getParametersPart", List.of(arrayParameter("dst")), segments, "getParameters"))
                .build();
    }

    /** The parts of long methods: see {@link MethodParts#inlineOrSplit}. */
    List<MethodSpec> parts() {
        return List.copyOf(parts);
    }

    private CodeBlock inlineOrSplit(
            String prefix, List<ParameterSpec> arguments, List<CodeBlock> segments, String whole) {
        return MethodParts.inlineOrSplit(prefix, arguments, segments, whole, parts);
    }

    private ParameterSpec arrayParameter(String name) {
        return ParameterSpec.builder(array, name).build();
    }

    /** Copies parameter {@code p}'s {@code array} into the flat row-major {@code dst} at {@code offset}. */
    static CodeBlock copyOut(ParameterField p, String array, String dst, int offset) {
        return p.byColumns()
                ? CodeBlock.of("fromColumns($N, $N, $L)", array, dst, offset)
                : CodeBlock.of("$T.arraycopy($N, 0, $N, $L, $L)", System.class, array, dst, offset, p.size());
    }

    /** Copies the flat row-major {@code src} at {@code offset} into parameter {@code p}'s {@code array}. */
    static CodeBlock copyIn(ParameterField p, String array, String src, int offset) {
        return p.byColumns()
                ? CodeBlock.of("toColumns($N, $L, $N);\n", src, offset, array)
                : CodeBlock.of("$T.arraycopy($N, $L, $N, 0, $L);\n", System.class, src, offset, array, p.size());
    }

    // for (int c = 0; c < columns.length; c++) for (int r = 0; r < rows; r++) dst[offset + r * cols + c] =
    // columns[c][r];
    private MethodSpec fromColumns() {
        return MethodSpec.methodBuilder("fromColumns")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Writes a matrix stored by columns into {@code dst} from {@code offset}, row-major.\n")
                .addParameter(ArrayTypeName.of(array), "columns")
                .addParameter(array, "dst")
                .addParameter(TypeName.INT, "offset")
                .addStatement("int cols = columns.length")
                .beginControlFlow("for (int c = 0; c < cols; c++)")
                .addStatement("$T column = columns[c]", array)
                .beginControlFlow("for (int r = 0; r < column.length; r++)")
                .addStatement("dst[offset + r * cols + c] = column[r]")
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    private MethodSpec toColumns() {
        return MethodSpec.methodBuilder("toColumns")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Reads a row-major matrix from {@code src} at {@code offset} into {@code columns}.\n")
                .addParameter(array, "src")
                .addParameter(TypeName.INT, "offset")
                .addParameter(ArrayTypeName.of(array), "columns")
                .addStatement("int cols = columns.length")
                .beginControlFlow("for (int c = 0; c < cols; c++)")
                .addStatement("$T column = columns[c]", array)
                .beginControlFlow("for (int r = 0; r < column.length; r++)")
                .addStatement("column[r] = src[offset + r * cols + c]")
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    private boolean transposes;
    private boolean splits;
    /** Whether training reads batch statistics: one tile per batch, at least two values per channel. */
    private boolean batchStatistics;
    /** Whether the class has buffers, which parameter files carry after the parameters. */
    private boolean buffers;

    /**
     * Tells the emitter that training reads the statistics of its batch ({@code batchStatistics})
     * and that the class has buffers.
     */
    NetworkApiEmitter withBatchStatistics(boolean batchStatistics, BufferEmitter buffers) {
        this.batchStatistics = batchStatistics;
        this.buffers = !buffers.isEmpty();
        this.bufferValues = array -> buffers.copyOut(array, "PARAMETER_COUNT + ");
        this.restoredBuffers = array -> buffers.copyIn(array, "PARAMETER_COUNT + ", numeric.isFloat());
        return this;
    }

    /** The buffers written to a {@code double[]} from an offset, after the parameters. */
    private java.util.function.Function<String, CodeBlock> bufferValues = array -> CodeBlock.of("");

    /** The buffers read back from a {@code double[]}. */
    private java.util.function.Function<String, CodeBlock> restoredBuffers = array -> CodeBlock.of("");

    /**
     * Whether training differs from prediction (dropout, batch statistics): {@code gradient} then
     * runs a deterministic kernel of its own.
     */
    private boolean differs() {
        return dropout || batchStatistics;
    }

    private boolean trainOne;

    /** Tells the emitter that the class has {@code trainOne(xs, ys)}, the fused one-sample step. */
    NetworkApiEmitter withTrainOne(boolean present) {
        this.trainOne = present;
        return this;
    }

    /** Tells the emitter that the class keeps transposed weights, which a parameter change makes stale. */
    NetworkApiEmitter withTransposes(boolean present) {
        this.transposes = present;
        return this;
    }

    private java.util.Set<String> selfCleared = java.util.Set.of();

    /** Whether the class has the flag of {@link TileGradientSinks#FRESH}, which the API then keeps. */
    private boolean freshFlag;

    /**
     * The gradient fields that the training kernels clear themselves on the first tile of a
     * gradient (see {@link TileGradientSinks#FRESH}): the API leaves them alone and raises the
     * flag for the first tile instead. {@code flag}: whether any kernel reads the flag; one kernel
     * may clear a gradient that another only adds to, which the API then clears as well.
     */
    NetworkApiEmitter withSelfClearedGradients(java.util.Set<String> fields, boolean flag) {
        this.selfCleared = java.util.Set.copyOf(fields);
        this.freshFlag = flag;
        return this;
    }

    /** Tells the emitter that the class can split batches across threads (see {@link PartsEmitter}). */
    NetworkApiEmitter withParts(boolean present) {
        this.splits = present;
        return this;
    }

    private MethodSpec setParameters() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("setParameters")
                .addModifiers(Modifier.PUBLIC)
                .addAnnotations(overrideIfDouble())
                .addParameter(array, "src")
                .addJavadoc("Replaces every parameter from {@code src}, flat in {@code PARAMETER_NAMES} order.\n")
                .addStatement("requireLength($S, src.length, PARAMETER_COUNT)", "src");
        List<CodeBlock> segments = new ArrayList<>();
        int offset = 0;
        for (ParameterField p : parameters) {
            segments.add(copyIn(p, p.field(), "src", offset));
            offset += p.size();
        }
        method.addCode(inlineOrSplit("setParametersPart", List.of(arrayParameter("src")), segments, "setParameters"));
        if (transposes) {
            method.addStatement("transposesStale = true");
        }
        return method.build();
    }

    private MethodSpec save() {
        return MethodSpec.methodBuilder("save")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(OutputStream.class, "out")
                .addException(IOException.class)
                .addJavadoc("Writes the parameters as an nnc parameter file (name, shapes, values, checksum).\n")
                .addStatement(
                        "double[] values = new double[$L]",
                        buffers ? "PARAMETER_COUNT + BUFFER_COUNT" : "PARAMETER_COUNT")
                .addStatement("savedValues(values)")
                .addStatement(
                        buffers
                                ? "$T.write(out, $S, SAVED_NAMES, SAVED_SHAPES, values)"
                                : "$T.write(out, $S, PARAMETER_NAMES, PARAMETER_SHAPES, values)",
                        NetworkClassGenerator.parameterFile(),
                        network.name())
                .build();
    }

    private MethodSpec load() {
        return MethodSpec.methodBuilder("load")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .returns(self)
                .addParameter(InputStream.class, "in")
                .addException(IOException.class)
                .addJavadoc("Reads a network saved by {@link #save}; rejects another network's file, another\n")
                .addJavadoc("parameter layout and a corrupted file with a {@code ParameterFileException}.\n")
                .addStatement(
                        buffers
                                ? "double[] values = $T.read(in, $S, SAVED_NAMES, SAVED_SHAPES)"
                                : "double[] values = $T.read(in, $S, PARAMETER_NAMES, PARAMETER_SHAPES)",
                        NetworkClassGenerator.parameterFile(),
                        network.name())
                .addStatement("$T network = new $T()", self, self)
                .addStatement("network.restoreSaved(values)")
                .addStatement("return network")
                .build();
    }

    // float[] own = new float[PARAMETER_COUNT]; getParameters(own); for (...) dst[i] = own[i];
    private MethodSpec savedValues() {
        return MethodSpec.methodBuilder("savedValues")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(double[].class, "dst")
                .addJavadoc(
                        "Writes what {@link #save} writes, in its order, to the start of {@code dst}; checkpoints\n")
                .addJavadoc("begin with it too.\n")
                .addStatement("$T own = new $T[PARAMETER_COUNT]", array, numeric.type())
                .addStatement("getParameters(own)")
                .beginControlFlow("for (int i = 0; i < own.length; i++)")
                .addStatement("dst[i] = own[i]")
                .endControlFlow()
                .addCode(bufferValues.apply("dst"))
                .build();
    }

    private MethodSpec restoreSaved() {
        return MethodSpec.methodBuilder("restoreSaved")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(double[].class, "src")
                .addJavadoc("Replaces what {@link #save} writes from the start of {@code src}, the inverse of\n")
                .addJavadoc("{@link #savedValues}.\n")
                .addStatement("$T own = new $T[PARAMETER_COUNT]", array, numeric.type())
                .beginControlFlow("for (int i = 0; i < own.length; i++)")
                .addStatement(numeric.isFloat() ? "own[i] = (float) src[i]" : "own[i] = src[i]")
                .endControlFlow()
                .addStatement("setParameters(own)")
                .addCode(restoredBuffers.apply("src"))
                .build();
    }

    /** {@code requireLength(name, actual, expected)}: the length check every generated class has. */
    static MethodSpec requireLength() {
        return MethodSpec.methodBuilder("requireLength")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(String.class, "name")
                .addParameter(TypeName.INT, "actual")
                .addParameter(TypeName.INT, "expected")
                .beginControlFlow("if (actual != expected)")
                .addStatement(
                        "throw new $T(name + \" must have \" + expected + \" elements, found \" + actual)",
                        IllegalArgumentException.class)
                .endControlFlow()
                .build();
    }

    /**
     * The {@code batch_norm} over a vector, if there is one: a training batch of one sample leaves
     * each of its features a single value, whose variance is 0 and whose unbiased variance is not
     * a number, which PyTorch rejects too. Over a feature map every sample gives several values.
     */
    private java.util.Optional<Term.BatchNorm> normOfVector() {
        return network.batchNorms().stream()
                .filter(norm -> norm.shape().size() == norm.channels())
                .findFirst();
    }

    // if (n < 2) throw new IllegalArgumentException("batch_norm 'bn' needs ...");
    private MethodSpec requireBatchStatistics(Term.BatchNorm norm) {
        String layer = norm.weight().owner();
        return MethodSpec.methodBuilder("requireBatchStatistics")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(TypeName.INT, "n")
                .beginControlFlow("if (n < 2)")
                .addStatement(
                        "throw new $T($S)",
                        IllegalArgumentException.class,
                        "batch_norm '" + layer + "' needs more than one value per feature in a training batch,"
                                + " and a batch of 1 sample gives one: train with at least 2 samples per batch")
                .endControlFlow()
                .build();
    }

    private static MethodSpec requireRows() {
        return MethodSpec.methodBuilder("requireRows")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(String.class, "name")
                .addParameter(TypeName.INT, "actual")
                .addParameter(TypeName.INT, "n")
                .addParameter(TypeName.INT, "width")
                .beginControlFlow("if (n < 1)")
                .addStatement("throw new $T(\"n must be at least 1, found \" + n)", IllegalArgumentException.class)
                .endControlFlow()
                .addStatement("long needed = (long) n * width")
                .beginControlFlow("if (actual < needed)")
                .addStatement(
                        "throw new $T(name + \" must have at least \" + needed + \" elements for n = \" + n"
                                + " + \", found \" + actual)",
                        IllegalArgumentException.class)
                .endControlFlow()
                .build();
    }

    private List<com.palantir.javapoet.AnnotationSpec> overrideIfDouble() {
        return numeric.isFloat()
                ? List.of()
                : List.of(com.palantir.javapoet.AnnotationSpec.builder(Override.class)
                        .build());
    }
}
