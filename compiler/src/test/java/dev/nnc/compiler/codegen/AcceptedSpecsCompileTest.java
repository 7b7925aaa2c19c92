package dev.nnc.compiler.codegen;

import static dev.nnc.compiler.codegen.Networks.parameters;
import static dev.nnc.compiler.codegen.Networks.setThreads;
import static dev.nnc.compiler.codegen.Numerics.assertAllClose;
import static dev.nnc.compiler.codegen.Numerics.assertAllFinite;
import static dev.nnc.compiler.codegen.Numerics.assertClose;
import static dev.nnc.compiler.codegen.Numerics.assertFinite;
import static dev.nnc.compiler.codegen.Numerics.floatExact;
import static dev.nnc.compiler.codegen.Numerics.gaussian;
import static dev.nnc.compiler.codegen.Numerics.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.autodiff.ReverseMode;
import dev.nnc.compiler.graph.Bindings;
import dev.nnc.compiler.graph.Evaluator;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.Lowering;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Symbol;
import dev.nnc.runtime.GradientCheck;
import dev.nnc.runtime.Network;
import dev.nnc.runtime.TrainableNetwork;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Accepted specs that once gave Java javac rejected, or an internal compiler error, each with
 * the shapes around it: inference-only networks of every kernel form, dropout at every position,
 * parameters and constants as layer inputs and in products, and softmax, log_softmax and the
 * losses on values of every kind, in networks of both precisions and in functions. Each spec is
 * compiled with javac (warnings are errors) and run: predictions and losses against the
 * reference interpreter, gradients against the reference and central differences (double),
 * float networks against their double twins (RELIABILITY.md 1.5), parameters through
 * {@code setParameters}/{@code getParameters}, a training step, and a batch split across two
 * threads where the class splits batches.
 */
class AcceptedSpecsCompileTest {
    /** Two tiles of 64 samples and a partial one. */
    private static final int BATCH = 70;

    /** Values and reference gradients: the same mathematics in another order of operations. */
    private static final double REFERENCE_RTOL = 1e-9;

    private static final double REFERENCE_ATOL = 1e-12;
    /** A float network against its double twin (RELIABILITY.md 1.5). */
    private static final double TWIN_RTOL = 1e-4;

    private static final double TWIN_ATOL = 1e-5;

    /**
     * Inference-only networks: unrolled, loops without weight products, tiled (the first failure:
     * {@code ACCUMULATE} in {@code Parts}), wide and large enough to be split into parts.
     */
    private static final Map<String, String> INFERENCE = specs(
            "InfTiny",
            "input x[2]; h = dense(x, 3, activation = tanh); output h;",
            "InfLoop",
            "input x[300]; h = tanh(x) * 2 + x; output h;",
            "InfTiled",
            "input x[17]; h = dense(x, 4); output h;",
            "InfWide",
            "input x[100]; h = dense(x, 64, activation = relu); o = dense(h, 10); output softmax(o);",
            "InfBig",
            "input x[600]; h = dense(x, 300, activation = sigmoid); o = dense(h, 20); output o;",
            "InfDropout",
            "input x[20]; h = dropout(dense(x, 30), 0.5); output h;",
            "InfParamLayer",
            "input x[20]; param v[7] = uniform(-1, 1); h = dense(v, 25); g = dense(x, 25); output h + g;",
            "InfTwoInputs",
            "input a[20]; input b[9]; h = dense(a, 12); g = dense(b, 12); output h * g;",
            "InfRbf",
            "input x[30]; h = rbf(x, 20); o = dense(h, 3); output o;",
            "InfScalarOut",
            "input x[40]; h = dense(x, 1); output h;");

