package dev.nnc.compiler.codegen;

import static dev.nnc.compiler.codegen.Networks.parameters;
import static dev.nnc.compiler.codegen.Networks.setThreads;
import static dev.nnc.compiler.codegen.Numerics.assertAllClose;
import static dev.nnc.compiler.codegen.Numerics.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A split batch of at most one tile computes the input layer by inputs (InputLayerSplit): each
 * part multiplies every sample's input with its share of the weight columns and computes its
 * share of the weight gradient, the rest of the step runs by samples. The step must follow the
 * one-thread step up to the order of its sums, give the same bits on every run, and leave no
 * state behind that a later step of another kind (a larger batch, split by samples, or one thread)
 * would trip over.
 */
class InputLayerSplitTest {
    /** 7,000 parameters: a part needs 29 samples to be split off (PartsEmitter.MIN_PART_WORK). */
    private static final String WIDE = "network Wide {\n"
            + "    input x[96];\n"
            + "    target y[10];\n"
            + "    hidden = dense(x, 64, activation = relu);\n"
            + "    second = dense(hidden, 12, activation = tanh);\n"
            + "    logits = dense(second, 10);\n"
            + "    output softmax(logits);\n"
            + "    loss cross_entropy(softmax(logits), y);\n"
            + "    optimizer sgd(lr = 0.05, momentum = 0.9);\n"
            + "}\n";

    private static String precision(String spec, String precision) {
        return precision.equals("float")
                ? spec.replace("network Wide {\n", "network Wide {\n    precision float;\n")
                : spec;
    }

    private static GeneratedClasses wide(String precision) {
        return GeneratedClasses.compile("wide_" + precision + ".nn", precision(WIDE, precision));
    }

    @Test
    void theInputLayerOfAPlainMlpIsSplitByInputs() {
        String source = wide("double").source("Wide");
        assertTrue(source.contains("private void computeInputPartials("), "no input layer split");
        assertTrue(source.contains("if (inputLayerSplit) {"), "the training kernel does not use the split");
    }

    @Test
    void aWeightWithARegulariserKeepsTheSampleSplit() {
        // Its gradient is the outer product plus the penalty's term, not the outer product alone.
        String spec = WIDE.replace(
                "loss cross_entropy(softmax(logits), y);",
                "loss cross_entropy(softmax(logits), y) + 1e-3 * l2(weights);");
        assertKeepsTheSampleSplit("wide_l2.nn", spec, "a regularised input layer was split by inputs");
    }

    @Test
    void anInputReadByTwoLayersKeepsTheSampleSplit() {
        String spec = WIDE.replace(
                "logits = dense(second, 10);",
                "skip = dense(x, 12);\n    mixed = second + skip;\n    logits = dense(mixed, 10);");
        assertKeepsTheSampleSplit("wide_skip.nn", spec, "an input read twice was split by inputs");
    }

    private static void assertKeepsTheSampleSplit(String file, String spec, String failure) {
        String source = GeneratedClasses.compile(file, spec).source("Wide");
        assertTrue(source.contains("public void setThreads("), "the class should still split batches");
        assertFalse(source.contains("computeInputPartials"), failure);
    }

    /**
     * One-tile batches of uneven sizes (split by inputs), a batch of two tiles (split by
     * samples) and a batch too small to split, in turn, on one thread and on two.
     */
    @ParameterizedTest
    @ValueSource(strings = {"double", "float"})
    void splitStepsOfEveryKindFollowOneThread(String precision) {
        GeneratedClasses classes = wide(precision);
        TrainableNetwork one = classes.newInstance("Wide");
        TrainableNetwork two = classes.newInstance("Wide");
        setThreads(two, 2);
        double rtol = precision.equals("float") ? 2e-4 : 1e-9;
        double atol = precision.equals("float") ? 1e-6 : 1e-13;
        int[] sizes = {64, 7, 61, 128, 40, 64};
        double[] gradientOne = new double[one.parameterCount()];
        double[] gradientTwo = new double[one.parameterCount()];
        for (int step = 0; step < sizes.length; step++) {
            int n = sizes[step];
            double[] xs = uniform(700 + step, n * 96);
            double[] ys = Numerics.oneHot(n, 10, 800 + step);
            double lossOne = one.gradient(xs, ys, n, gradientOne);
            double lossTwo = two.gradient(xs, ys, n, gradientTwo);
            assertEquals(lossOne, lossTwo, rtol * Math.abs(lossOne), "loss at step " + step + ", n = " + n);
            assertAllClose(gradientOne, gradientTwo, rtol, atol, "gradient at step " + step + ", n = " + n);
            one.trainStep(xs, ys, n);
            two.trainStep(xs, ys, n);
            assertAllClose(parameters(one), parameters(two), rtol, atol, "parameters after step " + step);
        }
    }

    @Test
    void splitStepsGiveTheSameBitsOnEveryRun() {
        GeneratedClasses classes = wide("float");
        TrainableNetwork first = classes.newInstance("Wide");
        TrainableNetwork second = classes.newInstance("Wide");
        setThreads(first, 2);
        setThreads(second, 2);
        for (int step = 0; step < 5; step++) {
            double[] xs = uniform(900 + step, 64 * 96);
            double[] ys = Numerics.oneHot(64, 10, 1000 + step);
            assertEquals(first.trainStep(xs, ys, 64), second.trainStep(xs, ys, 64), "loss at step " + step);
        }
        assertArrayEquals(parameters(first), parameters(second));
    }

    @Test
    void threePartsSplitTheInputsInThree() {
        GeneratedClasses classes = wide("double");
        TrainableNetwork one = classes.newInstance("Wide");
        TrainableNetwork three = classes.newInstance("Wide");
        setThreads(three, 3);
        for (int step = 0; step < 4; step++) {
            double[] xs = uniform(1100 + step, 64 * 96);
            double[] ys = Numerics.oneHot(64, 10, 1200 + step);
            double lossOne = one.trainStep(xs, ys, 64);
            double lossThree = three.trainStep(xs, ys, 64);
            assertEquals(lossOne, lossThree, 1e-12 * Math.abs(lossOne), "loss at step " + step);
        }
        assertAllClose(parameters(one), parameters(three), 1e-9, 1e-13, "parameters after 4 steps");
    }
}
