package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.compiler.GeneratedFile;
import dev.nnc.compiler.semantic.Precision;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import javax.lang.model.element.Modifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The float gate functions of recurrent cells, {@code gateTanh} and {@code gateSigmoid}, as the
 * code generator emits them (compiled with javac and run): their error against tanh and the
 * logistic function in double over the floats, and their values at the edges.
 */
class GateFunctionsTest {
    private static MethodHandle tanh;
    private static MethodHandle sigmoid;

    @BeforeAll
    static void compile() throws ReflectiveOperationException {
        Numeric numeric = new Numeric(Precision.FLOAT);
        TypeSpec type = TypeSpec.classBuilder("Gates")
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addMethod(Helpers.method("gateTanh", numeric))
                .addMethod(Helpers.method("gateSigmoid", numeric))
                .addMethod(caller("tanh", "gateTanh"))
                .addMethod(caller("sigmoid", "gateSigmoid"))
                .build();
        String source = JavaFile.builder("gen", type).build().toString();
        Class<?> gates = GeneratedClasses.javac(List.of(new GeneratedFile("gen", "Gates", "gates", source)))
                .load("Gates");
        MethodType floatToFloat = MethodType.methodType(float.class, float.class);
        tanh = MethodHandles.publicLookup().findStatic(gates, "tanh", floatToFloat);
        sigmoid = MethodHandles.publicLookup().findStatic(gates, "sigmoid", floatToFloat);
    }

    /** A public entry to a private helper, as a kernel of the generated class calls it. */
    private static MethodSpec caller(String name, String helper) {
        return MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .returns(float.class)
                .addParameter(float.class, "x")
                .addStatement("return $N(x)", helper)
                .build();
    }

    private static float tanh(float x) throws Throwable {
        return (float) tanh.invokeExact(x);
    }

    private static float sigmoid(float x) throws Throwable {
        return (float) sigmoid.invokeExact(x);
    }

    @Test
    void tanhIsWithinSixUlpsOverTheFloatsAndOdd() throws Throwable {
        // Every 97th float from 2^-30 to 40, both signs: about 1.9 million values.
        int from = Float.floatToRawIntBits(0x1p-30f);
        int to = Float.floatToRawIntBits(40f);
        double worst = 0;
        float worstAt = 0;
        for (int bits = from; bits <= to; bits += 97) {
            float x = Float.intBitsToFloat(bits);
            float y = tanh(x);
            double exact = Math.tanh((double) x);
            double ulps = Math.abs(y - exact) / Math.ulp((float) exact);
            if (ulps > worst) {
                worst = ulps;
                worstAt = x;
            }
            assertTrue(y <= 1f, () -> "tanh(" + x + ") = " + y + " is above 1");
            assertEquals(Float.floatToRawIntBits(-y), Float.floatToRawIntBits(tanh(-x)), () -> "odd at " + x);
        }
        // gate_functions.py measures 5.72 ulp at 5.901054 over every fifth float.
        assertTrue(worst <= 6, "largest error " + worst + " ulp at " + worstAt);
    }

    @Test
    void tanhAtTheEdges() throws Throwable {
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(tanh(0f)));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(tanh(-0f)));
        assertEquals(Float.MIN_VALUE, tanh(Float.MIN_VALUE));
        assertEquals(1e-20f, tanh(1e-20f));
        for (float large : new float[] {9f, 20f, 1e30f, Float.MAX_VALUE, Float.POSITIVE_INFINITY}) {
            assertTrue(tanh(large) >= 1f - 6 * Math.ulp(0.99f) && tanh(large) <= 1f, "tanh(" + large + ")");
            assertEquals(-tanh(large), tanh(-large));
        }
        assertTrue(Float.isNaN(tanh(Float.NaN)));
    }

    @Test
    void sigmoidIsWithinTwoTenMillionthsAndStaysInsideZeroOne() throws Throwable {
        double worst = 0;
        for (int i = -2_000_000; i <= 2_000_000; i++) {
            float x = i * 3e-5f;
            float y = sigmoid(x);
            double exact = 1 / (1 + Math.exp(-(double) x));
            worst = Math.max(worst, Math.abs(y - exact));
            assertTrue(y > 0f && y < 1f, "sigmoid(" + x + ") = " + y);
        }
        assertTrue(worst <= 2e-7, "largest error " + worst);
        assertEquals(0.5f, sigmoid(0f));
        assertTrue(sigmoid(-1e30f) > 0f && sigmoid(-1e30f) <= 2e-7f);
        assertTrue(sigmoid(1e30f) < 1f && sigmoid(1e30f) >= 1f - 2e-7f);
        assertTrue(Float.isNaN(sigmoid(Float.NaN)));
    }
}
