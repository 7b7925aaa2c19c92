package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;

/**
 * The opt-in Vector API path of float classes, for tiled products, the gradient norm's sums of
 * squares and the gates of recurrent layers, and of double classes for the dense products of
 * their predictions; in both, for the products of convolutions and relu's derivative: a call into
 * the runtime's register-blocked kernels or its vector functions, taken when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}, in front of the plain loops that run otherwise.
 * The test is a {@code static final} constant of the runtime, so the JIT keeps one of the two
 * branches; without the module the kernel class is never loaded.
 */
final class VectorKernels {
    static final ClassName VECTORIZATION = ClassName.get("dev.nnc.runtime", "Vectorization");
    static final ClassName PRODUCTS = ClassName.get("dev.nnc.runtime.vector", "VectorProducts");
    static final ClassName DOUBLE_PRODUCTS = ClassName.get("dev.nnc.runtime.vector", "DoubleProducts");
    private static final ClassName PATCH_PRODUCTS = ClassName.get("dev.nnc.runtime.vector", "PatchProducts");
    private static final ClassName DOUBLE_PATCH_PRODUCTS =
            ClassName.get("dev.nnc.runtime.vector", "DoublePatchProducts");
    /**
     * Bytes per row of a patch product's operands and results: the width rounded up to a multiple
     * of this, the widest vector (AVX-512's 64 bytes, 16 floats or 8 doubles, a multiple of every
     * narrower one), so that the runtime's kernel runs whole vectors to the end of a row.
     */
    private static final int PATCH_ROW_BYTES = 64;

    /**
     * The lanes of the widest float vector (AVX-512's), which sizes what the runtime's kernels
     * keep by lanes or write a vector past a run into, whatever the vector length they run at.
     */
    static final int WIDEST_LANES = PATCH_ROW_BYTES / Float.BYTES;

    static final ClassName FUNCTIONS = ClassName.get("dev.nnc.runtime.vector", "VectorFunctions");
    static final ClassName SUMS = ClassName.get("dev.nnc.runtime.vector", "VectorSums");

    private VectorKernels() {}

    /**
     * Whether classes of this precision have the Vector API path of every kernel but the products
     * of convolutions ({@link #patchProducts}) and relu's derivative, which double classes have
     * too: float only, the other kernels are float.
     */
    static boolean covers(Numeric numeric) {
        return numeric.isFloat();
    }

    /**
     * The runtime class of this precision's products over a convolution's patches, which classes
     * of either precision call on their Vector API path, in training and prediction: {@code
     * PatchProducts} for float, {@code DoublePatchProducts} (the same kernels over doubles) for
     * double. A small double CNN spends most of a training step in these products (the digits
     * CNN's second convolution), which the plain loops run as passes over rows of 16 to 144.
     */
    static ClassName patchProducts(Numeric numeric) {
        return numeric.isFloat() ? PATCH_PRODUCTS : DOUBLE_PATCH_PRODUCTS;
    }

    /**
     * The runtime class of this precision's tile products {@code W x}. Float classes call it in
     * every kernel; double classes only in their predictions ({@code DoubleProducts}), where the
     * narrow layers of small networks otherwise spend more on the plain loops' passes than on
     * their arithmetic, while their training kernels keep the plain loops.
     */
    static ClassName tileProducts(Numeric numeric) {
        return numeric.isFloat() ? PRODUCTS : DOUBLE_PRODUCTS;
    }

