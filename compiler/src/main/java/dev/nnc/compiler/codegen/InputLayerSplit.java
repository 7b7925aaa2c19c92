package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The input layer of a batch split across threads, split by its inputs instead of by samples.
 *
 * <p>A split step otherwise gives each part a range of samples, so every part reads the whole of
 * every weight matrix and writes a whole gradient that another part then adds up. For the product
 * of the network's input with its first weight matrix, usually by far the largest ({@code W1}, 784
 * x 256 in N5), that moves the matrix and its gradient between the cores on every step, which is
 * slow when the two cores do not share a cache (docs/codegen.md, "Two cores"). Here part
 * {@code p} owns the columns {@code [C p / parts, C (p + 1) / parts)} of {@code W1} instead, the
 * same share that it updates: for a batch of at most one tile it
 * <ol>
 *   <li>multiplies the inputs of all samples with its columns, giving partial sums of every
 *       sample's product ({@code inputPartials[p]});
 *   <li>runs the rest of the forward and backward pass on its range of samples, as before, where
 *       the product is the bias plus the partial sums of all parts, in part order, and the
 *       product's gradient rows go to a table shared by the parts ({@code inputDeltas}) instead
 *       of into a weight gradient of its own;
 *   <li>computes its columns of the weight gradient from all samples' inputs and those rows.
 * </ol>
 * Only the partial sums and the gradient rows, a tile of the layer's outputs each, pass between
 * the cores; the weights, their gradient and the optimizer state of each share stay with the part
 * that owns them. The result is deterministic: it depends on the number of parts, never on which
 * thread ran which part.
 *
 * <p>Eligible: the product {@code W x} of a tiled training kernel whose vector is the input (read
 * by nothing else), whose matrix is a parameter stored by columns and read by nothing else, and
 * whose weight gradient is the single outer product of the sum's gradient rows with the input.
 *
 * @param weight the matrix {@code W [R, C]}
 * @param inputOffset where the input starts in a row of {@code inputRows}
 */
record InputLayerSplit(ParameterField weight, int inputOffset) {
    /** The field that says whether this instance's current tile has its input layer split. */
    static final String ACTIVE = "inputLayerSplit";

    static final String PARTIALS = "inputPartials";
    static final String DELTAS = "inputDeltas";
    static final String TILE_ROW = "tileRow";
    private static final String WEIGHT_SHARE = "inputWeightShare";
    private static final String GRADIENT_SHARE = "inputGradientShare";

    private int inputs() {
        return weight.cols();
    }

    private int outputs() {
        return weight.rows();
    }

    List<FieldSpec> fields(Numeric numeric) {
        TypeName rows = ArrayTypeName.of(numeric.arrayType());
        List<FieldSpec> fields = new ArrayList<>();
        fields.add(FieldSpec.builder(TypeName.BOOLEAN, ACTIVE, Modifier.PRIVATE)
                .addJavadoc(
                        "Whether the tile being trained has its input layer split by inputs ({@code accumulateInParts}).\n")
                .build());
        fields.add(FieldSpec.builder(TypeName.INT, TILE_ROW, Modifier.PRIVATE)
                .addJavadoc("The tile row of this part's first sample while {@code $L} is set.\n", ACTIVE)
                .build());
        fields.add(FieldSpec.builder(ArrayTypeName.of(rows), PARTIALS, Modifier.PRIVATE)
                .addJavadoc("Per part, the sums of the input layer's product over that part's share of the inputs,\n")
                .addJavadoc("a row per sample of the tile; shared by the parts, null with one thread.\n")
                .build());
        fields.add(FieldSpec.builder(rows, DELTAS, Modifier.PRIVATE)
                .addJavadoc(
                        "The gradient of the input layer's sums, a row per sample of the tile, each part writing its\n")
                .addJavadoc("own samples; shared by the parts, null with one thread.\n")
                .build());
        fields.add(FieldSpec.builder(rows, WEIGHT_SHARE, Modifier.PRIVATE)
                .addJavadoc(
                        "This part's columns of {@code $N} (the same arrays), null with one thread.\n", weight.field())
                .build());
        fields.add(FieldSpec.builder(rows, GRADIENT_SHARE, Modifier.PRIVATE)
                .addJavadoc(
                        "This part's columns of the main instance's {@code $N}, null with one thread.\n",
                        weight.gradient())
                .build());
        return fields;
    }

