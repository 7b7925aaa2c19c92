package dev.nnc.compiler.codegen;

import static dev.nnc.compiler.codegen.Networks.parameters;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.NonFiniteTrainingException;
import dev.nnc.runtime.ParameterFileException;
import dev.nnc.runtime.TrainableNetwork;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The generated network class contract (ARCHITECTURE.md), on the generated {@code Xor}. */
class GeneratedXorContractTest {
    private static final double[] XS = {0, 0, 0, 1, 1, 0, 1, 1};
    private static final double[] YS = {0, 1, 1, 0};

    private final GeneratedClasses generated = Examples.compiled("xor.nn");

    private TrainableNetwork xor() {
        return generated.newInstance("Xor");
    }

    private TrainableNetwork xor(long seed) {
        try {
            return (TrainableNetwork)
                    generated.load("Xor").getConstructor(long.class).newInstance(seed);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** The call throws IllegalArgumentException whose message names both sizes as numbers. */
    private static void assertRejected(Executable call, long expected, long actual) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        String message = String.valueOf(e.getMessage());
        for (long size : new long[] {expected, actual}) {
            assertTrue(
                    Pattern.compile("(?<![0-9.])" + size + "(?![0-9.])")
                            .matcher(message)
                            .find(),
                    () -> "message does not name the size " + size + ": " + message);
        }
    }

    @Test
    void predictRejectsArraysOfTheWrongLengthNamingBothSizes() {
        TrainableNetwork xor = xor();
        assertRejected(() -> xor.predict(new double[3], new double[1]), 2, 3);
        assertRejected(() -> xor.predict(new double[1], new double[1]), 2, 1);
        assertRejected(() -> xor.predict(new double[2], new double[5]), 1, 5);
        assertRejected(() -> xor.predict(new double[2], new double[0]), 1, 0);
    }

    @Test
    void batchMethodsRejectNOfZeroOrBelow() {
        TrainableNetwork xor = xor();
        double[] grad = new double[17];
        assertRejected(() -> xor.predict(XS, 0, new double[4]), 1, 0);
        assertRejected(() -> xor.predict(XS, -3, new double[4]), 1, -3);
        assertRejected(() -> xor.loss(XS, YS, 0), 1, 0);
        assertRejected(() -> xor.gradient(XS, YS, 0, grad), 1, 0);
        assertRejected(() -> xor.trainStep(XS, YS, 0), 1, 0);
    }

    @Test
    void batchMethodsRejectNLargerThanTheArrays() {
        TrainableNetwork xor = xor();
        double[] grad = new double[17];
        assertRejected(() -> xor.predict(XS, 5, new double[5]), 10, 8);
        assertRejected(() -> xor.predict(XS, 4, new double[3]), 4, 3);
        assertRejected(() -> xor.loss(XS, YS, 5), 10, 8);
        assertRejected(() -> xor.loss(XS, new double[3], 4), 4, 3);
        assertRejected(() -> xor.gradient(XS, YS, 6, grad), 12, 8);
        assertRejected(() -> xor.trainStep(XS, new double[2], 3), 3, 2);
    }

    @Test
    void batchMethodsAcceptLargerArraysAndIgnoreTheRowsPastN() {
        TrainableNetwork xor = xor();
        double[] outs = {-1, -1, -1, 42};
        xor.predict(XS, 3, outs);
        assertEquals(42, outs[3]);
        double[] poisoned = XS.clone();
        poisoned[6] = Double.NaN;
        assertEquals(xor.loss(XS, YS, 3), xor.loss(poisoned, YS, 3));
    }

    @Test
    void gradientAndParameterMethodsRejectArraysOfTheWrongLength() {
        TrainableNetwork xor = xor();
        assertRejected(() -> xor.gradient(XS, YS, 4, new double[16]), 17, 16);
        assertRejected(() -> xor.gradient(XS, YS, 4, new double[18]), 17, 18);
        assertRejected(() -> xor.getParameters(new double[5]), 17, 5);
        assertRejected(() -> xor.setParameters(new double[30]), 17, 30);
    }

    @Test
    void rejectedCallsLeaveTheNetworkUnchanged() {
        TrainableNetwork xor = xor();
        double[] before = parameters(xor);
        assertThrows(IllegalArgumentException.class, () -> xor.trainStep(XS, YS, 9));
        assertThrows(IllegalArgumentException.class, () -> xor.setParameters(new double[3]));
        assertArrayEquals(before, parameters(xor));
    }

    @Test
    void saveThenLoadRoundTripsTheParametersExactly() throws Throwable {
        TrainableNetwork xor = xor();
        for (int step = 0; step < 20; step++) {
            xor.trainStep(XS, YS, 4);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        xor.save(bytes);
        TrainableNetwork loaded = load("Xor", new ByteArrayInputStream(bytes.toByteArray()));
        assertArrayEquals(parameters(xor), parameters(loaded));
        double[] expected = new double[4];
        double[] actual = new double[4];
        xor.predict(XS, 4, expected);
        loaded.predict(XS, 4, actual);
        assertArrayEquals(expected, actual);
    }

    @Test
    void loadingAnotherNetworksFileFailsWithParameterFileException() throws IOException {
        GeneratedClasses perceptrons = Examples.compiled("perceptron.nn");
        TrainableNetwork perceptron = perceptrons.newInstance("Perceptron");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        perceptron.save(bytes);
        Throwable thrown =
                assertThrows(Throwable.class, () -> load("Xor", new ByteArrayInputStream(bytes.toByteArray())));
        ParameterFileException e = assertInstanceOf(ParameterFileException.class, thrown);
        assertTrue(e.getMessage().contains("Perceptron") && e.getMessage().contains("Xor"), e.getMessage());
    }

    @Test
    void copyIsIndependentOfTheOriginal() {
        TrainableNetwork original = xor();
        double[] before = parameters(original);
        TrainableNetwork copy = original.copy();
        assertEquals(original.getClass(), copy.getClass());
        assertArrayEquals(before, parameters(copy));
        for (int step = 0; step < 10; step++) {
            copy.trainStep(XS, YS, 4);
        }
        assertArrayEquals(before, parameters(original), "training the copy changed the original");
        assertFalse(java.util.Arrays.equals(before, parameters(copy)), "the copy did not train");
        copy.setParameters(new double[17]);
        assertArrayEquals(before, parameters(original), "setParameters on the copy changed the original");
    }

    @Test
    void copyContinuesTrainingExactlyLikeTheOriginal() {
        TrainableNetwork original = xor();
        for (int step = 0; step < 7; step++) {
            original.trainStep(XS, YS, 4); // Adam moments and step counter are now non-trivial
        }
        TrainableNetwork copy = original.copy();
        for (int step = 0; step < 5; step++) {
            assertEquals(original.trainStep(XS, YS, 4), copy.trainStep(XS, YS, 4), "step " + step);
        }
        assertArrayEquals(parameters(original), parameters(copy));
    }

    @Test
    void trainingTwiceFromTheSameSeedGivesBitwiseEqualParameters() {
        TrainableNetwork first = xor(1234);
        TrainableNetwork second = xor(1234);
        for (int step = 0; step < 200; step++) {
            first.trainStep(XS, YS, 4);
            second.trainStep(XS, YS, 4);
        }
        assertArrayEquals(parameters(first), parameters(second));
    }

    @Test
    void differentSeedsGiveDifferentParametersAndTheDefaultIsTheSpecSeed() {
        assertFalse(java.util.Arrays.equals(parameters(xor(1)), parameters(xor(2))));
        assertArrayEquals(parameters(xor(1)), parameters(xor()), "xor.nn declares seed 1");
    }

    @Test
    void nanInTheInputsMakesTrainStepThrowAndLeavesTheNetworkUnchanged() {
        TrainableNetwork xor = xor();
        xor.trainStep(XS, YS, 4);
        TrainableNetwork reference = xor.copy();
        double[] before = parameters(xor);
        double[] poisoned = XS.clone();
        poisoned[3] = Double.NaN;
        assertThrows(NonFiniteTrainingException.class, () -> xor.trainStep(poisoned, YS, 4));
        assertArrayEquals(before, parameters(xor), "parameters changed by a failed step");
        // Optimizer state (Adam moments, step count) untouched too: the next steps match a copy.
        for (int step = 0; step < 3; step++) {
            assertEquals(reference.trainStep(XS, YS, 4), xor.trainStep(XS, YS, 4), "step " + step);
        }
        assertArrayEquals(parameters(reference), parameters(xor));
    }

    @Test
    void infiniteInputsAndNanTargetsAlsoMakeTrainStepThrow() {
        TrainableNetwork xor = xor();
        double[] before = parameters(xor);
        double[] infinite = XS.clone();
        infinite[0] = Double.POSITIVE_INFINITY;
        assertThrows(NonFiniteTrainingException.class, () -> xor.trainStep(infinite, YS, 4));
        double[] nanTargets = YS.clone();
        nanTargets[2] = Double.NaN;
        assertThrows(NonFiniteTrainingException.class, () -> xor.trainStep(XS, nanTargets, 4));
        assertArrayEquals(before, parameters(xor));
    }

    private TrainableNetwork load(String className, InputStream in) throws Throwable {
        try {
            return (TrainableNetwork) generated
                    .load(className)
                    .getMethod("load", InputStream.class)
                    .invoke(null, in);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
