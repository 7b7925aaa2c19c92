package dev.nnc.compiler.codegen;

import static dev.nnc.compiler.codegen.Networks.parameters;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.codegen.Examples.NetworkCase;
import dev.nnc.runtime.NonFiniteTrainingException;
import dev.nnc.runtime.TrainableNetwork;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code trainStep(xs, ys, 1)} of a network with an unrolled training kernel runs the fused
 * {@code trainOne}: gradient in locals, checks and update in the same method. It must be the
 * general path's step, bit for bit. The general path is reached with the same sample twice
 * ({@code n = 2}): each copy's gradient is computed with weight 1/2, which scales it exactly, so
 * the mean is bitwise the one-sample gradient, and the mean loss the one-sample loss.
 */
class TrainOneTest {
    private static final int STEPS = 12;

    /** A 2-2-1 network like benchmark N1, with one optimizer statement per case. */
    private static final String SMALL = """
            network Small {
                %s
                input x[2];
                target y[1];
                hidden = dense(x, 2, activation = sigmoid);
                out = dense(hidden, 1, activation = tanh);
                output out;
                loss mse(out, y);
                %s
            }
            """;

    /** Every update rule and clipping mode, as in OptimizerParityTest. */
    private static final List<String> OPTIMIZERS = List.of(
            "optimizer sgd(lr = 0.5);",
            "optimizer sgd(lr = 0.5, momentum = 0.9);",
            "optimizer sgd(lr = 0.5, momentum = 0.9, nesterov = true);",
            "optimizer adagrad(lr = 0.1);",
            "optimizer rmsprop(lr = 0.01);",
            "optimizer adam(lr = 0.05);",
            "optimizer sgd(lr = 0.5, clip_value = 0.01);",
            "optimizer adam(lr = 0.05, clip_norm = 0.01);",
            "optimizer sgd(lr = 0.5, momentum = 0.9, clip_value = 0.02, clip_norm = 0.01);");

