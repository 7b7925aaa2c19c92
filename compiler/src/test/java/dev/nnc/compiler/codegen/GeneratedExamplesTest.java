package dev.nnc.compiler.codegen;

import static dev.nnc.compiler.codegen.Networks.parameters;
import static dev.nnc.compiler.codegen.Numerics.assertAllClose;
import static dev.nnc.compiler.codegen.Numerics.assertAllFinite;
import static dev.nnc.compiler.codegen.Numerics.assertClose;
import static dev.nnc.compiler.codegen.Numerics.assertFinite;
import static dev.nnc.compiler.codegen.Numerics.gaussian;
import static dev.nnc.compiler.codegen.Numerics.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.GeneratedFile;
import dev.nnc.compiler.autodiff.ReverseMode;
import dev.nnc.compiler.codegen.Examples.NetworkCase;
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
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example of {@code examples/} generates, compiles without warnings and runs; its networks
 * agree with the reference evaluator (RELIABILITY G3: rtol 1e-12 on values) and pass central
 * finite differences (G6, PyTorch tolerances); its functions agree with the evaluator, central
 * differences and their closed forms.
 */
class GeneratedExamplesTest {
    private static final int BATCH = 3;
    private static final long DATA_SEED = 20_241_122L;

    /** G3: generated forward values against the reference evaluator. */
    private static final double VALUE_RTOL = 1e-12;

    private static final double GRADIENT_RTOL = 1e-9;
    private static final double GRADIENT_ATOL = 1e-12;

    static Stream<String> exampleFiles() {
        return Examples.files().stream();
    }

    static Stream<NetworkCase> networks() {
        return Examples.networks().stream();
    }

    static Stream<NetworkCase> trainableNetworks() {
        return Examples.trainableNetworks().stream();
    }

    static Stream<NetworkCase> trainableNetworksWithoutDropout() {
        return Examples.trainableNetworksWithoutDropout().stream();
    }

    static Stream<NetworkCase> trainableNetworksWithDropout() {
        return Examples.trainableNetworksWithDropout().stream();
    }

