package dev.nnc.compiler.codegen;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import javax.lang.model.element.Modifier;

/**
 * Small private static functions that generated kernels call instead of repeating their bodies.
 * Each is a few bytes of bytecode, so HotSpot inlines it, and the calling kernel stays small
 * (RELIABILITY.md 4.2). The forms are the numerically stable ones of RELIABILITY.md section 2.
 */
final class Helpers {
    private Helpers() {}

    static MethodSpec method(String name, Numeric numeric) {
        TypeName t = numeric.type();
        String one = numeric.literal(1);
        String zero = numeric.literal(0);
        MethodSpec.Builder m = MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(t)
                .addParameter(t, "x");
        return switch (name) {
            case "sigmoid" ->
                m.addJavadoc("Logistic function, stable for every x and free of branches: {@code 1 / (1 + exp(-x))}\n")
                        .addJavadoc(
                                "for x >= 0 and {@code exp(x) / (1 + exp(x))} below, from {@code exp(-|x|)}, which\n")
                        .addJavadoc("never overflows. Only the numerator is selected (a conditional move, computed\n")
                        .addJavadoc(
                                "while the denominator is), so both sides are one division after the exponential:\n")
                        .addJavadoc("no product on the way from x to the result.\n")
                        .addStatement(
                                "$T e = $L",
                                t,
                                numeric.math("exp", com.palantir.javapoet.CodeBlock.of("-$T.abs(x)", JavaLang.MATH)))
                        .addStatement("return (x >= $L ? $L : e) / ($L + e)", zero, one, one)
                        .build();
            case "gaussian" ->
                m.addStatement("return $L", numeric.math("exp", com.palantir.javapoet.CodeBlock.of("-(x * x)")))
                        .build();
            case "tanh" ->
                m.addJavadoc("Hyperbolic tangent of a float through the intrinsic {@code Math.exp} in double,\n")
                        .addJavadoc(
                                "{@code sign(x) (1 - e) / (1 + e)} with {@code e = exp(-2|x|)}, rounded once to float;\n")
                        .addJavadoc(
                                "below {@code |x| = 1e-4} tanh(x) is x in float, where 1 - e would cancel. {@code\n")
                        .addJavadoc("Math.tanh} is not an intrinsic and costs several times as much.\n")
                        .addStatement("double a = $T.abs((double) x)", JavaLang.MATH)
                        .beginControlFlow("if (a < 1e-4)")
                        .addStatement("return x")
                        .endControlFlow()
                        .addStatement("double e = $T.exp(-2 * a)", JavaLang.MATH)
                        .addStatement("return (float) $T.copySign((1 - e) / (1 + e), x)", JavaLang.MATH)
                        .build();
            case "step" -> step(m, numeric);
            case "firstEqual" -> firstEqual(name, numeric);
            case "tapOffsets" -> tapOffsets(name);
            case "gateTanh" -> gateTanh(m, numeric);
            case "gateSigmoid" -> {
                requireFloat(name, numeric);
                yield m.addJavadoc(
                                "The logistic function of a recurrent cell's gate in float, {@code (1 + tanh(x/2)) / 2}\n")
                        .addJavadoc(
                                "through {@link #gateTanh}: within 2e-7 of the exact value, strictly between 0 and 1.\n")
                        .addJavadoc("A gate multiplies, so what counts is its absolute error; the relative accuracy\n")
                        .addJavadoc("of {@link #sigmoid} far in the lower tail is not needed here.\n")
                        .addStatement("return 0.5f + 0.5f * gateTanh(0.5f * x)")
                        .build();
            }
            case "square" -> m.addStatement("return x * x").build();
            case "cube" -> m.addStatement("return x * x * x").build();
            case "leakyRelu" ->
                m.addParameter(t, "alpha")
                        .addStatement("return x > $L ? x : alpha * x", zero)
                        .build();
            case "elu" ->
                m.addParameter(t, "alpha")
                        .addStatement(
                                "return x > $L ? x : alpha * $L",
                                zero,
                                numeric.math("expm1", com.palantir.javapoet.CodeBlock.of("x")))
                        .build();
            default -> throw new InternalCompilerError("unknown helper " + name);
        };
    }

    /**
     * The offset of each tap {@code k = (c kh + ky) kw + kx} of a convolution in its padded
     * input, {@code c channelStride + ky rowStep + kx colStep}: the table of a class's constant
     * that {@code PatchProducts.multiplyShifted} reads, built by a loop when the class is
     * initialised, where a literal of thousands of elements would make the static initialiser
     * large.
     */
    private static MethodSpec tapOffsets(String name) {
        return MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(int[].class)
                .addParameter(int.class, "channels")
                .addParameter(int.class, "channelStride")
                .addParameter(int.class, "kh")
                .addParameter(int.class, "rowStep")
                .addParameter(int.class, "kw")
                .addParameter(int.class, "colStep")
                .addStatement("int[] taps = new int[channels * kh * kw]")
                .addStatement("int k = 0")
                .beginControlFlow("for (int c = 0; c < channels; c++)")
                .beginControlFlow("for (int ky = 0; ky < kh; ky++)")
                .beginControlFlow("for (int kx = 0; kx < kw; kx++)")
                .addStatement("taps[k++] = c * channelStride + ky * rowStep + kx * colStep")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .addStatement("return taps")
                .build();
    }