    /**
     * Dropout after narrow (unrolled) and wide (tiled) layers, as the output (the second failure:
     * the gradient kernel split its input layer in a class that never splits batches), in the
     * middle, before the loss, twice, on the input, a parameter and a scalar, and after a layer
     * over a parameter in a class with a large parameter.
     */
    private static final Map<String, String> DROPOUT = specs(
            "DropNarrowOut",
            "input x[3]; h = dense(x, 4); d = dropout(h, 0.5); output d; target y[4]; loss mse(d, y);",
            "DropWideOut",
            "input x[5]; h = dense(x, 17); d = dropout(h, 0.5); output d; target y[17]; loss mse(d, y);",
            "DropWideMid",
            "input x[30]; h = dense(x, 40, activation = relu); d = dropout(h, 0.3); o = dense(d, 3); output o;"
                    + " target y[3]; loss mse(o, y);",
            "DropBeforeLoss",
            "input x[30]; h = dense(x, 20); output h; target y[20]; d = dropout(h, 0.2); loss mse(d, y);",
            "DropTwice",
            "input x[30]; h = dense(x, 20); d = dropout(dropout(h, 0.2), 0.4); output d; target y[20];"
                    + " loss mse(d, y);",
            "DropTwiceNarrow",
            "input x[3]; h = dense(x, 2); d = dropout(dropout(h, 0.2), 0.4); output d; target y[2];"
                    + " loss mse(d, y);",
            "DropInput",
            "input x[30]; d = dropout(x, 0.2); h = dense(d, 20); output h; target y[20]; loss mse(h, y);",
            "DropSoftmax",
            "input x[30]; h = dense(x, 20); d = dropout(h, 0.2); output softmax(d); target y[20];"
                    + " loss cross_entropy(softmax(d), y);",
            "DropZero",
            "input x[30]; h = dense(x, 20); d = dropout(h, 0); output d; target y[20]; loss mse(d, y);",
            "DropParam",
            "input x[30]; param v[20] = uniform(-1, 1); h = dense(x, 20); d = dropout(v, 0.5); output h + d;"
                    + " target y[20]; loss mse(h + d, y);",
            "DropScalar",
            "input x[30]; h = dense(x, 1); d = dropout(h, 0.5); output d; target y[1]; loss mse(d, y);",
            "DropAfterParamLayer",
            // The training kernel clears the gradient of u.weight on the first tile, the gradient
            // kernel (no dropout) only adds to it: the flag that marks the first tile was missing.
            "input x[2]; target y[2]; param big[257, 6]; param v[1]; h = dropout(dense(v, 3), 0.5);"
                    + " u = dense(h, 2); output u; loss mse(u, y) + 1e-3 * l2(big);",
            "DropWideHidden",
            "input x[100]; h = dense(x, 80, activation = tanh); d = dropout(h, 0.5); o = dense(d, 10); output o;"
                    + " target y[10]; loss cross_entropy(softmax(o), y);");

    /**
     * Parameters and constants as layer inputs and in products (the third failure: a softmax of
     * logits of parameters alone was computed once per tile together with a per-sample loss).
     */
    private static final Map<String, String> PARAMETERS = specs(
            "ParamLayerCe",
            "input x[2]; param v[7] = uniform(-1, 1); h = dense(v, 25); output h; target y[25];"
                    + " loss cross_entropy(softmax(h), y);",
            "ParamLayerCeSmall",
            "input x[2]; param v[3] = uniform(-1, 1); h = dense(v, 4); output h; target y[4];"
                    + " loss cross_entropy(softmax(h), y);",
            "ParamLayerMse",
            "input x[20]; param v[7] = uniform(-1, 1); h = dense(v, 25); g = dense(x, 25); output h + g;"
                    + " target y[25]; loss mse(h + g, y);",
            "ParamLayerLogSoftmax",
            "input x[20]; param v[7] = uniform(-1, 1); h = dense(v, 25); g = dense(x, 25); output h;"
                    + " target y[25]; loss -sum(y * log_softmax(h + g));",
            "ParamLayerBce",
            "input x[20]; param v[7] = uniform(-1, 1); h = dense(v, 25); output h; target y[25];"
                    + " loss binary_cross_entropy(sigmoid(h), y);",
            "ParamProduct",
            "input x[20]; param A[25, 20]; param v[20] = uniform(-1, 1); h = A @ (v * x) + A @ v; output h;"
                    + " target y[25]; loss mse(h, y);",
            "ParamMatMul",
            "input x[20]; param A[25, 10]; param B[10, 20]; h = (A @ B) @ x; output h; target y[25];"
                    + " loss mse(h, y);",
            "ParamOnly",
            "input x[20]; param v[30] = uniform(-1, 1); param W[30, 30]; h = W @ v; output h; target y[30];"
                    + " loss mse(h, y) + sum(x) * 0;",
            "ParamProductBias",
            // The gradient of u, A^T d_g + 1, is left by the tiled product in its own array (the
            // bias added as it starts): its sink must not add the bias a second time.
            "input x[2]; param A[3, 3]; param u[3] = normal(1, 2); g = A @ u; h = dense(x, 257); output g;"
                    + " target y[3]; loss mse(g, y) + sum(u) + 1e-3 * sum(h);",
            "ConstLayer",
            "input x[20]; const c = 3; h = dense(x * c, 25); o = dense(h * c + c, 4); output o; target y[4];"
                    + " loss mse(o, y);",
            "ParamScaleLayer",
            "input x[20]; param s = constant(0.5); h = dense(x * s, 25); output h; target y[25];"
                    + " loss cross_entropy(softmax(h), y);",
            "LogSoftmaxParam",
            "input x[2]; param v[30] = uniform(-1, 1); output log_softmax(v); target y[30];"
                    + " loss -sum(y * log_softmax(v));",
            "SoftmaxOfParamAndOut",
            "input x[20]; param v[25] = uniform(-1, 1); h = dense(x, 25); output softmax(v); target y[25];"
                    + " loss cross_entropy(softmax(v), y) + mse(h, y);",
            "PenaltyOnParamProduct",
            // The gradient of part, score^T (d of score @ part), is a product of parameters read
            // only by its sink; a tiled kernel fused it into the sink as if it were per sample and
            // stopped on an internal error (accepted-specs campaign, seed 35011).
            "input v[7]; param y[65]; param score[2, 4] = normal(1, 2); param part[4, 2]; W1 = dense(y, 3);"
                    + " out = dense(W1, 5); output out; loss norm2(out) + sum(score @ part);",
            "ParamNamedAsALoopVariable",
            // Names this long split the kernel into methods, whose loops run over c, only in the
            // real pass: the shorter probe names had left it unrolled, so c was not reserved and
            // the loop variable shadowed the parameter (campaign, JAVA_NAMES:3481531842523676977).
            "input oyTo[2]; target multiply[5]; param c[5]; param volatile[4] = zeros;"
                    + " stateValuesPart = dropout(dense(volatile, 4, activation = cos), 0);"
                    + " shared = step(dense(c, 5, activation = relu)); output shared;"
                    + " loss sse(shared, multiply) + 0.01 * l2(weights);");