    /**
     * {@code c[b] = W x[b]} for the tile's samples, {@code W} given by its rows {@code weights[k]},
     * plus {@code bias} if given (which the kernel adds as it stores its sums), then {@code then}
     * (which adds a bias the kernel did not take, say) in the same branch; with {@code oneSample},
     * the statements for a tile of one sample ({@code m == 1}) instead of those two.
     */
    static CodeBlock multiply(
            ClassName products,
            KernelEmitter.SampleRows x,
            String weights,
            java.util.Optional<CodeBlock> bias,
            String y,
            int inner,
            int width,
            CodeBlock then,
            java.util.Optional<CodeBlock> oneSample,
            CodeBlock plainLoops) {
        CodeBlock tile = bias.isPresent()
                ? CodeBlock.of(
                        "$T.multiply($L, $L, $N, $L, $N, m, $L, $L)",
                        products,
                        x.array(),
                        x.offset(),
                        weights,
                        bias.get(),
                        y,
                        inner,
                        width)
                : CodeBlock.of(
                        "$T.multiply($L, $L, $N, $N, m, $L, $L)",
                        products,
                        x.array(),
                        x.offset(),
                        weights,
                        y,
                        inner,
                        width);
        if (oneSample.isEmpty()) {
            return choose(tile, then, plainLoops);
        }
        return CodeBlock.builder()
                .beginControlFlow("if ($T.ENABLED)", VECTORIZATION)
                .beginControlFlow("if (m == 1)")
                .add(oneSample.get())
                .nextControlFlow("else")
                .addStatement(tile)
                .add(then)
                .endControlFlow()
                .nextControlFlow("else")
                .add(plainLoops)
                .endControlFlow()
                .build();
    }

    /**
     * {@code g[c] (+)= sum over the tile of x[b][c] * u[b]}: a weight gradient, replaced when
     * {@code fresh} is true and added to otherwise.
     */
    static CodeBlock addOuterProducts(
            KernelEmitter.SampleRows x,
            KernelEmitter.SampleRows u,
            String gradient,
            int columns,
            int rows,
            CodeBlock fresh,
            CodeBlock plainLoops) {
        return choose(
                CodeBlock.of(
                        "$T.addOuterProducts($L, $L, $L, $L, $N, m, $L, $L, $L)",
                        PRODUCTS,
                        x.array(),
                        x.offset(),
                        u.array(),
                        u.offset(),
                        gradient,
                        columns,
                        rows,
                        fresh),
                CodeBlock.of(""),
                plainLoops);
    }

    /** {@code sum += } the sum of the squares of {@code g[from]} to {@code g[to - 1]}, in double. */
    static CodeBlock sumOfSquares(String sum, String g, CodeBlock from, CodeBlock to, CodeBlock plainLoops) {
        return choose(
                CodeBlock.of("$N += $T.sumOfSquares($N, $L, $L)", sum, PRODUCTS, g, from, to),
                CodeBlock.of(""),
                plainLoops);
    }

    /**
     * {@code y = a W} for a sample's {@code [rows, inner]} matrix {@code a} and the weight rows
     * {@code weights[k]}, both {@code a} and {@code y} lying in flat arrays from their offsets;
     * {@code plainLoops} where the Vector API is not enabled.
     */
    static CodeBlock multiplyFlat(
            KernelEmitter.SampleRows a,
            String weights,
            KernelEmitter.SampleRows y,
            int rows,
            int inner,
            int width,
            CodeBlock plainLoops) {
        return choose(
                CodeBlock.of(
                        "$T.multiplyFlat($L, $L, $N, $L, $L, $L, $L, $L)",
                        PRODUCTS,
                        a.array(),
                        a.offset(),
                        weights,
                        y.array(),
                        y.offset(),
                        rows,
                        inner,
                        width),
                CodeBlock.of(""),
                plainLoops);
    }

    /**
     * {@code y[j] = sum over k of a[k][j]}, the column sums of a {@code [rows, width]} matrix
     * whose rows lie {@code width} apart in a flat array from {@code a}'s offset, into {@code y}
     * from its offset; {@code plainLoops} where the Vector API is not enabled.
     */
    static CodeBlock columnSums(
            KernelEmitter.SampleRows a, int rows, int width, KernelEmitter.SampleRows y, CodeBlock plainLoops) {
        return choose(
                CodeBlock.of(
                        "$T.columnSums($L, $L, $L, $L, $L, $L, $L)",
                        SUMS,
                        a.array(),
                        a.offset(),
                        width,
                        rows,
                        y.array(),
                        y.offset(),
                        width),
                CodeBlock.of(""),
                plainLoops);
    }

