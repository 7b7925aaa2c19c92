package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Functions far past one method's size: a chain of 3,000 definitions, a sum of 100,000 terms
 * and one of 2,000 distinct terms. Their value, derivative and gradient are split into static
 * parts (in nested classes past {@link MethodParts#PARTS_PER_CLASS} parts); every method of
 * every class file stays under HotSpot's 8,000-byte limit, the results match a reference
 * computed in double, a call allocates nothing, and concurrent calls do not disturb each other.
 */
class LargeFunctionTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static final int CHAIN = 3_000;
    private static final int TERMS = 100_000;
    /**
     * Distinct terms: enough for dozens of parts in nested classes. (The optimiser factors a sum
     * of 100,000 distinct terms in one round, see LongSumsTest, but generating its class still
     * takes about a minute of CPU time, and javac more, too long for this test.)
     */
    private static final int DISTINCT_TERMS = 2_000;

    /** {@code a0 = sin(x); a_i = sin(a_{i-1}) * 0.5 + (i % 7) / 10}, returning the last. */
    private static String chainSpec() {
        StringBuilder spec = new StringBuilder("function Chain(x) {\n  a0 = sin(x);\n");
        for (int i = 1; i < CHAIN; i++) {
            spec.append("  a")
                    .append(i)
                    .append(" = sin(a")
                    .append(i - 1)
                    .append(") * 0.5 + ")
                    .append(offset(i))
                    .append(";\n");
        }
        return spec.append("  return a").append(CHAIN - 1).append(";\n}\n").toString();
    }

    private static String offset(int i) {
        return "0." + (i % 7);
    }

    /** The chain's value and derivative, by forward-mode differentiation in double. */
    private static double[] chainReference(double x) {
        double a = Math.sin(x);
        double da = Math.cos(x);
        for (int i = 1; i < CHAIN; i++) {
            da = Math.cos(a) * 0.5 * da;
            a = Math.sin(a) * 0.5 + Double.parseDouble(offset(i));
        }
        return new double[] {a, da};
    }

    /**
     * The sum of {@code terms} terms {@code c_i * sin(x + k_i) * y}: with {@code distinct}, every
     * shift {@code k_i = i / 1000} is its own; without, {@code k_i = i % 17}, and the like terms
     * combine (221 distinct ones remain).
     */
    private static String sumSpec(int terms, boolean distinct) {
        StringBuilder spec = new StringBuilder("function Sum(x, y) =");
        for (int i = 0; i < terms; i++) {
            spec.append(i == 0 ? " " : "\n  + ")
                    .append((int) coefficient(i))
                    .append(" * sin(x + ")
                    .append(shift(i, distinct))
                    .append(") * y");
        }
        return spec.append(";\n").toString();
    }

    private static String shift(int i, boolean distinct) {
        return distinct ? (i / 1000) + "." + String.format(java.util.Locale.ROOT, "%03d", i % 1000) : "" + i % 17;
    }

    private static double coefficient(int i) {
        return 1 + i % 13;
    }

    /** The sum's value and gradient in closed form. */
    private static double[] sumReference(int terms, boolean distinct, double x, double y) {
        double value = 0;
        double dx = 0;
        double dy = 0;
        for (int i = 0; i < terms; i++) {
            double c = coefficient(i);
            double k = Double.parseDouble(shift(i, distinct));
            value += c * Math.sin(x + k) * y;
            dx += c * Math.cos(x + k) * y;
            dy += c * Math.sin(x + k);
        }
        return new double[] {value, dx, dy};
    }

    @Test
    void chainOfThreeThousandDefinitionsSplitsAndIsExact() throws Throwable {
        GeneratedClasses generated = GeneratedClasses.compile("chain.nn", chainSpec());
        MethodSizeTest.assertAllMethodsUnderLimit(generated);
        Class<?> chain = generated.load("Chain");
        MethodHandle value = handle(chain, "value", MethodType.methodType(double.class, double.class));
        MethodHandle derivative = handle(chain, "derivative", MethodType.methodType(double.class, double.class));
        MethodHandle gradient =
                handle(chain, "gradient", MethodType.methodType(double.class, double.class, double[].class));
        for (double x : new double[] {-1.3, 0.2, 0.9}) {
            double[] expected = chainReference(x);
            double[] grad = new double[1];
            assertEquals(expected[0], (double) value.invokeExact(x), 1e-12);
            assertEquals(expected[1], (double) derivative.invokeExact(x), 1e-12 * Math.max(1, Math.abs(expected[1])));
            assertEquals(expected[0], (double) gradient.invokeExact(x, grad), 1e-12);
            assertEquals(expected[1], grad[0], 1e-12 * Math.max(1, Math.abs(expected[1])));
            double h = 1e-6;
            double central = (chainReference(x + h)[0] - chainReference(x - h)[0]) / (2 * h);
            assertEquals(central, grad[0], 1e-6 * Math.max(1, Math.abs(central)));
        }
        double[] grad = new double[1];
        long allocated = quietestWindow(
                () -> {
                    try {
                        double v = (double) value.invokeExact(0.4);
                        double d = (double) derivative.invokeExact(0.4);
                        double g = (double) gradient.invokeExact(0.4, grad);
                        assertTrue(Double.isFinite(v + d + g));
                    } catch (Throwable t) {
                        throw new AssertionError(t);
                    }
                },
                3_000,
                300);
        assertEquals(0, allocated, "the chain allocated " + allocated + " bytes in each window of 300 rounds");
        assertConcurrentCallsAgree(gradient);
    }

    @Test
    void sumOfOneHundredThousandTermsIsExactAndAllocationFree() throws Throwable {
        assertSum(TERMS, false, 20, 5);
    }

    @Test
    void sumOfTwoThousandDistinctTermsSplitsIntoNestedClassesAndIsExact() throws Throwable {
        Class<?> sum = assertSum(DISTINCT_TERMS, true, 200, 50);
        assertTrue(sum.getDeclaredClasses().length > 0, "the parts of 2,000 distinct terms fill more than one class");
    }

    /** Compiles the sum, checks method sizes, values, gradients and allocation; returns its class. */
    private static Class<?> assertSum(int terms, boolean distinct, int warmUp, int rounds) throws Throwable {
        GeneratedClasses generated = GeneratedClasses.compile("sum.nn", sumSpec(terms, distinct));
        MethodSizeTest.assertAllMethodsUnderLimit(generated);
        Class<?> sum = generated.load("Sum");
        MethodHandle value = handle(sum, "value", MethodType.methodType(double.class, double.class, double.class));
        MethodHandle gradient = handle(
                sum, "gradient", MethodType.methodType(double.class, double.class, double.class, double[].class));
        for (double[] point : new double[][] {{0.3, -1.7}, {2.1, 0.4}}) {
            double[] expected = sumReference(terms, distinct, point[0], point[1]);
            double[] grad = new double[2];
            double tolerance = 1e-9 * terms;
            assertEquals(expected[0], (double) value.invokeExact(point[0], point[1]), tolerance);
            assertEquals(expected[0], (double) gradient.invokeExact(point[0], point[1], grad), tolerance);
            assertEquals(expected[1], grad[0], tolerance);
            assertEquals(expected[2], grad[1], tolerance);
        }
        double[] grad = new double[2];
        long allocated = quietestWindow(
                () -> {
                    try {
                        double v = (double) value.invokeExact(0.5, 1.5);
                        double g = (double) gradient.invokeExact(0.5, 1.5, grad);
                        assertTrue(Double.isFinite(v + g));
                    } catch (Throwable t) {
                        throw new AssertionError(t);
                    }
                },
                warmUp,
                rounds);
        assertEquals(0, allocated, "the sum allocated " + allocated + " bytes in each window of " + rounds + " rounds");
        return sum;
    }

    private static MethodHandle handle(Class<?> type, String name, MethodType signature)
            throws ReflectiveOperationException {
        return MethodHandles.publicLookup().findStatic(type, name, signature);
    }

    /**
     * Four threads call {@code gradient(x, grad)} at once, each at its own point, many times: a
     * call that finds the shared scratch taken makes its own, so every result is exact.
     */
    private static void assertConcurrentCallsAgree(MethodHandle gradient) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            java.util.List<Future<?>> runs = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                double x = -1 + 0.5 * t;
                double[] expected = chainReference(x);
                runs.add(pool.submit(() -> {
                    double[] grad = new double[1];
                    for (int i = 0; i < 200; i++) {
                        double v;
                        try {
                            v = (double) gradient.invokeExact(x, grad);
                        } catch (Throwable e) {
                            throw new AssertionError(e);
                        }
                        assertEquals(expected[0], v, 1e-12);
                        assertEquals(expected[1], grad[0], 1e-12 * Math.max(1, Math.abs(expected[1])));
                    }
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Bytes this thread allocated in the quietest of five windows of {@code rounds} calls. */
    private static long quietestWindow(Runnable calls, int warmUp, int rounds) {
        for (int i = 0; i < warmUp; i++) {
            calls.run();
        }
        long quietest = Long.MAX_VALUE;
        for (int window = 0; window < 5; window++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++) {
                calls.run();
            }
            quietest = Math.min(quietest, THREADS.getCurrentThreadAllocatedBytes() - before);
        }
        return quietest;
    }
}