    /** Softmax and cross-entropy on values of every kind in networks, small (unrolled) and tiled. */
    private static final Map<String, String> SOFTMAX = specs(
            "SoftmaxTarget",
            "input x[20]; h = dense(x, 25); output h; target y[25]; loss cross_entropy(softmax(h), softmax(y));",
            "CeBothSoftmax",
            "input x[20]; h = dense(x, 25); g = dense(x, 25); output softmax(h); target y[25];"
                    + " loss cross_entropy(softmax(h), softmax(g));",
            "CeBothSoftmaxSmall",
            "input x[2]; h = dense(x, 3); g = dense(x, 3); output softmax(h); target y[3];"
                    + " loss cross_entropy(softmax(h), softmax(g));",
            "CeTargetOfOutput",
            "input x[20]; h = dense(x, 25); g = dense(x, 25); output softmax(h); target y[25];"
                    + " loss cross_entropy(softmax(g), softmax(h));",
            "CeTwoTargets",
            "input x[20]; h = dense(x, 30); output softmax(h); target y[30]; target z[30];"
                    + " loss cross_entropy(softmax(h), y) + cross_entropy(softmax(h), z);",
            "CeTwoTargetsSmall",
            "input x[2]; h = dense(x, 3); output softmax(h); target y[3]; target z[3];"
                    + " loss cross_entropy(softmax(h), y) + cross_entropy(softmax(h), z);");

    /**
     * Functions (always double): softmax, log_softmax and the losses on arguments and on
     * computed values (the fourth failure: a cross-entropy read its target's softmax before it
     * was computed).
     */
    private static final String FUNCTIONS = """
            function FCeSoftSoft(v[4], w[4]) = cross_entropy(softmax(v), softmax(w));
            function FCeSoftSame(v[4]) = cross_entropy(softmax(v), softmax(v));
            function FCeSoftPlain(v[4], w[4]) = cross_entropy(softmax(v), w);
            function FCePlainSoft(v[4], w[4]) = cross_entropy(v * v + 1, softmax(w));
            function FCeSoftSumW(v[4], w[4]) = cross_entropy(softmax(v), softmax(v + w)) + sum(softmax(v));
            function FLogSoftmax(v[5], w[5]) = dot(log_softmax(v), softmax(w)) + sum(log_softmax(w));
            function FBce(v[4], w[4]) = binary_cross_entropy(sigmoid(v), sigmoid(w));
            function FMseSoft(v[4], w[4]) = mse(softmax(v), softmax(w)) + sse(log_softmax(v), w);
            function FSoftSoft(v[4]) = sum(softmax(softmax(v)) * v);
            function FCeBig(v[200], w[200]) = cross_entropy(softmax(v), softmax(w));
            function FCeBigSame(v[200]) = cross_entropy(softmax(v), softmax(v)) + cross_entropy(softmax(v * 2), softmax(v));
            function FCeChain(v[4], w[4]) {
                p = softmax(w);
                a = cross_entropy(softmax(v), p);
                b = cross_entropy(softmax(w), softmax(v));
                return a * b;
            }
            function FCeScalarMix(x, v[3]) = cross_entropy(softmax(v * x), softmax(v + x));
            """;

