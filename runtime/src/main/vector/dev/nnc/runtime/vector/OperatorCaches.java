package dev.nnc.runtime.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

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
 * <p>A third kind of trap comes from the intrinsics' shared fallbacks: {@code VectorSupport.test}
 * behind a mask's {@code anyTrue}, {@code rearrangeOp} and {@code shuffleToVector} behind a
 * rearrangement's index check, {@code load} and {@code store}. The JIT compiles them on their own
 * while the kernels still run the Vector API's Java code, with a class check for the element
 * type they have seen; a double kernel after float ones (the max pools of a double CNN after a
 * float CNN's) then trapped four times in {@code test} in a compilation log of the allocation
 * tests at a limit of 10 ({@code -XX:+LogCompilation}), and a pool kernel reaches {@code test}
 * once per rearrangement, 39 times. {@link #profileOperatorKinds} runs both element types through
 * them as well; in the logs of the same tests after that, {@code test}, {@code rearrangeOp} and
 * {@code shuffleToVector} trapped no more.
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
        VectorShuffle<Float> floatShuffle = VectorShuffle.iota(f.species(), 1, 1, true);
        VectorShuffle<Double> doubleShuffle = VectorShuffle.iota(d.species(), 1, 1, true);
        float[] floats = new float[f.length()];
        double[] doubles = new double[d.length()];
        FloatVector x = f;
        DoubleVector y = d;
        boolean any = false;
        for (int i = 0; i < OPERATOR_ROUNDS; i++) {
            // Both element types through the shared fallbacks of a load and a store.
            x.intoArray(floats, 0);
            y.intoArray(doubles, 0);
            x = FloatVector.fromArray(f.species(), floats, 0);
            y = DoubleVector.fromArray(d.species(), doubles, 0);
            x = x.lanewise(binaries[i & 1], f) // AssociativeImpl, BinaryImpl
                    .lanewise(VectorOperators.ABS) // UnaryImpl
                    .lanewise(VectorOperators.FMA, f, f); // TernaryImpl
            x = x.blend(f, x.compare(VectorOperators.GT, f)); // ComparisonImpl
            y = y.lanewise(binaries[i & 1], d).lanewise(VectorOperators.FMA, d, d);
            // Both element types through the shared fallbacks of a rearrangement (its index check
            // reads the shuffle as a vector and tests a mask) and of a mask's test.
            x = x.rearrange(floatShuffle);
            y = y.rearrange(doubleShuffle);
            any ^= x.compare(VectorOperators.LT, f).anyTrue()
                    ^ y.compare(VectorOperators.LT, d).anyTrue();
        }
        if (any) {
            y = y.add(1.0);
        }
        x.intoArray(floats, 0);
        y.intoArray(doubles, 0);
    }

    private OperatorCaches() {}

    /** Initialises this class, which runs the operations once; nothing after the first call. */
    static void fill() {}
}
