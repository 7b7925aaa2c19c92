package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * The checkpoints of a class with an optimizer: {@code saveCheckpoint}, {@code restoreCheckpoint}
 * and {@code loadCheckpoint} in the runtime's {@code CheckpointFile} format. A checkpoint holds
 * what {@code save} writes ({@code savedValues}, so whatever {@code save} carries a checkpoint
 * carries too), then every optimizer state array by kind (flat and row-major, converted from
 * columns like {@code getParameters}), the step (which also times the sweep of decayed state)
 * and the dropout generator: everything a training step reads besides scratch and the row
 * copies of weights, which a restore marks stale.
 */
final class CheckpointEmitter {
    static final ClassName CHECKPOINT_FILE = ClassName.get("dev.nnc.runtime", "CheckpointFile");

    private final String networkName;
    private final Numeric numeric;
    private final ClassName self;
    private final List<ParameterField> parameters;
    private final OptimizerEmitter optimizer;
    private final boolean random;
    private final List<MethodSpec> parts = new ArrayList<>();

    CheckpointEmitter(
            String networkName,
            Numeric numeric,
            ClassName self,
            List<ParameterField> parameters,
            OptimizerEmitter optimizer,
            boolean random) {
        this.networkName = networkName;
        this.numeric = numeric;
        this.self = self;
        this.parameters = List.copyOf(parameters);
        this.optimizer = optimizer;
        this.random = random;
    }

    /** {@code CHECKPOINT}, the layout: declared after the parameter and buffer lists it reads. */
    FieldSpec layout() {
        List<String> kinds = optimizer.stateKinds();
        return FieldSpec.builder(
                        CHECKPOINT_FILE.nestedClass("Layout"),
                        "CHECKPOINT",
                        Modifier.PRIVATE,
                        Modifier.STATIC,
                        Modifier.FINAL)
                .addJavadoc("What a checkpoint holds: the saved tensors, then the optimizer state by kind.\n")
                .initializer(
                        "$T.Layout.of($S, $S, PARAMETER_NAMES, PARAMETER_SHAPES, BUFFER_NAMES, BUFFER_SHAPES,"
                                + " $T.of($L), $L)",
                        CHECKPOINT_FILE,
                        networkName,
                        optimizer.spelling(),
                        List.class,
                        kinds.stream()
                                .map(k -> CodeBlock.of("$S", k).toString())
                                .collect(Collectors.joining(", ")),
                        random)
                .build();
    }

    List<MethodSpec> methods() {
        List<MethodSpec> methods = new ArrayList<>(List.of(saveCheckpoint(), loadCheckpoint(), restoreCheckpoint()));
        if (!optimizer.stateKinds().isEmpty()) {
            methods.add(stateValues());
            methods.add(restoreState());
        }
        methods.addAll(parts);
        return methods;
    }

    /** {@code values.length - K * PARAMETER_COUNT}: the state comes last, after what {@code save} writes. */
    private CodeBlock stateOffset() {
        return CodeBlock.of(
                "values.length - $L * PARAMETER_COUNT", optimizer.stateKinds().size());
    }