    static Stream<String> optimizers() {
        return OPTIMIZERS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void oneSampleStepsAreBitwiseTheGeneralPathsSteps(String optimizer) {
        for (String precision : List.of("", "precision float;")) {
            GeneratedClasses classes = GeneratedClasses.compile("small.nn", SMALL.formatted(precision, optimizer));
            assertHasTrainOne(classes, "Small");
            String where = optimizer + " " + precision;
            assertSameTrajectory(classes.newInstance("Small"), classes.newInstance("Small"), where);
        }
    }

    /** The examples (without dropout, whose masks differ between one and two samples). */
    static Stream<NetworkCase> examples() {
        return Examples.trainableNetworksWithoutDropout().stream();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void examplesTrainOneSampleAsTheGeneralPathDoes(NetworkCase c) {
        // batch_norm over a vector has no statistics in a batch of one sample, and refuses it.
        org.junit.jupiter.api.Assumptions.assumeTrue(
                c.declaration().batchNorms().isEmpty(), "a batch of one sample cannot train batch_norm");
        assertSameTrajectory(
                c.classes().newInstance(c.className()), c.classes().newInstance(c.className()), c.toString());
    }

    @Test
    void benchmarkSizedNetworksGetTheFusedStep() {
        // The perceptron example, and the small network of every optimizer (checked above), are
        // the shapes that benchmarks N1 and N3 have.
        assertHasTrainOne(Examples.compiled("perceptron.nn"), "Perceptron");
    }

    private static void assertHasTrainOne(GeneratedClasses classes, String className) {
        boolean present = Arrays.stream(classes.load(className).getDeclaredMethods())
                .anyMatch(m -> m.getName().equals("trainOne"));
        assertTrue(present, className + " has no trainOne");
    }

    private static void assertSameTrajectory(TrainableNetwork one, TrainableNetwork twice, String where) {
        int in = one.inputSize();
        int out = one.targetSize();
        for (int step = 0; step < STEPS; step++) {
            double[] x = Numerics.gaussian(100 + step, in);
            double[] y = Numerics.uniform(200 + step, out);
            double[] xx = new double[2 * in];
            double[] yy = new double[2 * out];
            for (int copy = 0; copy < 2; copy++) {
                System.arraycopy(x, 0, xx, copy * in, in);
                System.arraycopy(y, 0, yy, copy * out, out);
            }
            double loss = one.trainStep(x, y, 1);
            assertEquals(twice.trainStep(xx, yy, 2), loss, where + ": loss of step " + step);
            assertArrayEquals(parameters(twice), parameters(one), where + ": parameters after step " + step);
        }
    }

    /** One linear unit, whose gradient {@code 2 (w x + b - y) x} is easy to make overflow. */
    private static final String LINEAR = """
            network Linear {
                input x[1];
                target y[1];
                out = dense(x, 1);
                output out;
                loss mse(out, y);
                optimizer sgd(lr = 0.1, momentum = 0.5);
            }
            """;

    private final GeneratedClasses linear = GeneratedClasses.compile("linear.nn", LINEAR);

    private TrainableNetwork linear() {
        TrainableNetwork network = linear.newInstance("Linear");
        network.setParameters(new double[] {0.0, 0.0});
        return network;
    }

    @Test
    void anInfiniteGradientWithAFiniteLossIsNamedAndChangesNothing() {
        assertHasTrainOne(linear, "Linear");
        // out = 0, loss = 100, d loss / d out.weight = 20 * MAX_VALUE = infinity.
        NonFiniteTrainingException e =
                assertFailsLikeTheGeneralPath(new double[] {Double.MAX_VALUE}, new double[] {-10});
        assertEquals(NonFiniteTrainingException.Quantity.GRADIENT, e.quantity());
        assertEquals(Optional.of("out.weight"), e.parameterName());
        assertEquals(0, e.parameterIndex());
        assertEquals(Double.POSITIVE_INFINITY, e.value());
    }

    @Test
    void aFiniteGradientWhoseNormOverflowsIsRejectedToo() {
        // d loss / d out.weight = 20 * 1e200: finite, but its square is not.
        NonFiniteTrainingException e = assertFailsLikeTheGeneralPath(new double[] {1e200}, new double[] {-10});
        assertEquals(NonFiniteTrainingException.Quantity.GRADIENT, e.quantity());
        assertEquals(Optional.empty(), e.parameterName());
    }

    @Test
    void aNonFiniteLossIsReportedBeforeTheGradient() {
        NonFiniteTrainingException e =
                assertFailsLikeTheGeneralPath(new double[] {Double.MAX_VALUE}, new double[] {Double.NaN});
        assertEquals(NonFiniteTrainingException.Quantity.LOSS, e.quantity());
    }

    /**
     * The one-sample step and the general path throw the same exception; the network is left as
     * it was (parameters, momentum buffer, step count): its next steps are a fresh network's.
     */
    private NonFiniteTrainingException assertFailsLikeTheGeneralPath(double[] x, double[] y) {
        TrainableNetwork network = linear();
        TrainableNetwork general = linear();
        NonFiniteTrainingException fused =
                assertThrows(NonFiniteTrainingException.class, () -> network.trainStep(x, y, 1));
        NonFiniteTrainingException expected = assertThrows(
                NonFiniteTrainingException.class,
                () -> general.trainStep(new double[] {x[0], x[0]}, new double[] {y[0], y[0]}, 2));
        assertEquals(expected.getMessage(), fused.getMessage());
        assertEquals(1, fused.step());
        assertUnchanged(network);
        assertUnchanged(general);
        return fused;
    }

    /** {@code network} is as {@link #linear()} made it: parameters, momentum buffer and step count. */
    private void assertUnchanged(TrainableNetwork network) {
        assertArrayEquals(new double[] {0.0, 0.0}, parameters(network));
        TrainableNetwork fresh = linear();
        for (int step = 0; step < 3; step++) {
            double[] sx = {0.5 + step, -0.25};
            double[] sy = {1.0 - step, 0.5};
            int n = step % 2 + 1;
            assertEquals(fresh.trainStep(sx, sy, n), network.trainStep(sx, sy, n));
        }
        assertArrayEquals(parameters(fresh), parameters(network));
    }

    /**
     * The general path of a class with {@code trainOne} updates from locals too: the gradient
     * fields are read once, for the finiteness check and the update together, so the class has
     * no separate {@code gradientNorm} pass.
     */
    @Test
    void straightLineClassesReadTheGradientOnceForTheCheckAndTheUpdate() {
        for (GeneratedClasses classes : List.of(linear, Examples.compiled("perceptron.nn"))) {
            String name = classes == linear ? "Linear" : "Perceptron";
            boolean norm = Arrays.stream(classes.load(name).getDeclaredMethods())
                    .anyMatch(m -> m.getName().equals("gradientNorm"));
            assertTrue(!norm, name + " still has a gradientNorm pass");
        }
    }
}