    /** In {@code setThreads}: the shared tables and each shard's share of the columns. */
    CodeBlock wireShards(Numeric numeric) {
        return CodeBlock.builder()
                .addStatement(
                        "$T[][][] partials = new $T[threads][TILE][$L]", numeric.type(), numeric.type(), outputs())
                .addStatement("$T[][] deltas = new $T[TILE][$L]", numeric.type(), numeric.type(), outputs())
                .beginControlFlow("for (int p = 0; p < threads; p++)")
                .addStatement("int from = $L * p / threads", inputs())
                .addStatement("int to = $L * (p + 1) / threads", inputs())
                .addStatement("created[p].$N = partials", PARTIALS)
                .addStatement("created[p].$N = deltas", DELTAS)
                .addStatement(
                        "created[p].$N = $T.copyOfRange($N, from, to)",
                        WEIGHT_SHARE,
                        java.util.Arrays.class,
                        weight.field())
                .addStatement(
                        "created[p].$N = $T.copyOfRange($N, from, to)",
                        GRADIENT_SHARE,
                        java.util.Arrays.class,
                        weight.gradient())
                .endControlFlow()
                .build();
    }

    // private double accumulatePart(xs, ys, from, to, weight, boolean inputSplit) { ... }
    MethodSpec accumulatePart(Numeric numeric) {
        return MethodSpec.methodBuilder("accumulatePart")
                .addModifiers(Modifier.PRIVATE)
                .returns(TypeName.DOUBLE)
                .addParameter(numeric.arrayType(), "xs")
                .addParameter(numeric.arrayType(), "ys")
                .addParameter(TypeName.INT, "from")
                .addParameter(TypeName.INT, "to")
                .addParameter(numeric.type(), "weight")
                .addParameter(TypeName.BOOLEAN, "inputSplit")
                .addJavadoc(
                        "{@link #accumulateRange} for one part of a split batch; with {@code inputSplit}, the batch is\n")
                .addJavadoc("one tile whose input layer the parts computed by inputs.\n")
                .addStatement("$N = inputSplit", ACTIVE)
                .addStatement("$N = from", TILE_ROW)
                .beginControlFlow("try")
                .addStatement("return accumulateRange(xs, ys, from, to, weight)")
                .nextControlFlow("finally")
                .addStatement("$N = false", ACTIVE)
                .endControlFlow()
                .build();
    }

    // private void computeInputPartials(float[] xs, int m, int part, int parts) { ... }
    MethodSpec computeInputPartials(Numeric numeric, int inputSize) {
        String type = numeric.type().toString();
        CodeBlock plain = SampleProducts.rowBlockLoops(
                "k",
                "k1 - k0",
                CodeBlock.builder()
                        .beginControlFlow("for (int b = 0; b < m; b++)")
                        .addStatement("$L[] y = partial[b]", type)
                        .addStatement("$T.fill(y, $L)", java.util.Arrays.class, numeric.literal(0))
                        .build(),
                r -> CodeBlock.of("$L x$L = inputRows[b][$L]", type, r, offset(SampleProducts.indexPlus("k0 + k", r))),
                r -> CodeBlock.of("$L[] w$L = $N[$L]", type, r, WEIGHT_SHARE, SampleProducts.indexPlus("k", r)),
                r -> CodeBlock.of("x$L * w$L[j]", r, r),
                "y[j]",
                "j",
                outputs());
        // Only the share's inputs: the other part reads the rest (half the batch from memory each).
        CodeBlock.Builder code = CodeBlock.builder()
                .add(shareBounds())
                .beginControlFlow("for (int b = 0; b < m; b++)")
                .addStatement(
                        "$T.arraycopy(xs, b * $L + $L, inputRows[b], $L, k1 - k0)",
                        System.class,
                        inputSize,
                        offset("k0"),
                        offset("k0"))
                .endControlFlow()
                .addStatement("$L[][] partial = $N[part]", type, PARTIALS)
                .add(VectorKernels.callOrPlain(
                        numeric,
                        CodeBlock.of(
                                "$T.multiply(inputRows, $L, $N, partial, m, k1 - k0, $L)",
                                VectorKernels.PRODUCTS,
                                offset("k0"),
                                WEIGHT_SHARE,
                                outputs()),
                        plain));
        return MethodSpec.methodBuilder("computeInputPartials")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(numeric.arrayType(), "xs")
                .addParameter(TypeName.INT, "m")
                .addParameter(TypeName.INT, "part")
                .addParameter(TypeName.INT, "parts")
                .addJavadoc(
                        "Part {@code part} of the input layer's product for the {@code m} samples of a one-tile batch:\n")
                .addJavadoc(
                        "the sums over its share of the inputs, into its table of {@code $N}. That share of the\n",
                        PARTIALS)
                .addJavadoc("tile's inputs stays in this instance's rows for {@link #computeInputGradient}.\n")
                .addCode(code.build())
                .build();
    }