    /**
     * The length of the rows of a patch product's right factor and result for a product {@code
     * width} wide: rounded up to whole vectors of the widest kind, so that the Vector API path's
     * kernel has no scalar tail.
     */
    static int patchRowLength(Numeric numeric, int width) {
        int multiple = PATCH_ROW_BYTES / numeric.bytes();
        return (width + multiple - 1) / multiple * multiple;
    }

    /**
     * {@code c[i][j] = Σ_k a[i * rowStride + k * colStride] b[k][j]} for {@code i < rows}, {@code
     * j < width}: a product over a convolution's patches, {@code a} a flat array from its offset.
     */
    static CodeBlock patchProduct(
            Numeric numeric,
            KernelEmitter.SampleRows a,
            int rowStride,
            int colStride,
            String b,
            String c,
            int rows,
            int inner,
            int width) {
        return CodeBlock.of(
                "$T.multiply($L, $L, $L, $L, $N, $N, $L, $L, $L);\n",
                patchProducts(numeric),
                a.array(),
                a.offset(),
                rowStride,
                colStride,
                b,
                c,
                rows,
                inner,
                width);
    }

    /**
     * {@code c[i][j] = Σ_k a[i * rowStride + k] x[taps[k] + j]} for {@code i < rows}, {@code j <
     * width}, with {@code x} the local {@code xp}: a convolution of stride 1 over its padded input,
     * {@code taps} the class's table of each tap's offset in it.
     */
    static CodeBlock shiftedProduct(
            Numeric numeric,
            KernelEmitter.SampleRows a,
            int rowStride,
            String taps,
            String c,
            int rows,
            int inner,
            int width) {
        return CodeBlock.of(
                "$T.multiplyShifted($L, $L, $L, xp, $N, $N, $L, $L, $L);\n",
                patchProducts(numeric),
                a.array(),
                a.offset(),
                rowStride,
                taps,
                c,
                rows,
                inner,
                width);
    }

    /**
     * {@code PatchProducts.dots}: {@code c[f][k] = Σ_o a[f][o] taps[k][o]} for {@code f < rows},
     * {@code k < count}, {@code o < outputs}, the left factor {@code a}'s planes one after another.
     */
    static CodeBlock patchDots(
            Numeric numeric, KernelEmitter.SampleRows a, int outputs, String taps, String c, int rows, int count) {
        return CodeBlock.of(
                "$T.dots($L, $L, $L, $N, $N, $L, $L, $L);\n",
                patchProducts(numeric),
                a.array(),
                a.offset(),
                outputs,
                taps,
                c,
                rows,
                count,
                outputs);
    }

    /** {@code vector}, statements on the runtime's kernels, where the Vector API is enabled, and {@code plainLoops} otherwise. */
    static CodeBlock vectorOrPlain(CodeBlock vector, CodeBlock plainLoops) {
        return CodeBlock.builder()
                .beginControlFlow("if ($T.ENABLED)", VECTORIZATION)
                .add(vector)
                .nextControlFlow("else")
                .add(plainLoops)
                .endControlFlow()
                .build();
    }

    /**
     * {@code call}, a statement on the runtime's kernels, where the Vector API is enabled, and
     * {@code plainLoops} otherwise; just the plain loops in classes of a precision it does not cover.
     */
    static CodeBlock callOrPlain(Numeric numeric, CodeBlock call, CodeBlock plainLoops) {
        return covers(numeric) ? choose(call, CodeBlock.of(""), plainLoops) : plainLoops;
    }

    private static CodeBlock choose(CodeBlock call, CodeBlock then, CodeBlock plainLoops) {
        return CodeBlock.builder()
                .beginControlFlow("if ($T.ENABLED)", VECTORIZATION)
                .addStatement(call)
                .add(then)
                .nextControlFlow("else")
                .add(plainLoops)
                .endControlFlow()
                .build();
    }
}
