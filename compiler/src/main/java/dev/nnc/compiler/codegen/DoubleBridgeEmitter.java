package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.nnc.compiler.semantic.Declaration;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * For float networks: the {@code double[]} methods of {@code Network} and
 * {@code TrainableNetwork}, which convert into float buffers and call the float API. The buffers
 * grow to the largest batch seen, so after the first call of a given size nothing allocates.
 */
final class DoubleBridgeEmitter {
    private static final ArrayTypeName DOUBLES = ArrayTypeName.of(TypeName.DOUBLE);
    private static final ArrayTypeName FLOATS = ArrayTypeName.of(TypeName.FLOAT);

    private final Declaration.Network network;

    DoubleBridgeEmitter(Declaration.Network network) {
        this.network = network;
    }

    /**
     * The methods. Embedding ids are checked here as the caller gave them, in double, before the
     * conversion: an id such as 2.0000000001 becomes a float integer and must be rejected first.
     */
    List<MethodSpec> methods() {
        List<MethodSpec> methods = new ArrayList<>();
        methods.add(bridge("predict")
                .addParameter(DOUBLES, "x")
                .addParameter(DOUBLES, "out")
                .addStatement("requireLength($S, x.length, INPUT_SIZE)", "x")
                .addStatement("requireLength($S, out.length, OUTPUT_SIZE)", "out")
                .addCode(EmbeddingIdChecks.call(network, "x", "1"))
                .addStatement("bridgeIn = toFloats(x, INPUT_SIZE, bridgeIn)")
                .addStatement("bridgeOut = grow(bridgeOut, OUTPUT_SIZE)")
                .addStatement("forwardTile(bridgeIn, 0, bridgeOut, 0, 1)")
                .addStatement("toDoubles(bridgeOut, out, OUTPUT_SIZE)")
                .build());
        methods.add(bridge("predict")
                .addParameter(DOUBLES, "xs")
                .addParameter(TypeName.INT, "n")
                .addParameter(DOUBLES, "outs")
                .addStatement("requireRows($S, xs.length, n, INPUT_SIZE)", "xs")
                .addStatement("requireRows($S, outs.length, n, OUTPUT_SIZE)", "outs")
                .addCode(EmbeddingIdChecks.call(network, "xs", "n"))
                .addStatement("bridgeIn = toFloats(xs, n * INPUT_SIZE, bridgeIn)")
                .addStatement("bridgeOut = grow(bridgeOut, n * OUTPUT_SIZE)")
                .addStatement("predict(bridgeIn, n, bridgeOut)")
                .addStatement("toDoubles(bridgeOut, outs, n * OUTPUT_SIZE)")
                .build());
        if (network.isTrainable()) {
            methods.add(batch("loss")
                    .addStatement("return loss(bridgeIn, bridgeTarget, n)")
                    .build());
            methods.add(gradient("gradient"));
            methods.add(gradient("trainingGradient"));
            methods.add(batch("trainStep")
                    .addStatement("return trainStep(bridgeIn, bridgeTarget, n)")
                    .build());
            methods.add(bridge("applyGradient")
                    .addParameter(DOUBLES, "grad")
                    .addStatement("requireLength($S, grad.length, PARAMETER_COUNT)", "grad")
                    .addStatement("applyGradient(toFloats(grad, PARAMETER_COUNT, bridgeParameters))")
                    .build());
        }
        methods.add(bridge("getParameters")
                .addParameter(DOUBLES, "dst")
                .addStatement("requireLength($S, dst.length, PARAMETER_COUNT)", "dst")
                .addStatement("getParameters(bridgeParameters)")
                .addStatement("toDoubles(bridgeParameters, dst, PARAMETER_COUNT)")
                .build());
        methods.add(bridge("setParameters")
                .addParameter(DOUBLES, "src")
                .addStatement("requireLength($S, src.length, PARAMETER_COUNT)", "src")
                .addStatement("setParameters(toFloats(src, PARAMETER_COUNT, bridgeParameters))")
                .build());
        methods.add(toFloats());
        methods.add(toDoubles());
        methods.add(grow());
        return methods;
    }

    /** {@code gradient} or {@code trainingGradient}: the float method's gradient, widened into {@code grad}. */
    private MethodSpec gradient(String name) {
        return batch(name)
                .addParameter(DOUBLES, "grad")
                .addStatement("requireLength($S, grad.length, PARAMETER_COUNT)", "grad")
                .addStatement("double loss = $N(bridgeIn, bridgeTarget, n, bridgeParameters)", name)
                .addStatement("toDoubles(bridgeParameters, grad, PARAMETER_COUNT)")
                .addStatement("return loss")
                .build();
    }

    private static MethodSpec.Builder bridge(String name) {
        return MethodSpec.methodBuilder(name)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("The double form of {@link #$L}, converting through float buffers.\n", name);
    }

    private MethodSpec.Builder batch(String name) {
        return bridge(name)
                .returns(TypeName.DOUBLE)
                .addParameter(DOUBLES, "xs")
                .addParameter(DOUBLES, "ys")
                .addParameter(TypeName.INT, "n")
                .addStatement("requireRows($S, xs.length, n, INPUT_SIZE)", "xs")
                .addStatement("requireRows($S, ys.length, n, TARGET_SIZE)", "ys")
                .addCode(EmbeddingIdChecks.call(network, "xs", "n"))
                .addStatement("bridgeIn = toFloats(xs, n * INPUT_SIZE, bridgeIn)")
                .addStatement("bridgeTarget = toFloats(ys, n * TARGET_SIZE, bridgeTarget)");
    }

    private static MethodSpec toFloats() {
        return MethodSpec.methodBuilder("toFloats")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(FLOATS)
                .addParameter(DOUBLES, "src")
                .addParameter(TypeName.INT, "count")
                .addParameter(FLOATS, "buffer")
                .addStatement("float[] dst = grow(buffer, count)")
                .beginControlFlow("for (int i = 0; i < count; i++)")
                .addStatement("dst[i] = (float) src[i]")
                .endControlFlow()
                .addStatement("return dst")
                .build();
    }

    private static MethodSpec toDoubles() {
        return MethodSpec.methodBuilder("toDoubles")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(FLOATS, "src")
                .addParameter(DOUBLES, "dst")
                .addParameter(TypeName.INT, "count")
                .beginControlFlow("for (int i = 0; i < count; i++)")
                .addStatement("dst[i] = src[i]")
                .endControlFlow()
                .build();
    }

    private static MethodSpec grow() {
        return MethodSpec.methodBuilder("grow")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(FLOATS)
                .addParameter(FLOATS, "buffer")
                .addParameter(TypeName.INT, "count")
                .addStatement("return buffer.length >= count ? buffer : new float[count]")
                .build();
    }
}
