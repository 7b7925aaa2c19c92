package dev.nnc.runtime.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Runs, once, every lane-wise operation, reduction and conversion that the kernels of this
 * package use, when the first of their classes is initialised, so that the Vector API has looked
 * up each one's implementation before the JIT compiles the method that looks it up, and none of
 * its machinery runs for the first time late in a warm-up (see {@code VectorProducts.sumOfSquares}).
 *
 * <p>Why. JDK 17's Vector API finds an operation's implementation in a cache per element type
 * and kind of operation ({@code VectorOperators.ImplCache.find}); the first lookup of an
 * operation calls a supplier, a lambda whose class differs by kind and element type. Once C2 has
 * compiled {@code find} for the suppliers it has seen, the first lookup of another kind traps on
 * a class check, again on every call until the recompilation is installed (three times, four, or
 * more on a busy machine). C2 sums the traps recorded in the profile of every method it inlines
 * into one count per compilation, and a kernel inlines {@code find} once per vector operation: 32
 * times in a four-by-four block of a product. At {@code -XX:PerMethodTrapLimit} (100) C2 compiles
 * the kernel's class checks without traps, so its vectors' classes are no longer exact, the
 * intrinsics do not apply and every vector is boxed: a float MLP's batch-64 step allocated 330
 * KB, in about one JVM in ten on a busy machine, when {@code find} had trapped four times rather
 * than three. With the caches filled while {@code find} still runs in the interpreter, no later
 * lookup calls a supplier, and its profile records no trap.
 *
 * <p>The same sum sinks the kernels when {@code VectorOperators.opCode}, which every lane-wise
 * operation calls with its operator and which casts it to the operator's implementation class,
 * has trapped. Until the JIT compiles a kernel with intrinsics, the kernel runs the Vector API's
 * Java code, so {@code opCode} is hot and C2 compiles it on its own. If its profile then holds
 * one implementation class (a double network's products use only {@code FMA}), C2 compiles the
 * cast as a check for that class, and the first operator of another kind ({@code compare}, an
 * {@code ADD}) traps, three to four times. C2 casts without such a check once the profile has seen
 * two classes. A four-by-four block inlines {@code opCode} 32 times, so four traps count 128:
 * past the default limit of 100, and a float MLP's batch-64 step allocated 2 to 40 MB (one JVM
 * in six of the allocation tests at a limit of 10, the JIT log showing {@code class_check} totals
 * of 128 in the product kernels, all from {@code opCode}). {@link #profileOperatorKinds} runs
 * operators of five implementation classes through {@code opCode} often enough that the JIT's
 * profile of the cast has seen them before anything compiles it.
 *
 * <p>Every kernel class of this package calls {@link #fill} from its static initialiser.
 * {@code VectorKernelSourcesTest} checks that each operation named in their sources runs here.
 */
final class OperatorCaches {
    /** Rounds of {@link #profileOperatorKinds}: {@code opCode} runs six times in each. */
    private static final int OPERATOR_ROUNDS = 4_000;

    static {
        float[] floats = new float[FloatVector.SPECIES_PREFERRED.length()];
        FloatVector f = FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, floats, 0)
                .add(FloatVector.zero(FloatVector.SPECIES_PREFERRED))
                .add(FloatVector.broadcast(FloatVector.SPECIES_PREFERRED, 1.0f));
        FloatVector unary = f.abs().neg().lanewise(VectorOperators.EXP).lanewise(VectorOperators.TANH);
        FloatVector binary = unary.add(f).add(1.0f).div(unary).mul(f).max(f);
        binary = binary.blend(unary, f.compare(VectorOperators.GT, 0.0f));
        binary.fma(f, f).intoArray(floats, 0);
        double[] doubles = new double[DoubleVector.SPECIES_PREFERRED.length()];
        DoubleVector d = DoubleVector.fromArray(DoubleVector.SPECIES_PREFERRED, doubles, 0)
                .add(DoubleVector.zero(DoubleVector.SPECIES_PREFERRED))
                .add(DoubleVector.broadcast(DoubleVector.SPECIES_PREFERRED, 1.0));
        DoubleVector widened = (DoubleVector) f.convertShape(VectorOperators.F2D, DoubleVector.SPECIES_PREFERRED, 0);
        DoubleVector sum = d.fma(d, d).add(widened).mul(d).max(d);
        sum = sum.blend(d, d.compare(VectorOperators.GT, 0.0));
        sum.intoArray(doubles, 0);
        floats[0] = (float) sum.reduceLanes(VectorOperators.ADD);
        profileOperatorKinds(f, d);
    }

    /**
     * Enough lane-wise operations, of five operator classes in turn, that {@code opCode} is
     * compiled with profiling (after a few hundred calls) and then records them: a few
     * milliseconds, once.
     */
    private static void profileOperatorKinds(FloatVector f, DoubleVector d) {
        VectorOperators.Binary[] binaries = {VectorOperators.ADD, VectorOperators.DIV};
        FloatVector x = f;
        DoubleVector y = d;
        for (int i = 0; i < OPERATOR_ROUNDS; i++) {
            x = x.lanewise(binaries[i & 1], f) // AssociativeImpl, BinaryImpl
                    .lanewise(VectorOperators.ABS) // UnaryImpl
                    .lanewise(VectorOperators.FMA, f, f); // TernaryImpl
            x = x.blend(f, x.compare(VectorOperators.GT, f)); // ComparisonImpl
            y = y.lanewise(binaries[i & 1], d).lanewise(VectorOperators.FMA, d, d);
        }
        x.intoArray(new float[x.length()], 0);
        y.intoArray(new double[y.length()], 0);
    }

    private OperatorCaches() {}

    /** Initialises this class, which runs the operations once; nothing after the first call. */
    static void fill() {}
}