    /**
     * {@code x > 0 ? 1 : 0} (NaN gives 0) from the bits of {@code x}, without a branch: the sign
     * bit of {@code -bits & ~bits} is set when the bits are positive (x above +0), and that of
     * {@code bits - (+inf's bits + 1)} when they are at most +inf's (x not NaN). As a comparison
     * it was a branch that went either way at random, the largest cost of a convolutional
     * network's relu derivative; this form has none.
     */
    private static MethodSpec step(MethodSpec.Builder m, Numeric numeric) {
        m.addJavadoc("{@code x > 0 ? 1 : 0}, NaN giving 0, from the bits of x and without a branch: the sign\n")
                .addJavadoc(
                        "bit of {@code -bits & ~bits} says the bits are positive, that of {@code bits - (inf + 1)}\n")
                .addJavadoc("that they are not a NaN's.\n");
        if (numeric.isFloat()) {
            // $T: a network may be named Float or Double, which would hide java.lang's.
            return m.addStatement("int bits = $T.floatToRawIntBits(x)", Float.class)
                    .addStatement("return (-bits & ~bits & (bits - 0x7f800001)) >>> 31")
                    .build();
        }
        return m.addStatement("long bits = $T.doubleToRawLongBits(x)", Double.class)
                .addStatement("return (-bits & ~bits & (bits - 0x7ff0000000000001L)) >>> 63")
                .build();
    }

    /**
     * {@code at} where it is set (0 or more); else {@code i} where {@code x} equals {@code target},
     * zeros of both signs equal, and -1 where it does not: the step of the search for a window's
     * first maximum once the maximum is known and is not NaN. From the bits of {@code x + 0} and
     * {@code target + 0} (the sum makes {@code -0} a {@code 0} and leaves every other value as it
     * is) and without a branch: a max pool's comparisons go either way at random, and as branches
     * they were a fifth of a LeNet-5 training step.
     */
    private static MethodSpec firstEqual(String name, Numeric numeric) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(int.class)
                .addParameter(int.class, "at")
                .addParameter(numeric.type(), "x")
                .addParameter(numeric.type(), "target")
                .addParameter(int.class, "i")
                .addJavadoc("{@code at} if set, else {@code i} where {@code x == target} (zeros of both signs\n")
                .addJavadoc(
                        "equal), else -1, without a branch: from the bits of {@code x + 0} and {@code target + 0}.\n");
        if (numeric.isFloat()) {
            // $T: a network may be named Float or Double, which would hide java.lang's.
            m.addStatement(
                            "int miss = $1T.floatToRawIntBits(x + 0.0f) ^ $1T.floatToRawIntBits(target + 0.0f)",
                            Float.class)
                    .addStatement("int hit = ~((miss | -miss) >> 31) & (at >> 31)");
        } else {
            m.addStatement(
                            "long miss = $1T.doubleToRawLongBits(x + 0.0) ^ $1T.doubleToRawLongBits(target + 0.0)",
                            Double.class)
                    .addStatement("int hit = (int) ~((miss | -miss) >> 63) & (at >> 31)");
        }
        return m.addStatement("return at & ~hit | i & hit").build();
    }

    /**
     * The largest |x| the rational tanh is evaluated at, where it is still below 1; beyond it the
     * clamped value is returned, within 4 ulp of 1 (float tanh is 1 from 9.01 on).
     */
    static final String GATE_TANH_LIMIT = "7.905311107635498f";

    /** Coefficients of P(t) and Q(t), lowest first: {@code compiler/src/test/python/gate_functions.py}. */
    private static final String[] GATE_TANH_P = {
        "1.0f", "0.13450303673744202f", "0.0035786097869277f", "2.201658753619995e-05f", "1.5417711551890534e-08f"
    };

    private static final String[] GATE_TANH_Q = {
        "1.0f", "0.46783632040023804f", "0.026190800592303276f", "0.0003423011221457273f", "8.594822702434612e-07f"
    };

    /**
     * tanh of a recurrent cell's gate in float. Multiplications, additions, one division and two
     * comparisons: a form C2 vectorises across the loop over units, where {@code tanh}'s
     * exponential in double costs most of a recurrent step.
     */
    private static MethodSpec gateTanh(MethodSpec.Builder m, Numeric numeric) {
        requireFloat("gateTanh", numeric);
        return m.addJavadoc(
                        "tanh of a recurrent cell's gate in float: {@code x P(x^2) / Q(x^2)}, a rational function\n")
                .addJavadoc(
                        "fitted for the least relative error on [0, L] (compiler/src/test/python/gate_functions.py),\n")
                .addJavadoc("with x clamped to [-L, L]. Within 6 ulp of tanh, odd, never above 1, NaN for NaN;\n")
                .addJavadoc("no exponential and no branch, so the loop over a cell's units vectorises.\n")
                .addStatement(
                        "float c = $T.max(-$L, $T.min($L, x))",
                        JavaLang.MATH,
                        GATE_TANH_LIMIT,
                        JavaLang.MATH,
                        GATE_TANH_LIMIT)
                .addStatement("float t = c * c")
                .addStatement("float p = c * ($L)", horner(GATE_TANH_P))
                .addStatement("float q = $L", horner(GATE_TANH_Q))
                .addStatement("return p / q")
                .build();
    }

    /** {@code c0 + t * (c1 + t * (...))}. */
    private static String horner(String[] coefficients) {
        StringBuilder text = new StringBuilder(coefficients[coefficients.length - 1]);
        for (int i = coefficients.length - 2; i >= 0; i--) {
            text.insert(0, coefficients[i] + " + t * (").append(')');
        }
        return text.toString();
    }

    private static void requireFloat(String name, Numeric numeric) {
        if (!numeric.isFloat()) {
            throw new InternalCompilerError(name + " is a float helper; double classes keep the exact forms");
        }
    }
}