    /** Class name (with its precision) to the spec's file, for the compiled classes. */
    private static final Map<String, String> FILES = new LinkedHashMap<>();

    private static final Map<String, String> TEXTS = new LinkedHashMap<>();

    static {
        register("inference.nn", INFERENCE);
        register("dropout.nn", DROPOUT);
        register("parameters.nn", PARAMETERS);
        register("softmax.nn", SOFTMAX);
    }

    /** {@code name, body, name, body, ...} in order. */
    private static Map<String, String> specs(String... namesAndBodies) {
        Map<String, String> specs = new LinkedHashMap<>();
        for (int i = 0; i < namesAndBodies.length; i += 2) {
            specs.put(namesAndBodies[i], namesAndBodies[i + 1]);
        }
        return specs;
    }

    /** Every network in double ({@code NameDouble}) and float ({@code NameFloat}), one file per group. */
    private static void register(String file, Map<String, String> specs) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> spec : specs.entrySet()) {
            boolean trainable = spec.getValue().contains("loss ");
            for (String precision : List.of("double", "float")) {
                String name = spec.getKey() + Character.toUpperCase(precision.charAt(0)) + precision.substring(1);
                text.append("network ")
                        .append(name)
                        .append(" { precision ")
                        .append(precision)
                        .append("; ")
                        .append(spec.getValue())
                        .append(trainable ? " optimizer sgd(lr = 0.01);" : "")
                        .append(" seed 7; }\n");
                FILES.put(name, file);
            }
        }
        TEXTS.put(file, text.toString());
    }

    static Stream<Arguments> inferenceNetworks() {
        return INFERENCE.keySet().stream().map(Arguments::of);
    }

    static Stream<Arguments> trainableNetworks() {
        return Stream.of(DROPOUT, PARAMETERS, SOFTMAX)
                .flatMap(group -> group.keySet().stream().map(Arguments::of));
    }

    static Stream<Arguments> functions() {
        return Examples.check("accepted_functions.nn", FUNCTIONS).declarations().stream()
                .map(d -> Arguments.of(d.name()));
    }

    /** Two cross-entropies of one softmax's logits: the softmax is computed with one of them only. */
    @Test
    void aSoftmaxIsComputedWithOneCrossEntropyOnly() {
        String source = Examples.compiled("accepted_softmax.nn", TEXTS.get("softmax.nn"))
                .source("CeTwoTargetsDouble");
        String shared = "sharing exp(z - max) with the softmax";
        assertEquals(source.indexOf(shared), source.lastIndexOf(shared), "one shared pass, in trainTile");
        assertTrue(source.contains(shared), source);
    }

    private static <T> T instance(String className) {
        String file = FILES.get(className);
        return Examples.compiled("accepted_" + file, TEXTS.get(file)).newInstance(className);
    }

    private static Declaration.Network declaration(String className) {
        String file = FILES.get(className);
        return (Declaration.Network) Examples.check("accepted_" + file, TEXTS.get(file)).declarations().stream()
                .filter(d -> d.name().equals(className))
                .findFirst()
                .orElseThrow();
    }

    @ParameterizedTest
    @MethodSource("inferenceNetworks")
    void inferenceOnlyNetworkCompilesAndPredictsLikeTheReference(String name) {
        Network network = instance(name + "Double");
        assertFalse(network instanceof TrainableNetwork, name + " has no loss");
        double[] xs = gaussian(1, BATCH * network.inputSize());
        double[] parameters = roundTrip(network);
        assertPredictsLikeTheReference(network, declaration(name + "Double"), parameters, xs);
        assertFloatTwinPredicts(name, parameters, xs);
        assertSplitPredictionIsExact(name + "Double");
        assertSplitPredictionIsExact(name + "Float");
    }

    @ParameterizedTest
    @MethodSource("trainableNetworks")
    void trainableNetworkCompilesAndItsGradientMatchesCentralDifferences(String name) {
        TrainableNetwork network = instance(name + "Double");
        Declaration.Network declaration = declaration(name + "Double");
        double[] xs = gaussian(2, BATCH * network.inputSize());
        double[] ys = uniform(3, BATCH * network.targetSize());
        double[] parameters = roundTrip(network);
        assertPredictsLikeTheReference(network, declaration, parameters, xs);
        NetworkReference reference = new NetworkReference(declaration);
        assertClose(
                reference.meanLoss(parameters, xs, ys, BATCH),
                network.loss(xs, ys, BATCH),
                REFERENCE_RTOL,
                REFERENCE_ATOL,
                name + ": loss");
        if (!Examples.hasDropout(declaration)) {
            // The reference differentiates the training graph, whose unbound dropout masks keep
            // every unit scaled; gradient() is that of loss(), without dropout.
            double[] gradient = new double[network.parameterCount()];
            network.gradient(xs, ys, BATCH, gradient);
            assertAllClose(
                    reference.meanGradient(parameters, xs, ys, BATCH),
                    gradient,
                    REFERENCE_RTOL,
                    REFERENCE_ATOL,
                    name + ": gradient against the reference");
        }
        GradientCheck.Result check = GradientCheck.check(
                network, xs, ys, BATCH, GradientCheck.Options.defaults().withSubset(400, 5));
        assertTrue(check.passed(), () -> name + ": " + check);

        assertFloatTwinTrains(name, parameters, xs, ys);
        assertSplitGradientFollowsOneThread(name + "Double", 1e-9);
        assertSplitGradientFollowsOneThread(name + "Float", 1e-4);
        assertTrainStepMovesTheParameters(network, xs, ys, name + "Double");
    }

    @ParameterizedTest
    @MethodSource("functions")
    void functionCompilesAndItsGradientMatchesCentralDifferences(String name) {
        GeneratedClasses generated = Examples.compiled("accepted_functions.nn", FUNCTIONS);
        Declaration.Function function =
                (Declaration.Function) Examples.check("accepted_functions.nn", FUNCTIONS).declarations().stream()
                        .filter(d -> d.name().equals(name))
                        .findFirst()
                        .orElseThrow();
        Graph graph = ReverseMode.differentiateValue(Lowering.lower(function), function);
        Random random = new Random(11);
        for (int sample = 0; sample < 3; sample++) {
            double[] flat = new double
                    [function.arguments().stream()
                            .mapToInt(a -> a.shape().size())
                            .sum()];
            for (int i = 0; i < flat.length; i++) {
                flat[i] = 1.2 * random.nextGaussian();
            }
            String where = name + " at sample " + sample;
            Evaluator.Values expected = Evaluator.evaluate(graph, bindings(function, flat));
            double value = value(generated, function, flat);
            assertClose(expected.scalar(Output.Kind.VALUE), value, REFERENCE_RTOL, REFERENCE_ATOL, where + ": value");
            double[] grad = new double[flat.length];
            double returned = gradient(generated, function, flat, grad);
            assertClose(value, returned, REFERENCE_RTOL, REFERENCE_ATOL, where + ": value returned by gradient");
            List<Double> reference = new ArrayList<>();
            for (Symbol.Argument argument : function.arguments()) {
                Arrays.stream(expected.gradient(argument.name())).forEach(reference::add);
            }
            assertAllClose(
                    reference.stream().mapToDouble(Double::doubleValue).toArray(),
                    grad,
                    REFERENCE_RTOL,
                    REFERENCE_ATOL,
                    where + ": gradient against the reference");
            // Central differences, eps 1e-6, PyTorch's |a - n| <= 1e-5 + 1e-3 |n| (RELIABILITY.md G1).
            double eps = 1e-6;
            for (int i = 0; i < flat.length; i++) {
                double[] plus = flat.clone();
                double[] minus = flat.clone();
                plus[i] += eps;
                minus[i] -= eps;
                double numeric = (value(generated, function, plus) - value(generated, function, minus)) / (2 * eps);
                assertClose(numeric, grad[i], 1e-3, 1e-5, where + ": gradient[" + i + "] against central differences");
            }
        }
    }

    /** Sets float-exact parameters and reads them back; returns them. */
    private static double[] roundTrip(Network network) {
        double[] parameters = floatExact(parameters(network));
        for (int i = 0; i < parameters.length; i++) {
            // Distinct values, so that a copy from the wrong place cannot round-trip by chance.
            parameters[i] = (float) (parameters[i] + 1e-3 * (i % 7));
        }
        network.setParameters(parameters);
        assertArrayEquals(parameters, parameters(network), network.name() + ": parameters round-trip");
        return parameters;
    }

    private static void assertPredictsLikeTheReference(
            Network network, Declaration.Network declaration, double[] parameters, double[] xs) {
        NetworkReference reference = new NetworkReference(declaration);
        double[] outputs = new double[BATCH * network.outputSize()];
        network.predict(xs, BATCH, outputs);
        for (int row = 0; row < BATCH; row++) {
            double[] expected = reference.predict(parameters, xs, row);
            double[] actual = Arrays.copyOfRange(outputs, row * expected.length, (row + 1) * expected.length);
            assertAllClose(expected, actual, REFERENCE_RTOL, REFERENCE_ATOL, network.name() + ": output " + row);
        }
        double[] one = new double[network.outputSize()];
        network.predict(Arrays.copyOf(xs, network.inputSize()), one);
        assertArrayEquals(Arrays.copyOf(outputs, one.length), one, network.name() + ": one-sample prediction");
    }

    private static void assertFloatTwinPredicts(String name, double[] parameters, double[] xs) {
        Network twin = instance(name + "Float");
        Network exact = instance(name + "Double");
        twin.setParameters(parameters);
        exact.setParameters(parameters);
        double[] fxs = floatExact(xs);
        double[] expected = new double[BATCH * exact.outputSize()];
        double[] actual = new double[BATCH * twin.outputSize()];
        exact.predict(fxs, BATCH, expected);
        twin.predict(fxs, BATCH, actual);
        assertAllClose(expected, actual, TWIN_RTOL, TWIN_ATOL, name + "Float: outputs against the double twin");
    }

    private static void assertFloatTwinTrains(String name, double[] parameters, double[] xs, double[] ys) {
        assertFloatTwinPredicts(name, parameters, xs);
        TrainableNetwork twin = instance(name + "Float");
        TrainableNetwork exact = instance(name + "Double");
        twin.setParameters(parameters);
        exact.setParameters(parameters);
        double[] fxs = floatExact(xs);
        double[] fys = floatExact(ys);
        double[] expected = new double[exact.parameterCount()];
        double[] actual = new double[twin.parameterCount()];
        double expectedLoss = exact.gradient(fxs, fys, BATCH, expected);
        double actualLoss = twin.gradient(fxs, fys, BATCH, actual);
        assertClose(expectedLoss, actualLoss, TWIN_RTOL, TWIN_ATOL, name + "Float: loss against the double twin");
        assertAllClose(expected, actual, TWIN_RTOL, TWIN_ATOL, name + "Float: gradient against the double twin");
        assertTrainStepMovesTheParameters(twin, fxs, fys, name + "Float");
    }

    private static void assertTrainStepMovesTheParameters(
            TrainableNetwork network, double[] xs, double[] ys, String name) {
        double[] before = parameters(network);
        for (int step = 0; step < 3; step++) {
            assertFinite(network.trainStep(xs, ys, BATCH), name + ": loss of step " + step);
        }
        network.trainStep(Arrays.copyOf(xs, network.inputSize()), Arrays.copyOf(ys, network.targetSize()), 1);
        double[] after = parameters(network);
        assertAllFinite(after, name + ": parameters after training");
        assertFalse(Arrays.equals(before, after), name + ": training changed no parameter");
    }

    /**
     * A class that splits batches ({@code setThreads}) predicts a batch large enough to split
     * exactly as with one thread.
     */
    private static void assertSplitPredictionIsExact(String className) {
        Network one = instance(className);
        Network two = instance(className);
        if (!splitsBatches(two)) {
            return;
        }
        setThreads(two, 2);
        int n = splitBatch(two);
        double[] xs = gaussian(4, n * one.inputSize());
        double[] expected = new double[n * one.outputSize()];
        double[] actual = new double[n * one.outputSize()];
        one.predict(xs, n, expected);
        two.predict(xs, n, actual);
        assertArrayEquals(expected, actual, className + ": prediction split across two threads");
    }

    /** As {@link #assertSplitPredictionIsExact}, for gradients, up to the order of their sums. */
    private static void assertSplitGradientFollowsOneThread(String className, double rtol) {
        TrainableNetwork one = instance(className);
        TrainableNetwork two = instance(className);
        if (!splitsBatches(two)) {
            return;
        }
        setThreads(two, 2);
        int n = splitBatch(two);
        double[] xs = floatExact(gaussian(5, n * one.inputSize()));
        double[] ys = floatExact(uniform(6, n * one.targetSize()));
        double[] expected = new double[one.parameterCount()];
        double[] actual = new double[two.parameterCount()];
        double expectedLoss = one.gradient(xs, ys, n, expected);
        double actualLoss = two.gradient(xs, ys, n, actual);
        assertClose(expectedLoss, actualLoss, rtol, 0, className + ": loss split across two threads");
        assertAllClose(expected, actual, rtol, rtol * 1e-3, className + ": gradient split across two threads");
        one.trainStep(xs, ys, n);
        two.trainStep(xs, ys, n);
        assertAllClose(
                parameters(one), parameters(two), rtol, rtol * 1e-3, className + ": step split across two threads");
    }

    private static boolean splitsBatches(Network network) {
        return Arrays.stream(network.getClass().getMethods())
                .anyMatch(m -> m.getName().equals("setThreads"));
    }

    /** A batch that a two-thread instance splits: two parts of {@code MIN_PART_SAMPLES}. */
    private static int splitBatch(Network network) {
        try {
            java.lang.reflect.Field field = network.getClass().getDeclaredField("MIN_PART_SAMPLES");
            field.setAccessible(true);
            return 2 * field.getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static Bindings bindings(Declaration.Function function, double[] flat) {
        Map<String, double[]> values = new HashMap<>();
        int offset = 0;
        for (Symbol.Argument argument : function.arguments()) {
            int size = argument.shape().size();
            values.put(argument.name(), Arrays.copyOfRange(flat, offset, offset + size));
            offset += size;
        }
        return Bindings.of(values);
    }

    /** The arguments of a generated function's methods: a {@code double} or a {@code double[]} each. */
    private static Object[] arguments(Declaration.Function function, double[] flat) {
        List<Object> arguments = new ArrayList<>();
        int offset = 0;
        for (Symbol.Argument argument : function.arguments()) {
            int size = argument.shape().size();
            arguments.add(
                    argument.shape().isScalar()
                            ? (Object) flat[offset]
                            : Arrays.copyOfRange(flat, offset, offset + size));
            offset += size;
        }
        return arguments.toArray();
    }

    private static Class<?>[] types(Declaration.Function function) {
        return function.arguments().stream()
                .map(a -> a.shape().isScalar() ? double.class : double[].class)
                .toArray(Class<?>[]::new);
    }

    private static double value(GeneratedClasses generated, Declaration.Function function, double[] flat) {
        return invoke(generated, function.name(), "value", types(function), arguments(function, flat));
    }

    private static double gradient(
            GeneratedClasses generated, Declaration.Function function, double[] flat, double[] grad) {
        Class<?>[] types = Arrays.copyOf(types(function), function.arguments().size() + 1);
        types[types.length - 1] = double[].class;
        Object[] arguments = Arrays.copyOf(arguments(function, flat), types.length);
        arguments[arguments.length - 1] = grad;
        return invoke(generated, function.name(), "gradient", types, arguments);
    }

    private static double invoke(
            GeneratedClasses generated, String className, String method, Class<?>[] types, Object[] arguments) {
        try {
            Method m = generated.load(className).getMethod(method, types);
            return assertInstanceOf(Double.class, m.invoke(null, arguments));
        } catch (InvocationTargetException e) {
            throw new AssertionError(className + "." + method + " threw", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(className + "." + method + " not found", e);
        }
    }

    /** The split paths above run only where a class splits batches; these do. */
    @Test
    void tiledClassesWithoutDropoutSplitBatches() {
        for (String name : List.of("InfTiledDouble", "InfTiledFloat", "InfWideDouble", "ParamLayerCeDouble")) {
            assertTrue(splitsBatches(instance(name)), name + " has setThreads, so its Parts class is exercised");
        }
        assertFalse(splitsBatches(instance("DropWideOutDouble")), "dropout keeps a class from splitting");
    }
}