    @ParameterizedTest
    @MethodSource("exampleFiles")
    void everyExampleGeneratesOneClassPerDeclarationThatCompilesWithoutWarningsAndRuns(String file) {
        GeneratedClasses generated = Examples.compiled(file); // javac -Xlint:all -Werror
        List<Declaration> declarations = Examples.checked(file).declarations();
        assertEquals(
                declarations.stream().map(Declaration::name).toList(),
                generated.files().stream().map(GeneratedFile::className).toList());
        for (Declaration declaration : declarations) {
            Class<?> type = generated.load(declaration.name());
            assertTrue(Modifier.isPublic(type.getModifiers()) && Modifier.isFinal(type.getModifiers()), type::getName);
            if (declaration instanceof Declaration.Network network) {
                Network instance = generated.newInstance(network.name());
                assertEquals(network.isTrainable(), instance instanceof TrainableNetwork, network.name());
                double[] xs = gaussian(DATA_SEED, BATCH * instance.inputSize());
                double[] outs = new double[BATCH * instance.outputSize()];
                instance.predict(xs, BATCH, outs);
                assertAllFinite(outs, network.name() + " predictions");
                if (instance instanceof TrainableNetwork trainable) {
                    double[] ys = uniform(DATA_SEED + 1, BATCH * trainable.targetSize());
                    assertFinite(trainable.loss(xs, ys, BATCH), network.name() + " loss");
                    assertFinite(trainable.trainStep(xs, ys, BATCH), network.name() + " trainStep loss");
                    assertFinite(trainable.loss(xs, ys, BATCH), network.name() + " loss after a step");
                }
            } else {
                Declaration.Function function = (Declaration.Function) declaration;
                Object[] point = point(function, new Random(DATA_SEED));
                assertFinite(invokeValue(generated, function, point), function.name() + ".value");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("networks")
    void networkMetadataMatchesTheSpec(NetworkCase c) throws ReflectiveOperationException {
        Network network = c.classes().newInstance(c.className());
        Declaration.Network spec = c.declaration();
        Class<?> type = c.classes().load(c.className());
        assertEquals(spec.name(), network.name());
        assertEquals(spec.inputSize(), network.inputSize());
        assertEquals(spec.outputSize(), network.outputSize());
        assertEquals(spec.targetSize(), network.targetSize());
        assertEquals(spec.parameterCount(), network.parameterCount());
        List<String> names = spec.parameters().stream().map(Symbol.Param::name).toList();
        assertEquals(names, network.parameterNames());
        assertEquals(names, type.getField("PARAMETER_NAMES").get(null));
        assertEquals(spec.inputSize(), type.getField("INPUT_SIZE").getInt(null));
        assertEquals(spec.targetSize(), type.getField("TARGET_SIZE").getInt(null));
        assertEquals(spec.outputSize(), type.getField("OUTPUT_SIZE").getInt(null));
        assertEquals(spec.parameterCount(), type.getField("PARAMETER_COUNT").getInt(null));
        for (int i = 0; i < names.size(); i++) {
            assertArrayEquals(
                    spec.parameters().get(i).shape().dims(),
                    network.parameterShapes().get(i),
                    names.get(i));
        }
    }

    @ParameterizedTest
    @MethodSource("networks")
    void predictionsAreFiniteAndEqualTheReferenceEvaluator(NetworkCase c) {
        Network network = c.classes().newInstance(c.className());
        NetworkReference reference = new NetworkReference(c.declaration());
        double[] parameters = parameters(network);
        double[] xs = gaussian(DATA_SEED, BATCH * network.inputSize());
        double[] outs = new double[BATCH * network.outputSize()];
        network.predict(xs, BATCH, outs);
        int width = network.outputSize();
        for (int row = 0; row < BATCH; row++) {
            double[] x = Arrays.copyOfRange(xs, row * network.inputSize(), (row + 1) * network.inputSize());
            double[] out = new double[width];
            network.predict(x, out);
            assertAllFinite(out, c + " row " + row);
            assertArrayEquals(
                    out, Arrays.copyOfRange(outs, row * width, (row + 1) * width), c + ": batch vs one-sample predict");
            assertAllClose(reference.predict(parameters, xs, row), out, VALUE_RTOL, 0, c + " prediction row " + row);
        }
    }

    @ParameterizedTest
    @MethodSource("trainableNetworks")
    void lossEqualsTheReferenceMeanLossWithoutDropout(NetworkCase c) {
        TrainableNetwork network = c.classes().newInstance(c.className());
        NetworkReference reference = new NetworkReference(c.declaration());
        double[] xs = gaussian(DATA_SEED, BATCH * network.inputSize());
        double[] ys = uniform(DATA_SEED + 1, BATCH * network.targetSize());
        double loss = network.loss(xs, ys, BATCH);
        assertFinite(loss, c + " loss");
        assertClose(reference.meanLoss(parameters(network), xs, ys, BATCH), loss, VALUE_RTOL, 0, c + " loss");
    }

    @ParameterizedTest
    @MethodSource("trainableNetworksWithoutDropout")
    void gradientEqualsTheReferenceMeanGradient(NetworkCase c) {
        TrainableNetwork network = c.classes().newInstance(c.className());
        NetworkReference reference = new NetworkReference(c.declaration());
        double[] parameters = parameters(network);
        double[] xs = gaussian(DATA_SEED, BATCH * network.inputSize());
        double[] ys = uniform(DATA_SEED + 1, BATCH * network.targetSize());
        double[] grad = new double[network.parameterCount()];
        double loss = network.gradient(xs, ys, BATCH, grad);
        assertClose(reference.meanLoss(parameters, xs, ys, BATCH), loss, VALUE_RTOL, 0, c + ": gradient's loss");
        assertAllFinite(grad, c + " gradient");
        assertAllClose(
                reference.meanGradient(parameters, xs, ys, BATCH), grad, GRADIENT_RTOL, GRADIENT_ATOL, c + " gradient");
    }

    /** G6: every trainable network, dropout included, against central differences of {@code loss}. */
    @ParameterizedTest
    @MethodSource("trainableNetworks")
    void gradientPassesCentralDifferencesOfLoss(NetworkCase c) {
        TrainableNetwork network = c.classes().newInstance(c.className());
        double[] xs = gaussian(DATA_SEED, BATCH * network.inputSize());
        double[] ys = uniform(DATA_SEED + 1, BATCH * network.targetSize());
        // PyTorch's gradcheck tolerances; the MNIST twin (235k parameters) on a seeded subset.
        GradientCheck.Options options = GradientCheck.Options.defaults().withSubset(400, 3);
        GradientCheck.Result result = GradientCheck.check(network, xs, ys, BATCH, options);
        assertTrue(result.passed(), () -> c + ": " + result);
        assertEquals(Math.min(400, network.parameterCount()), result.checked());
    }

    @ParameterizedTest
    @MethodSource("trainableNetworksWithDropout")
    void dropoutNetworkGradientIsFinite(NetworkCase c) {
        TrainableNetwork network = c.classes().newInstance(c.className());
        double[] xs = gaussian(DATA_SEED, BATCH * network.inputSize());
        double[] ys = uniform(DATA_SEED + 1, BATCH * network.targetSize());
        double[] grad = new double[network.parameterCount()];
        for (int call = 0; call < 5; call++) {
            assertFinite(network.gradient(xs, ys, BATCH, grad), c + " loss of call " + call);
            assertAllFinite(grad, c + " gradient of call " + call);
        }
    }

    /**
     * {@code TrainableNetwork.gradient} is documented to change no state and to return the mean
     * loss (the quantity {@code loss} returns): two calls on the same batch must agree, dropout
     * or not.
     */
    @ParameterizedTest
    @MethodSource("trainableNetworksWithDropout")
    void dropoutNetworkGradientChangesNoStateAndReturnsTheMeanLossAsDocumented(NetworkCase c) {
        TrainableNetwork network = c.classes().newInstance(c.className());
        double[] xs = gaussian(DATA_SEED, BATCH * network.inputSize());
        double[] ys = uniform(DATA_SEED + 1, BATCH * network.targetSize());
        double[] first = new double[network.parameterCount()];
        double[] second = new double[network.parameterCount()];
        double firstLoss = network.gradient(xs, ys, BATCH, first);
        double secondLoss = network.gradient(xs, ys, BATCH, second);
        assertArrayEquals(first, second, c + ": two gradient calls on the same batch differ");
        assertEquals(firstLoss, secondLoss, c + ": two gradient calls return different losses");
        assertClose(network.loss(xs, ys, BATCH), firstLoss, VALUE_RTOL, 0, c + ": gradient's loss vs loss()");
    }

    // ---------------------------------------------------------------------------------------
    // Functions

    static Stream<String> functions() {
        return Examples.checked("functions.nn").declarations().stream()
                .filter(d -> d instanceof Declaration.Function)
                .map(Declaration::name);
    }

    @ParameterizedTest
    @MethodSource("functions")
    void functionValueAndGradientEqualTheReferenceAndCentralDifferences(String name) {
        GeneratedClasses generated = Examples.compiled("functions.nn");
        Declaration.Function function = function(name);
        Graph graph = ReverseMode.differentiateValue(Lowering.lower(function), function);
        Random random = new Random(DATA_SEED);
        for (int sample = 0; sample < 6; sample++) {
            Object[] point = point(function, random);
            double[] flat = flatten(point);
            String where = name + " at " + Arrays.toString(flat);
            Evaluator.Values expected = Evaluator.evaluate(graph, bindings(function, point));
            double[] expectedGradient = referenceGradient(function, expected);

            double value = invokeValue(generated, function, point);
            assertClose(expected.scalar(Output.Kind.VALUE), value, VALUE_RTOL, 0, where + ": value");
            double[] grad = new double[flat.length];
            double gradientValue = invokeGradient(generated, function, point, grad);
            assertClose(value, gradientValue, VALUE_RTOL, 0, where + ": value returned by gradient");
            assertAllClose(expectedGradient, grad, GRADIENT_RTOL, GRADIENT_ATOL, where + ": gradient");
            if (hasDerivative(function)) {
                double derivative = invoke(generated, name, "derivative", new Class<?>[] {double.class}, point);
                assertClose(grad[0], derivative, VALUE_RTOL, 0, where + ": derivative vs gradient");
            }
            // Central differences, eps 1e-6, PyTorch's |a - n| <= 1e-5 + 1e-3 |n|.
            double eps = 1e-6;
            for (int i = 0; i < flat.length; i++) {
                double[] plus = flat.clone();
                double[] minus = flat.clone();
                plus[i] += eps;
                minus[i] -= eps;
                double numeric = (invokeValue(generated, function, unflatten(function, plus))
                                - invokeValue(generated, function, unflatten(function, minus)))
                        / (2 * eps);
                assertClose(numeric, grad[i], 1e-3, 1e-5, where + ": gradient[" + i + "] vs central difference");
            }
        }
    }

    @Test
    void functionsMatchTheirClosedForms() {
        GeneratedClasses generated = Examples.compiled("functions.nn");
        Random random = new Random(DATA_SEED);
        for (int sample = 0; sample < 8; sample++) {
            double x = 3 * random.nextGaussian() / 2;
            double y = random.nextGaussian();
            Object[] at = {x};
            double e = Math.exp(x * x);
            String where = " at x = " + x;

            double f = Math.sqrt(x * x + e);
            assertClose(f, invoke(generated, "F", "value", new Class<?>[] {double.class}, at), 1e-14, 0, "F" + where);
            double fPrime = x * (1 + e) / f;
            assertClose(
                    fPrime,
                    invoke(generated, "F", "derivative", new Class<?>[] {double.class}, at),
                    1e-13,
                    1e-300,
                    "F'" + where);

            assertClose(e, invoke(generated, "Gauss", "value", new Class<?>[] {double.class}, at), 1e-14, 0, "Gauss");
            assertClose(
                    2 * x * e,
                    invoke(generated, "Gauss", "derivative", new Class<?>[] {double.class}, at),
                    1e-13,
                    0,
                    "Gauss'" + where);

            assertClose(
                    Math.log1p(Math.exp(-x)),
                    invoke(generated, "LogisticLoss", "value", new Class<?>[] {double.class}, at),
                    1e-13,
                    0,
                    "LogisticLoss" + where);
            assertClose(
                    -1 / (1 + Math.exp(x)),
                    invoke(generated, "LogisticLoss", "derivative", new Class<?>[] {double.class}, at),
                    1e-13,
                    0,
                    "LogisticLoss'" + where);

            double[] p = {x, y};
            double[] grad = new double[2];
            double r = invoke(
                    generated, "Rosenbrock", "gradient", new Class<?>[] {double[].class, double[].class}, new Object[] {
                        p.clone(), grad
                    });
            double inner = y - x * x;
            assertClose((1 - x) * (1 - x) + 100 * inner * inner, r, 1e-13, 1e-300, "Rosenbrock" + Arrays.toString(p));
            assertClose(-2 * (1 - x) - 400 * x * inner, grad[0], 1e-12, 1e-12, "dRosenbrock/dp0 " + Arrays.toString(p));
            assertClose(200 * inner, grad[1], 1e-12, 1e-12, "dRosenbrock/dp1 " + Arrays.toString(p));

            double[] chainGrad = new double[2];
            double chain = invoke(
                    generated,
                    "Chain",
                    "gradient",
                    new Class<?>[] {double.class, double.class, double[].class},
                    new Object[] {x, y, chainGrad});
            double a = x * y;
            assertClose(y * (a + Math.sin(a)), chain, 1e-13, 1e-300, "Chain" + where + ", y = " + y);
            assertClose(y * y * (1 + Math.cos(a)), chainGrad[0], 1e-12, 1e-12, "dChain/dx" + where);
            assertClose(a + Math.sin(a) + y * x * (1 + Math.cos(a)), chainGrad[1], 1e-12, 1e-12, "dChain/dy" + where);
        }
    }

    @Test
    void derivativeExistsExactlyForFunctionsOfOneScalarArgument() {
        GeneratedClasses generated = Examples.compiled("functions.nn");
        for (Declaration declaration : Examples.checked("functions.nn").declarations()) {
            Declaration.Function function = (Declaration.Function) declaration;
            boolean declared = Arrays.stream(generated.load(function.name()).getMethods())
                    .anyMatch(m -> m.getName().equals("derivative"));
            assertEquals(hasDerivative(function), declared, function.name());
        }
        assertTrue(hasDerivative(function("F")));
        assertFalse(hasDerivative(function("Rosenbrock")));
    }

    // ---------------------------------------------------------------------------------------

    private static Declaration.Function function(String name) {
        return Examples.checked("functions.nn").declarations().stream()
                .filter(d -> d.name().equals(name))
                .map(Declaration.Function.class::cast)
                .findFirst()
                .orElseThrow();
    }

    private static boolean hasDerivative(Declaration.Function function) {
        return function.arguments().size() == 1
                && function.arguments().get(0).shape().isScalar();
    }

    /** Seeded arguments: a {@code Double} per scalar, a {@code double[]} per vector; |x| kept moderate. */
    private static Object[] point(Declaration.Function function, Random random) {
        Object[] point = new Object[function.arguments().size()];
        for (int i = 0; i < point.length; i++) {
            Symbol.Argument argument = function.arguments().get(i);
            if (argument.shape().isScalar()) {
                point[i] = 1.2 * random.nextGaussian();
            } else {
                double[] values = new double[argument.shape().size()];
                for (int j = 0; j < values.length; j++) {
                    values[j] = 1.2 * random.nextGaussian();
                }
                point[i] = values;
            }
        }
        return point;
    }

    private static double[] flatten(Object[] point) {
        List<Double> flat = new ArrayList<>();
        for (Object argument : point) {
            if (argument instanceof Double d) {
                flat.add(d);
            } else {
                for (double v : (double[]) argument) {
                    flat.add(v);
                }
            }
        }
        return flat.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static Object[] unflatten(Declaration.Function function, double[] flat) {
        Object[] point = new Object[function.arguments().size()];
        int offset = 0;
        for (int i = 0; i < point.length; i++) {
            int size = function.arguments().get(i).shape().size();
            point[i] = function.arguments().get(i).shape().isScalar()
                    ? (Object) flat[offset]
                    : Arrays.copyOfRange(flat, offset, offset + size);
            offset += size;
        }
        return point;
    }

    private static Bindings bindings(Declaration.Function function, Object[] point) {
        Map<String, double[]> values = new HashMap<>();
        for (int i = 0; i < point.length; i++) {
            values.put(
                    function.arguments().get(i).name(),
                    point[i] instanceof Double d ? new double[] {d} : ((double[]) point[i]).clone());
        }
        return Bindings.of(values);
    }

    private static double[] referenceGradient(Declaration.Function function, Evaluator.Values values) {
        List<Double> flat = new ArrayList<>();
        for (Symbol.Argument argument : function.arguments()) {
            for (double v : values.gradient(argument.name())) {
                flat.add(v);
            }
        }
        return flat.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static Class<?>[] argumentTypes(Declaration.Function function) {
        return function.arguments().stream()
                .map(a -> a.shape().isScalar() ? double.class : double[].class)
                .toArray(Class<?>[]::new);
    }

    private static double invokeValue(GeneratedClasses generated, Declaration.Function function, Object[] point) {
        return invoke(generated, function.name(), "value", argumentTypes(function), copy(point));
    }

    private static double invokeGradient(
            GeneratedClasses generated, Declaration.Function function, Object[] point, double[] grad) {
        Class<?>[] types = argumentTypes(function);
        Class<?>[] withGrad = Arrays.copyOf(types, types.length + 1);
        withGrad[types.length] = double[].class;
        Object[] arguments = Arrays.copyOf(copy(point), point.length + 1);
        arguments[point.length] = grad;
        return invoke(generated, function.name(), "gradient", withGrad, arguments);
    }

    private static Object[] copy(Object[] point) {
        return Arrays.stream(point)
                .map(a -> a instanceof double[] v ? v.clone() : a)
                .toArray();
    }

    private static double invoke(
            GeneratedClasses generated, String className, String method, Class<?>[] types, Object[] arguments) {
        try {
            Method m = generated.load(className).getMethod(method, types);
            assertTrue(Modifier.isStatic(m.getModifiers()), className + "." + method + " is static");
            Object result = m.invoke(null, arguments);
            return assertInstanceOf(Double.class, result);
        } catch (InvocationTargetException e) {
            throw new AssertionError(className + "." + method + " threw", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(className + "." + method + Arrays.toString(types) + " not found", e);
        }
    }
}
