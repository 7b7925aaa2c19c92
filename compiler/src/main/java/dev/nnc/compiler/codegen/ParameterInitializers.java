package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.semantic.Initializer;
import dev.nnc.compiler.semantic.Shape;

/**
 * The constructor statement that initialises one parameter through the runtime's
 * {@code Initializers}. A weight [out, in] has fan-in {@code in} and fan-out {@code out}; a
 * convolution weight [out, in, *kernel] multiplies both by the kernel's size, as PyTorch's
 * {@code _calculate_fan_in_and_fan_out} does; a vector or scalar uses its size for both, as Keras
 * does for one-dimensional tensors.
 */
final class ParameterInitializers {
    private ParameterInitializers() {}

    // Initializers.glorotUniform(hidden_weight, 0, 8, 2, 4, init)
    static CodeBlock call(ParameterField p, String array, int offset, ClassName initializers, String random) {
        Initializer init = p.param().initializer();
        Shape shape = p.param().shape();
        int receptive = shape.rank() >= 2 ? shape.size() / (shape.dim(0) * shape.dim(1)) : 1;
        int fanIn = shape.rank() >= 2 ? shape.dim(1) * receptive : shape.size();
        int fanOut = shape.rank() >= 2 ? shape.dim(0) * receptive : shape.size();
        int n = p.size();
        return switch (init.kind()) {
            case ZEROS -> CodeBlock.of("$T.zeros($N, $L, $L)", initializers, array, offset, n);
            case ONES -> CodeBlock.of("$T.ones($N, $L, $L)", initializers, array, offset, n);
            case CONSTANT ->
                CodeBlock.of(
                        "$T.constant($N, $L, $L, $L)", initializers, array, offset, n, Literals.ofDouble(init.a()));
            case UNIFORM ->
                CodeBlock.of(
                        "$T.uniform($N, $L, $L, $L, $L, $L)",
                        initializers,
                        array,
                        offset,
                        n,
                        Literals.ofDouble(init.a()),
                        Literals.ofDouble(init.b()),
                        random);
            case NORMAL ->
                CodeBlock.of(
                        "$T.normal($N, $L, $L, $L, $L, $L)",
                        initializers,
                        array,
                        offset,
                        n,
                        Literals.ofDouble(init.a()),
                        Literals.ofDouble(init.b()),
                        random);
            case GLOROT_UNIFORM ->
                CodeBlock.of(
                        "$T.glorotUniform($N, $L, $L, $L, $L, $L)",
                        initializers,
                        array,
                        offset,
                        n,
                        fanIn,
                        fanOut,
                        random);
            case GLOROT_NORMAL ->
                CodeBlock.of(
                        "$T.glorotNormal($N, $L, $L, $L, $L, $L)",
                        initializers,
                        array,
                        offset,
                        n,
                        fanIn,
                        fanOut,
                        random);
            case HE_UNIFORM ->
                CodeBlock.of("$T.heUniform($N, $L, $L, $L, $L)", initializers, array, offset, n, fanIn, random);
            case HE_NORMAL ->
                CodeBlock.of("$T.heNormal($N, $L, $L, $L, $L)", initializers, array, offset, n, fanIn, random);
            case LECUN_NORMAL ->
                CodeBlock.of("$T.lecunNormal($N, $L, $L, $L, $L)", initializers, array, offset, n, fanIn, random);
        };
    }
}