    private MethodSpec saveCheckpoint() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("saveCheckpoint")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(OutputStream.class, "out")
                .addException(IOException.class)
                .addJavadoc(
                        "Writes a training checkpoint: what {@link #save} writes, the optimizer state$L the\n"
                                + "step$L, so that training resumed from it continues bit for bit.\n",
                        random ? "," : " and",
                        random ? " and the dropout generator" : "")
                .addStatement("double[] values = new double[CHECKPOINT.valueCount()]")
                .addStatement("savedValues(values)");
        if (!optimizer.stateKinds().isEmpty()) {
            method.addStatement("stateValues(values, $L)", stateOffset());
        }
        return method.addStatement(
                        "$T.write(out, CHECKPOINT, values, step, $L)", CHECKPOINT_FILE, random ? "random" : "null")
                .build();
    }

    private MethodSpec loadCheckpoint() {
        return MethodSpec.methodBuilder("loadCheckpoint")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .returns(self)
                .addParameter(InputStream.class, "in")
                .addException(IOException.class)
                .addJavadoc("A new network in the state of a checkpoint that {@link #saveCheckpoint} wrote; see\n")
                .addJavadoc("{@link #restoreCheckpoint}.\n")
                .addStatement("$T network = new $T()", self, self)
                .addStatement("network.restoreCheckpoint(in)")
                .addStatement("return network")
                .build();
    }

    private MethodSpec restoreCheckpoint() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("restoreCheckpoint")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(InputStream.class, "in")
                .addException(IOException.class)
                .addJavadoc("Replaces the whole training state with a checkpoint's. Rejects another network's or\n")
                .addJavadoc("optimizer's checkpoint, a parameter file and a corrupted or truncated checkpoint with\n")
                .addJavadoc("a {@code ParameterFileException} before anything changes.\n")
                .addStatement("$T.Contents contents = $T.read(in, CHECKPOINT)", CHECKPOINT_FILE, CHECKPOINT_FILE)
                .addStatement("double[] values = contents.values()")
                .addStatement("restoreSaved(values)");
        if (!optimizer.stateKinds().isEmpty()) {
            method.addStatement("restoreState(values, $L)", stateOffset());
        }
        method.addStatement("step = contents.step()");
        if (random) {
            method.addStatement("contents.restoreRandom(random)");
        }
        return method.build();
    }

    /** Offset of parameter {@code p}'s state of kind {@code k} in the flat state array. */
    private int offset(int k, ParameterField p) {
        int offset = k * parameterCount();
        for (ParameterField q : parameters) {
            if (q == p) {
                return offset;
            }
            offset += q.size();
        }
        throw new IllegalArgumentException(p.param().name());
    }

    private int parameterCount() {
        return parameters.stream().mapToInt(ParameterField::size).sum();
    }

    /** One segment per state array: {@code copy(p, stateArray, offset)}. */
    private List<CodeBlock> stateSegments(StateCopy copy) {
        List<CodeBlock> segments = new ArrayList<>();
        List<String> kinds = optimizer.stateKinds();
        for (ParameterField p : parameters) {
            List<String> arrays = optimizer.stateArrays(p);
            for (int k = 0; k < kinds.size(); k++) {
                segments.add(copy.code(p, arrays.get(k), offset(k, p)));
            }
        }
        return segments;
    }

    private interface StateCopy {
        CodeBlock code(ParameterField p, String array, int offset);
    }

    private List<ParameterSpec> stateArgument() {
        return List.of(ParameterSpec.builder(numeric.arrayType(), "state").build());
    }

    private MethodSpec.Builder stateMethod(String name) {
        return MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE)
                .addParameter(double[].class, "values")
                .addParameter(TypeName.INT, "offset")
                .addStatement(
                        "$T state = new $T[$L * PARAMETER_COUNT]",
                        ArrayTypeName.of(numeric.type()),
                        numeric.type(),
                        optimizer.stateKinds().size());
    }

    // float[] state = ...; fromColumns(exp_avg_w, state, 0); ...; values[offset + i] = state[i];
    private MethodSpec stateValues() {
        return stateMethod("stateValues")
                .addJavadoc("Writes every optimizer state array to {@code values} from {@code offset}: kind after\n")
                .addJavadoc("kind, each flat in {@code PARAMETER_NAMES} order.\n")
                .addCode(MethodParts.inlineOrSplit(
                        "stateValuesPart",
                        stateArgument(),
                        stateSegments((p, array, offset) ->
                                CodeBlock.of("$L;\n", NetworkApiEmitter.copyOut(p, array, "state", offset))),
                        "stateValues",
                        parts))
                .beginControlFlow("for (int i = 0; i < state.length; i++)")
                .addStatement("values[offset + i] = state[i]")
                .endControlFlow()
                .build();
    }

    private MethodSpec restoreState() {
        return stateMethod("restoreState")
                .addJavadoc("Replaces every optimizer state array from {@code values}, the inverse of\n")
                .addJavadoc("{@link #stateValues}.\n")
                .beginControlFlow("for (int i = 0; i < state.length; i++)")
                .addStatement(
                        numeric.isFloat() ? "state[i] = (float) values[offset + i]" : "state[i] = values[offset + i]")
                .endControlFlow()
                .addCode(MethodParts.inlineOrSplit(
                        "restoreStatePart",
                        stateArgument(),
                        stateSegments((p, array, offset) -> NetworkApiEmitter.copyIn(p, array, "state", offset)),
                        "restoreState",
                        parts))
                .build();
    }
}
