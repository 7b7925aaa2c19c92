package dev.nnc.runtime.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The logistic function and the hyperbolic tangent over runs of a float row, a vector of lanes at
 * a time, for the gates of recurrent layers in float classes run with the Vector API, and relu's
 * derivative times its adjoint in float and double classes (generated code calls these only when
 * {@link dev.nnc.runtime.Vectorization#ENABLED} is true).
 *
 * <p>Why: a GRU computes three of these per unit and step, and the plain loops compute each
 * through one scalar {@code Math.exp}, about 5 ns apiece; a vector of them costs about as much as
 * one. The JDK implements the Vector API's {@code EXP} and {@code TANH} on x86 with the short
 * vector math library it ships ({@code libjsvml}); where it has none, a lane at a time.
 *
 * <p>Accuracy, against the exact value rounded to float ({@code VectorFunctionsTest} measures it
 * over the whole range): {@code tanh} is within 1 ulp; the logistic function is {@code (x >= 0 ?
 * 1 : e) / (1 + e)} with {@code e = exp(-|x|)} in float, which never overflows and is within 3
 * ulps (one rounding each for the exponential, the sum and the quotient). The plain loops compute
 * in double and round once, so the two paths differ in the last bits, as their products do. Runs
 * whose length is not a multiple of the vector length end in scalar code of the same formulas.
 */
public final class VectorFunctions {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    private static final int DOUBLE_LANES = DOUBLES.length();

    static {
        OperatorCaches.fill();
    }

    private VectorFunctions() {}

    /**
     * {@code y[yo + i] = d[do + i] * step(x[xo + i])} for {@code i < count}, where {@code step(x)}
     * is 1 for {@code x > 0} and 0 otherwise (NaN too): the derivative of relu times the adjoint,
     * the same product as the generated plain loops', bit for bit ({@code d * 0} is a signed zero,
     * or NaN for an infinite or NaN {@code d}). The plain loops' {@code step} is free of branches
     * but reads the float's bits, which C2 does not vectorise; here it is a compare and a blend.
     */
    public static void timesStep(float[] d, int dOffset, float[] x, int xOffset, float[] y, int yOffset, int count) {
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector one = FloatVector.broadcast(SPECIES, 1.0f);
        int i = 0;
        for (; i <= count - LANES; i += LANES) {
            VectorMask<Float> positive =
                    FloatVector.fromArray(SPECIES, x, xOffset + i).compare(VectorOperators.GT, 0.0f);
            FloatVector.fromArray(SPECIES, d, dOffset + i)
                    .mul(zero.blend(one, positive))
                    .intoArray(y, yOffset + i);
        }
        for (; i < count; i++) {
            y[yOffset + i] = d[dOffset + i] * (x[xOffset + i] > 0.0f ? 1.0f : 0.0f);
        }
    }

    /** {@link #timesStep(float[], int, float[], int, float[], int, int)} over doubles, for double classes. */
    public static void timesStep(double[] d, int dOffset, double[] x, int xOffset, double[] y, int yOffset, int count) {
        DoubleVector zero = DoubleVector.zero(DOUBLES);
        DoubleVector one = DoubleVector.broadcast(DOUBLES, 1.0);
        int i = 0;
        for (; i <= count - DOUBLE_LANES; i += DOUBLE_LANES) {
            VectorMask<Double> positive =
                    DoubleVector.fromArray(DOUBLES, x, xOffset + i).compare(VectorOperators.GT, 0.0);
            DoubleVector.fromArray(DOUBLES, d, dOffset + i)
                    .mul(zero.blend(one, positive))
                    .intoArray(y, yOffset + i);
        }
        for (; i < count; i++) {
            y[yOffset + i] = d[dOffset + i] * (x[xOffset + i] > 0.0 ? 1.0 : 0.0);
        }
    }

    /** {@code y[i] = 1 / (1 + exp(-y[i]))} for {@code from <= i < from + count}, in place. */
    public static void sigmoid(float[] y, int from, int count) {
        int end = from + count;
        int i = from;
        for (; i + LANES <= end; i += LANES) {
            sigmoidLanes(y, i);
        }
        for (; i < end; i++) {
            float x = y[i];
            float e = (float) Math.exp(-Math.abs(x));
            y[i] = (x >= 0.0f ? 1.0f : e) / (1.0f + e);
        }
    }

    /** {@code y[i] = tanh(y[i])} for {@code from <= i < from + count}, in place. */
    public static void tanh(float[] y, int from, int count) {
        int end = from + count;
        int i = from;
        for (; i + LANES <= end; i += LANES) {
            FloatVector.fromArray(SPECIES, y, i).lanewise(VectorOperators.TANH).intoArray(y, i);
        }
        for (; i < end; i++) {
            y[i] = (float) Math.tanh(y[i]);
        }
    }

    /** One vector of {@link #sigmoid} from {@code i}: the numerator is 1 or {@code e}, by sign. */
    private static void sigmoidLanes(float[] y, int i) {
        FloatVector x = FloatVector.fromArray(SPECIES, y, i);
        FloatVector e = x.abs().neg().lanewise(VectorOperators.EXP);
        VectorMask<Float> negative = x.compare(VectorOperators.LT, 0.0f);
        FloatVector numerator = FloatVector.broadcast(SPECIES, 1.0f).blend(e, negative);
        numerator.div(e.add(1.0f)).intoArray(y, i);
    }
}