    // private void computeInputGradient(int m, int part, int parts) { ... }
    MethodSpec computeInputGradient(Numeric numeric) {
        String type = numeric.type().toString();
        CodeBlock plain = SampleProducts.rowBlockLoops(
                "b",
                "m",
                CodeBlock.builder()
                        .beginControlFlow("for (int c = k0; c < k1; c++)")
                        .addStatement("$L[] g = $N[c - k0]", type, GRADIENT_SHARE)
                        .addStatement("$T.fill(g, $L)", java.util.Arrays.class, numeric.literal(0))
                        .build(),
                s -> CodeBlock.of("$L x$L = inputRows[$L][$L]", type, s, SampleProducts.indexPlus("b", s), offset("c")),
                s -> CodeBlock.of("$L[] u$L = $N[$L]", type, s, DELTAS, SampleProducts.indexPlus("b", s)),
                s -> CodeBlock.of("x$L * u$L[r]", s, s),
                "g[r]",
                "r",
                outputs());
        CodeBlock.Builder code = CodeBlock.builder()
                .add(shareBounds())
                .add(VectorKernels.callOrPlain(
                        numeric,
                        CodeBlock.of(
                                "$T.addOuterProducts(inputRows, $L, $N, 0, $N, m, k1 - k0, $L, true)",
                                VectorKernels.PRODUCTS,
                                offset("k0"),
                                DELTAS,
                                GRADIENT_SHARE,
                                outputs()),
                        plain));
        return MethodSpec.methodBuilder("computeInputGradient")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(TypeName.INT, "m")
                .addParameter(TypeName.INT, "part")
                .addParameter(TypeName.INT, "parts")
                .addJavadoc(
                        "Part {@code part}'s share of the main instance's gradient of {@code $N}, from the inputs\n",
                        weight.field())
                .addJavadoc("that {@link #computeInputPartials} left in this instance's rows and the gradient rows\n")
                .addJavadoc("that all parts left in {@code $N}.\n", DELTAS)
                .addCode(code.build())
                .build();
    }

    /**
     * In the training kernel, where the product is computed: with the split active, the
     * product of each of the part's samples is {@code start} (the bias, or zero) plus the
     * parts' partial sums, in part order.
     */
    static CodeBlock combine(String y, int outputs, CodeBlock start, String type, CodeBlock original) {
        return CodeBlock.builder()
                .beginControlFlow("if ($N)", ACTIVE)
                .add("// the parts' sums over their shares of the inputs, in part order\n")
                .beginControlFlow("for (int b = 0; b < m; b++)")
                .addStatement("$L[] y = $N[b]", type, y)
                .beginControlFlow("for (int j = 0; j < $L; j++)", outputs)
                .addStatement("y[j] = $L", start)
                .endControlFlow()
                .beginControlFlow("for ($L[][] partial : $N)", type, PARTIALS)
                .addStatement("$L[] sums = partial[$N + b]", type, TILE_ROW)
                .beginControlFlow("for (int j = 0; j < $L; j++)", outputs)
                .addStatement("y[j] += sums[j]")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .nextControlFlow("else")
                .add(original)
                .endControlFlow()
                .build();
    }

    /**
     * In the training kernel, where the weight gradient is accumulated: with the split active,
     * the part's gradient rows of the sums go to the shared table instead.
     */
    static CodeBlock gather(KernelEmitter.SampleRows deltas, int outputs, CodeBlock original) {
        return CodeBlock.builder()
                .beginControlFlow("if ($N)", ACTIVE)
                .add("// the parts add up the weight gradient by inputs (computeInputGradient)\n")
                .beginControlFlow("for (int b = 0; b < m; b++)")
                .addStatement(
                        "$T.arraycopy($L[b], $L, $N[$N + b], 0, $L)",
                        System.class,
                        deltas.array(),
                        deltas.offset(),
                        DELTAS,
                        TILE_ROW,
                        outputs)
                .endControlFlow()
                .nextControlFlow("else")
                .add(original)
                .endControlFlow()
                .build();
    }

    /**
     * {@code k0} and {@code k1}: the part's share of the inputs, which is by construction its
     * share of the matrix's columns in the update ({@link ParameterRuns#inParts}).
     */
    private CodeBlock shareBounds() {
        ParameterRuns share = ParameterRuns.inParts();
        return CodeBlock.builder()
                .addStatement("int k0 = $L", share.from(inputs()))
                .addStatement("int k1 = $L", share.to(inputs()))
                .build();
    }

    private CodeBlock offset(Object index) {
        return inputOffset == 0 ? CodeBlock.of("$L", index) : CodeBlock.of("$L + $L", inputOffset, index);
    }
}
