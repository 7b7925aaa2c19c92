package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.CompilationResult;
import dev.nnc.compiler.Sources;
import dev.nnc.compiler.diagnostic.Diagnostic;
import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.semantic.Limits;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A function's arguments are parameters of every method generated for it, and a JVM method has
 * 255 parameter slots (a double takes two, an array one). The parts of a long gradient take
 * three more ({@code grad}, {@code s}, {@code scratch}), so arguments may take 252 slots: 126
 * scalars compile, with a part that takes exactly 255 slots, and one argument more is an error.
 * A network's generated methods take its inputs and targets packed in arrays, so no number of
 * them comes near the limit.
 */
class ParameterSlotsTest {
    private static final int MOST_SCALARS = Limits.MAX_FUNCTION_ARGUMENT_SLOTS / 2;

    /**
     * {@code function F(a0, ..., a_{n-1}, v0[2], ...)}: a body of {@code 6 n} products of a sine
     * and an argument (and a vector's elements), long enough that value and gradient are split.
     */
    private static String spec(int scalars, int vectors) {
        List<String> arguments = new ArrayList<>();
        for (int i = 0; i < scalars; i++) {
            arguments.add("a" + i);
        }
        for (int j = 0; j < vectors; j++) {
            arguments.add("v" + j + "[2]");
        }
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 6 * scalars; i++) {
            body.append(i == 0 ? "" : "\n  + ")
                    .append("sin(a")
                    .append(i % scalars)
                    .append(" * ")
                    .append(1 + i / scalars)
                    .append(") * a")
                    .append((7 * i + 1) % scalars);
        }
        for (int j = 0; j < vectors; j++) {
            body.append("\n  + v").append(j).append("[0] * v").append(j).append("[1]");
        }
        return "function F(" + String.join(", ", arguments) + ") =\n  " + body + ";\n";
    }

    /** The value of {@link #spec} with {@code scalars} scalars and no vectors, in double. */
    private static double reference(double[] a) {
        int n = a.length;
        double sum = 0;
        for (int i = 0; i < 6 * n; i++) {
            sum += Math.sin(a[i % n] * (1 + i / n)) * a[(7 * i + 1) % n];
        }
        return sum;
    }

    private static List<Diagnostic> errors(String spec) {
        CompilationResult result = Sources.check("f.nn", spec);
        return result.diagnostics().stream().filter(Diagnostic::isError).toList();
    }

    @Test
    void theMostScalarArgumentsCompileAndTheirGradientMatchesFiniteDifferences() throws Exception {
        assertEquals(126, MOST_SCALARS);
        GeneratedClasses generated = GeneratedClasses.compile("f.nn", spec(MOST_SCALARS, 0));
        MethodSizeTest.assertAllMethodsUnderLimit(generated);
        Class<?> type = generated.load("F");
        int widest = 0;
        for (Class<?> owner : allClasses(type)) {
            for (Method method : owner.getDeclaredMethods()) {
                widest = Math.max(widest, slots(method));
            }
        }
        assertEquals(Limits.JVM_PARAMETER_SLOTS, widest, "the widest generated method takes every slot");
        Class<?>[] scalars = new Class<?>[MOST_SCALARS];
        Arrays.fill(scalars, double.class);
        Method value = type.getMethod("value", scalars);
        Class<?>[] withGrad = Arrays.copyOf(scalars, MOST_SCALARS + 1);
        withGrad[MOST_SCALARS] = double[].class;
        Method gradient = type.getMethod("gradient", withGrad);
        double[] a = new double[MOST_SCALARS];
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.sin(0.37 * i + 0.2);
        }
        double[] grad = new double[MOST_SCALARS];
        double expected = reference(a);
        assertEquals(expected, (double) value.invoke(null, boxed(a, null)), 1e-9);
        assertEquals(expected, (double) gradient.invoke(null, boxed(a, grad)), 1e-9);
        double h = 1e-6;
        for (int i = 0; i < a.length; i++) {
            double[] up = a.clone();
            double[] down = a.clone();
            up[i] += h;
            down[i] -= h;
            double central = (reference(up) - reference(down)) / (2 * h);
            assertEquals(central, grad[i], 1e-6 * Math.max(1, Math.abs(central)), "d/da" + i);
        }
    }

    @Test
    void oneScalarMoreIsRejectedAtTheArgumentPastTheLimit() {
        List<Diagnostic> errors = errors(spec(MOST_SCALARS + 1, 0));
        assertEquals(1, errors.size(), errors::toString);
        Diagnostic error = errors.get(0);
        assertEquals(DiagnosticCode.FUNCTION_TOO_MANY_ARGUMENTS, error.code());
        assertTrue(error.message().contains("127 scalar and 0 vector arguments, 254 parameter slots"), error::message);
        assertTrue(error.help().orElseThrow().contains("'x[127]'"), error.help()::toString);
    }

    @Test
    void vectorsTakeOneSlotEach() {
        // 125 scalars and 2 vectors: 252 slots, accepted; 126 scalars and a vector: 253, rejected;
        // 126 scalars: 252, accepted.
        assertEquals(List.of(), errors(spec(MOST_SCALARS - 1, 2)));
        List<Diagnostic> errors = errors(spec(MOST_SCALARS, 1));
        assertEquals(1, errors.size(), errors::toString);
        assertEquals(DiagnosticCode.FUNCTION_TOO_MANY_ARGUMENTS, errors.get(0).code());
        assertEquals(List.of(), errors(spec(MOST_SCALARS, 0)));
    }

    @Test
    void threeHundredScalarInputsAndTargetsArePackedInArrays() throws Exception {
        StringBuilder spec = new StringBuilder("network N {\n  param w;\n");
        List<String> losses = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            spec.append("  input x").append(i).append(";\n  target y").append(i).append(";\n");
            spec.append("  h").append(i).append(" = x").append(i).append(" * w;\n");
            losses.add("mse(h" + i + ", y" + i + ")");
            outputs.add("h" + i);
        }
        spec.append("  o = ").append(String.join(" + ", outputs)).append(";\n  output o;\n");
        spec.append("  loss ").append(String.join(" + ", losses)).append(";\n  optimizer sgd(lr = 0.01);\n}\n");
        GeneratedClasses generated = GeneratedClasses.compile("n.nn", spec.toString());
        int widest = 0;
        for (Class<?> owner : allClasses(generated.load("N"))) {
            for (Method method : owner.getDeclaredMethods()) {
                widest = Math.max(widest, slots(method));
            }
        }
        assertTrue(widest < 20, "the widest method of the network takes " + widest + " slots");
    }

    private static List<Class<?>> allClasses(Class<?> type) {
        List<Class<?>> all = new ArrayList<>(List.of(type));
        for (Class<?> nested : type.getDeclaredClasses()) {
            all.addAll(allClasses(nested));
        }
        return all;
    }

    private static int slots(Method method) {
        int slots = java.lang.reflect.Modifier.isStatic(method.getModifiers()) ? 0 : 1;
        for (Class<?> parameter : method.getParameterTypes()) {
            slots += parameter == double.class || parameter == long.class ? 2 : 1;
        }
        return slots;
    }

    private static Object[] boxed(double[] a, double[] grad) {
        Object[] arguments = new Object[a.length + (grad == null ? 0 : 1)];
        for (int i = 0; i < a.length; i++) {
            arguments[i] = a[i];
        }
        if (grad != null) {
            arguments[a.length] = grad;
        }
        return arguments;
    }
}
