package dev.nnc.compiler.codegen;

import dev.nnc.compiler.GeneratedFile;
import dev.nnc.compiler.autodiff.ReverseMode;
import dev.nnc.compiler.graph.Bindings;
import dev.nnc.compiler.graph.Evaluator;
import dev.nnc.compiler.graph.Lowering;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Precision;
import dev.nnc.compiler.semantic.Symbol;
import dev.nnc.runtime.Network;
import dev.nnc.runtime.TrainableNetwork;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

/**
 * What every class generated from an accepted spec must do, checked on one compiled spec:
 *
 * <ul>
 *   <li>networks: the parameter count agrees with the shapes; parameters round-trip through
 *       {@code setParameters}/{@code getParameters} (rounded to float in a float network), through
 *       {@code save}/{@code load} and {@code copy}, and a copy is independent of its original;
 *       {@code predict} is finite for finite inputs and a row of the batch API equals the
 *       one-sample API; a trainable network's {@code loss} and {@code gradient} are finite and
 *       agree, the gradient matches central differences of {@code loss} (RELIABILITY G1
 *       tolerances, on every parameter or on a seeded subset that covers every tensor), and
 *       {@code trainStep} runs;
 *   <li>float networks: outputs, loss and gradient agree with the double twin, rtol 1e-4 and
 *       atol 1e-5 (RELIABILITY 1.5);
 *   <li>functions: {@code value}, {@code gradient} and {@code derivative} are finite and agree,
 *       and the gradient matches central differences of {@code value}.
 * </ul>
 *
 * <p>Parameters are set to their initial values plus N(0, 0.3²) noise before any value is
 * checked, so that no value sits exactly on a kink of {@code relu}, {@code abs}, {@code step},
 * {@code min} or {@code max} (a zero bias would put every unit of a {@code relu} of a parameter
 * there). A difference quotient that straddles a kink nearby is recognised as such: the check
 * accepts a derivative that matches the central difference at a step of 1e-6, 1e-5 or 1e-7, or
 * one of the two one-sided differences at 1e-6 (at a kink the derivative is one of the one-sided
 * slopes; on smooth ground both equal the central difference, so this admits no wrong
 * gradient). A value that is not finite is a finding only when the reference evaluator ({@link
 * NetworkReference}, {@link Evaluator}) computes a finite one at the same point: the generator
 * keeps values in their domains, but a random network may still overflow honestly. Where a
 * loss or a function value is so large that its rounding hides the difference quotient (a
 * value near 1e21 moves in steps of 1e5), the reference evaluator's gradient of the unoptimised
 * graph judges instead, to 1e-6. A {@code batch_norm} network whose {@code trainStep} meets a
 * non-finite loss is a finding only when the reference's training-mode loss is finite.
 */
final class AcceptedRule {
    private static final int BATCH = 3;
    private static final int MAX_CHECKED = 48;
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-3;
    private static final double[] STEPS = {1e-6, 1e-5, 1e-7};
    private static final double TWIN_RTOL = 1e-4;
    private static final double TWIN_ATOL = 1e-5;

    /** One violation: where it was found, a message shared by all specs with the same fault, the details. */
    record Finding(String stage, String signature, String detail) {}

    /** Thrown by a check to report a finding. */
    private static final class Violation extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String signature;

        Violation(String signature, String detail) {
            super(detail, null, false, false);
            this.signature = signature;
        }
    }

    /** Thrown by a check that cannot judge a point (a value the reference also finds infinite). */
    private static final class Skip extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Skip(String reason) {
            super(reason, null, false, false);
        }
    }

    private AcceptedRule() {}

    static List<Finding> check(AcceptedSpecs.Generated g, ClassLoader loader, Map<String, Integer> skips) {
        List<Finding> findings = new ArrayList<>();
        for (GeneratedFile file : g.files) {
            Declaration declaration = g.unit.declarations().stream()
                    .filter(d -> d.name().equals(file.className()))
                    .findFirst()
                    .orElse(null);
            String where = file.className();
            try {
                if (declaration == null) {
                    throw new Violation("a generated class matches no declaration", where);
                }
                Class<?> type = loader.loadClass(qualified(file));
                if (declaration instanceof Declaration.Network network) {
                    checkNetwork(type, network, g, loader, seedOf(g));
                } else if (declaration instanceof Declaration.Function function) {
                    checkFunction(type, function, seedOf(g));
                }
            } catch (Skip skip) {
                skips.merge(skip.getMessage(), 1, Integer::sum);
            } catch (Violation v) {
                findings.add(new Finding("run", v.signature, where + ": " + v.getMessage()));
            } catch (Throwable e) { // a generated class may throw anything; each is a finding
                Throwable cause =
                        e instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
                findings.add(new Finding(
                        "run",
                        "threw " + AcceptedSpecs.headline(cause),
                        where + ": " + AcceptedSpecs.stackTrace(cause)));
            }
        }
        return findings;
    }

    private static long seedOf(AcceptedSpecs.Generated g) {
        return g.candidate.seed();
    }

    private static String qualified(GeneratedFile file) {
        return file.packageName().isEmpty() ? file.className() : file.packageName() + "." + file.className();
    }

    // ------------------------------------------------------------------------------------------
    // Networks

    private static void checkNetwork(
            Class<?> type, Declaration.Network declaration, AcceptedSpecs.Generated g, ClassLoader loader, long seed)
            throws ReflectiveOperationException, IOException {
        boolean single = declaration.precision() == Precision.FLOAT;
        Network network = (Network) type.getConstructor().newInstance();
        int count = network.parameterCount();
        int fromShapes = network.parameterShapes().stream()
                .mapToInt(s -> Arrays.stream(s).reduce(1, (a, b) -> a * b))
                .sum();
        require(count == fromShapes, "parameterCount disagrees with parameterShapes", count + " vs " + fromShapes);
        require(
                network.parameterNames().size() == network.parameterShapes().size(),
                "parameterNames and parameterShapes differ in length",
                network.parameterNames() + " vs " + network.parameterShapes().size() + " shapes");
        require(
                count == declaration.parameterCount(),
                "parameterCount disagrees with the spec",
                count + " vs " + declaration.parameterCount());

        double[] initial = new double[count];
        network.getParameters(initial);
        double[] parameters = perturbed(initial, seed);
        double[] expected = single ? Numerics.floatExact(parameters) : parameters;
        network.setParameters(parameters);
        double[] back = new double[count];
        network.getParameters(back);
        requireEqual(
                expected,
                back,
                "getParameters after setParameters",
                network.parameterNames(),
                network.parameterShapes());

        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        network.save(saved);
        Method load = type.getMethod("load", InputStream.class);
        Network loaded = (Network) invoke(load, null, new ByteArrayInputStream(saved.toByteArray()));
        double[] reloaded = new double[count];
        loaded.getParameters(reloaded);
        requireEqual(
                expected,
                reloaded,
                "getParameters after save and load",
                network.parameterNames(),
                network.parameterShapes());

        Network copy = network.copy();
        double[] copied = new double[count];
        copy.getParameters(copied);
        requireEqual(expected, copied, "getParameters of a copy", network.parameterNames(), network.parameterShapes());

        double[] xs =
                withEmbeddingIds(declaration, Numerics.gaussian(seed ^ 0x5eed, BATCH * network.inputSize()), seed);
        if (single) {
            xs = Numerics.floatExact(xs);
        }
        double[] outs = new double[BATCH * network.outputSize()];
        network.predict(xs, BATCH, outs);
        if (!allFinite(outs)) {
            judgeNonFinite(declaration, parameters, xs, "predict");
        }
        for (int row = 0; row < BATCH; row++) {
            double[] x = Arrays.copyOfRange(xs, row * network.inputSize(), (row + 1) * network.inputSize());
            double[] out = new double[network.outputSize()];
            network.predict(x, out);
            double[] batchRow = Arrays.copyOfRange(outs, row * out.length, (row + 1) * out.length);
            require(
                    Arrays.equals(out, batchRow),
                    "one-sample predict differs from the batch row",
                    Arrays.toString(out) + " vs " + Arrays.toString(batchRow));
        }
        double[] copyOuts = new double[outs.length];
        copy.predict(xs, BATCH, copyOuts);
        require(
                Arrays.equals(outs, copyOuts),
                "a copy predicts differently",
                Arrays.toString(outs) + " vs " + Arrays.toString(copyOuts));
        double[] loadedOuts = new double[outs.length];
        loaded.predict(xs, BATCH, loadedOuts);
        require(
                Arrays.equals(outs, loadedOuts),
                "a loaded network predicts differently",
                Arrays.toString(outs) + " vs " + Arrays.toString(loadedOuts));
        copy.setParameters(new double[count]);
        network.getParameters(back);
        requireEqual(
                expected,
                back,
                "the original after setParameters on its copy",
                network.parameterNames(),
                network.parameterShapes());

        if (single && g.twin != null) {
            compareWithTwin(network, declaration, g, loader, xs, seed);
        }
        if (network instanceof TrainableNetwork trainable) {
            double[] ys = Numerics.uniform(seed ^ 0x7a76, BATCH * trainable.targetSize());
            if (single) {
                ys = Numerics.floatExact(ys);
            }
            checkTraining(trainable, declaration, parameters, xs, ys, single, seed);
        } else {
            require(
                    !declaration.isTrainable(),
                    "a trainable spec gave a class without TrainableNetwork",
                    type.getName());
        }
    }

    /**
     * {@code xs} with every embedding id replaced by an integer in {@code [0, count)}; ids are
     * drawn from the first three rows at most, so that a sample repeats ids and the gradient of a
     * row sums several lookups.
     */
    static double[] withEmbeddingIds(Declaration.Network declaration, double[] xs, long seed) {
        Random random = new Random(seed ^ 0x1d5);
        int width = declaration.inputSize();
        for (var embedding : declaration.embeddings()) {
            for (int row = 0; row < xs.length / width; row++) {
                for (var position : embedding.positions()) {
                    xs[row * width + position.offset()] = random.nextInt(Math.min(3, embedding.count()));
                }
            }
        }
        return xs;
    }

    private static void checkTraining(
            TrainableNetwork network,
            Declaration.Network declaration,
            double[] parameters,
            double[] xs,
            double[] ys,
            boolean single,
            long seed) {
        double loss = network.loss(xs, ys, BATCH);
        if (!Double.isFinite(loss)) {
            judgeNonFinite(declaration, parameters, xs, ys, "loss");
        }
        int count = network.parameterCount();
        double[] grad = new double[count];
        double gradientLoss = network.gradient(xs, ys, BATCH, grad);
        // Float code may sum the loss in another order in the two methods: float rounding only.
        require(
                Numerics.close(loss, gradientLoss, single ? 1e-5 : 1e-12, 0),
                "gradient returns a loss different from loss()",
                loss + " vs " + gradientLoss);
        if (!allFinite(grad)) {
            throw new Violation(
                    "gradient is not finite where the loss is", "loss " + loss + ", gradient " + Arrays.toString(grad));
        }
        double[] again = new double[count];
        network.gradient(xs, ys, BATCH, again);
        require(Arrays.equals(grad, again), "two gradient calls on the same batch differ", "");
        if (!single) {
            checkGradient(network, declaration, parameters, grad, xs, ys, seed);
        }
        double step;
        try {
            step = network.copy().trainStep(xs, ys, BATCH);
        } catch (dev.nnc.runtime.NonFiniteTrainingException e) {
            if (declaration.definitions().stream()
                    .anyMatch(d -> d.value() instanceof dev.nnc.compiler.semantic.Term.Dropout)) {
                // trainStep draws its own dropout masks: under them a unit feeding log or sqrt
                // may go negative, which the loss with gradient's masks did not show.
                throw new Skip("trainStep not finite under its own dropout masks");
            }
            if (!declaration.buffers().isEmpty() && !trainingLossIsFinite(network, declaration, parameters, xs, ys)) {
                // Training normalises with the batch's statistics, not the running ones that
                // loss() uses: a unit feeding log or sqrt may go negative only in training.
                throw new Skip("trainStep not finite, nor is the reference's training-mode loss");
            }
            throw e;
        }
        require(Double.isFinite(step), "trainStep returns a non-finite loss", Double.toString(step));
    }

    /**
     * Whether the reference evaluator's training-mode loss (batch statistics) of the batch is
     * finite, with the network's current buffers.
     */
    private static boolean trainingLossIsFinite(
            TrainableNetwork network, Declaration.Network declaration, double[] parameters, double[] xs, double[] ys) {
        double[] buffers = new double[network.bufferCount()];
        network.getBuffers(buffers);
        return Double.isFinite(new NetworkReference(declaration)
                .withBuffers(buffers)
                .trainingBatch(parameters, xs, ys, BATCH)
                .loss());
    }

    /** G1 on every parameter, or on a seeded subset that includes some of every tensor. */
    private static void checkGradient(
            TrainableNetwork network,
            Declaration.Network declaration,
            double[] parameters,
            double[] grad,
            double[] xs,
            double[] ys,
            long seed) {
        List<String> names = network.parameterNames();
        List<int[]> shapes = network.parameterShapes();
        double f0 = network.loss(xs, ys, BATCH);
        double[] moved = parameters.clone();
        double[][] reference = new double[1][];
        Random random = new Random(seed);
        int start = 0;
        try {
            for (int t = 0; t < names.size(); t++) {
                int size = Arrays.stream(shapes.get(t)).reduce(1, (a, b) -> a * b);
                int checks = parameters.length <= MAX_CHECKED
                        ? size
                        : Math.min(size, Math.max(2, MAX_CHECKED / names.size()));
                for (int c = 0; c < checks; c++) {
                    int index = start + (checks == size ? c : random.nextInt(size));
                    double original = parameters[index];
                    DoubleUnaryOperator f = delta -> {
                        moved[index] = original + delta;
                        network.setParameters(moved);
                        return network.loss(xs, ys, BATCH);
                    };
                    boolean ok = derivativeMatches(grad[index], f, f0);
                    moved[index] = original;
                    if (!ok) {
                        double numeric = (f.applyAsDouble(1e-6) - f.applyAsDouble(-1e-6)) / 2e-6;
                        double noise = roundingNoise(f, f0, grad[index]);
                        moved[index] = original;
                        if (Math.abs(numeric - grad[index]) <= ATOL + RTOL * Math.abs(numeric) + 2 * noise / 1e-6) {
                            // The loss is so large that rounding hides the difference quotient: the
                            // reference evaluator's gradient (the same derivative computed another
                            // way) judges instead.
                            network.setParameters(parameters);
                            if (Examples.hasDropout(declaration)) {
                                // The reference differentiates the training graph, whose unbound
                                // masks keep every unit scaled: not the gradient of loss().
                                throw new Skip("rounding hides central differences in a network with dropout");
                            }
                            if (reference[0] == null) {
                                reference[0] =
                                        new NetworkReference(declaration).meanGradient(parameters, xs, ys, BATCH);
                            }
                            require(
                                    Numerics.close(reference[0][index], grad[index], 1e-6, 1e-9),
                                    "gradient differs from the reference where rounding hides central differences",
                                    String.format(
                                            Locale.ROOT,
                                            "%s[%d]: analytic %.9g, reference %.9g (loss %.6g)",
                                            names.get(t),
                                            index - start,
                                            grad[index],
                                            reference[0][index],
                                            f0));
                            continue;
                        }
                        throw new Violation(
                                "gradient differs from central differences of loss in a " + role(names.get(t)),
                                String.format(
                                        Locale.ROOT,
                                        "%s[%d]: analytic %.9g, central difference %.9g (parameter %.6g, loss %.6g,"
                                                + " rounding noise of the loss %.3g)",
                                        names.get(t),
                                        index - start,
                                        grad[index],
                                        numeric,
                                        original,
                                        f0,
                                        noise));
                    }
                }
                start += size;
            }
        } finally {
            network.setParameters(parameters);
        }
    }

    /** The kind of a parameter, for grouping: {@code dense weight}, {@code param}... */
    private static String role(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "param" : "layer " + name.substring(dot + 1);
    }

    private static void compareWithTwin(
            Network single,
            Declaration.Network declaration,
            AcceptedSpecs.Generated g,
            ClassLoader loader,
            double[] xs,
            long seed)
            throws ReflectiveOperationException {
        GeneratedFile twinFile = g.twin.files.stream()
                .filter(f -> f.className().equals(declaration.name()))
                .findFirst()
                .orElseThrow(() -> new Violation("the double twin lacks the class", declaration.name()));
        Network twin =
                (Network) loader.loadClass(qualified(twinFile)).getConstructor().newInstance();
        double[] parameters = new double[single.parameterCount()];
        single.getParameters(parameters);
        twin.setParameters(parameters);
        double[] expected = new double[BATCH * twin.outputSize()];
        twin.predict(xs, BATCH, expected);
        double[] actual = new double[expected.length];
        single.predict(xs, BATCH, actual);
        if (!allFinite(expected)) {
            throw new Skip("double twin's prediction not finite");
        }
        requireClose(expected, actual, "float predict differs from the double twin");
        if (single instanceof TrainableNetwork trainable && twin instanceof TrainableNetwork trainableTwin) {
            double[] ys = Numerics.floatExact(Numerics.uniform(seed ^ 0x7a76, BATCH * trainable.targetSize()));
            double[] expectedGrad = new double[parameters.length];
            double expectedLoss = trainableTwin.gradient(xs, ys, BATCH, expectedGrad);
            if (!Double.isFinite(expectedLoss) || !allFinite(expectedGrad)) {
                throw new Skip("double twin's gradient not finite");
            }
            double[] actualGrad = new double[parameters.length];
            double actualLoss = trainable.gradient(xs, ys, BATCH, actualGrad);
            requireClose(
                    new double[] {expectedLoss}, new double[] {actualLoss}, "float loss differs from the double twin");
            requireCloseInNorm(expectedGrad, actualGrad, "float gradient differs from the double twin");
        }
    }

    private static void judgeNonFinite(Declaration.Network declaration, double[] parameters, double[] xs, String what) {
        boolean referenceFinite;
        try {
            NetworkReference reference = new NetworkReference(declaration);
            referenceFinite = true;
            for (int row = 0; row < BATCH && referenceFinite; row++) {
                referenceFinite = allFinite(reference.predict(parameters, xs, row));
            }
        } catch (RuntimeException e) {
            throw new Violation(
                    what + " is not finite (the reference evaluator failed too)", AcceptedSpecs.stackTrace(e));
        }
        if (!referenceFinite) {
            throw new Skip(what + " not finite, nor is the reference");
        }
        throw new Violation(
                what + " is not finite for finite inputs where the reference is", "inputs " + Arrays.toString(xs));
    }

    private static void judgeNonFinite(
            Declaration.Network declaration, double[] parameters, double[] xs, double[] ys, String what) {
        double reference;
        try {
            reference = new NetworkReference(declaration).meanLoss(parameters, xs, ys, BATCH);
        } catch (RuntimeException e) {
            throw new Violation(
                    what + " is not finite (the reference evaluator failed too)", AcceptedSpecs.stackTrace(e));
        }
        if (!Double.isFinite(reference)) {
            throw new Skip(what + " not finite, nor is the reference");
        }
        throw new Violation(what + " is not finite for finite inputs where the reference is", "reference " + reference);
    }

    // ------------------------------------------------------------------------------------------
    // Functions

    private static void checkFunction(Class<?> type, Declaration.Function function, long seed)
            throws ReflectiveOperationException {
        List<Symbol.Argument> arguments = function.arguments();
        Class<?>[] types = new Class<?>[arguments.size()];
        int flat = 0;
        for (int i = 0; i < types.length; i++) {
            types[i] = arguments.get(i).shape().isScalar() ? double.class : double[].class;
            flat += arguments.get(i).shape().size();
        }
        Method value = type.getMethod("value", types);
        Class<?>[] gradientTypes = Arrays.copyOf(types, types.length + 1);
        gradientTypes[types.length] = double[].class;
        Method gradient = type.getMethod("gradient", gradientTypes);

        double[] point = Numerics.gaussian(seed ^ 0xf00, flat);
        double v = (double) invoke(value, null, arguments(function, point));
        if (!Double.isFinite(v)) {
            double reference = referenceValue(function, point);
            if (!Double.isFinite(reference)) {
                throw new Skip("function value not finite, nor is the reference");
            }
            throw new Violation(
                    "function value is not finite where the reference is", "value " + v + ", reference " + reference);
        }
        double[] grad = new double[flat];
        Object[] withGrad = Arrays.copyOf(arguments(function, point), types.length + 1);
        withGrad[types.length] = grad;
        double gv = (double) invoke(gradient, null, withGrad);
        require(
                Numerics.close(v, gv, 1e-12, 0),
                "function gradient returns a value different from value()",
                v + " vs " + gv);
        if (!allFinite(grad)) {
            throw new Violation("function gradient is not finite where the value is", Arrays.toString(grad));
        }
        if (types.length == 1 && types[0] == double.class) {
            Method derivative = type.getMethod("derivative", double.class);
            double d = (double) invoke(derivative, null, point[0]);
            require(
                    Numerics.close(grad[0], d, 1e-12, 0),
                    "function derivative differs from gradient",
                    d + " vs " + grad[0]);
        }
        double[] reference = null;
        for (int i = 0; i < flat; i++) {
            int index = i;
            DoubleUnaryOperator f = delta -> {
                double[] moved = point.clone();
                moved[index] += delta;
                return (double) invokeUnchecked(value, arguments(function, moved));
            };
            if (!derivativeMatches(grad[i], f, v)) {
                double numeric = (f.applyAsDouble(1e-6) - f.applyAsDouble(-1e-6)) / 2e-6;
                double noise = roundingNoise(f, v, grad[i]);
                if (Math.abs(numeric - grad[i]) <= ATOL + RTOL * Math.abs(numeric) + 2 * noise / 1e-6) {
                    // The value is so large that rounding hides the difference quotient (a power
                    // of 65 near 1e21 moves in steps of 1e5): the reference evaluator's gradient
                    // judges instead, as for networks.
                    if (reference == null) {
                        reference = referenceGradient(function, point);
                    }
                    require(
                            Numerics.close(reference[i], grad[i], 1e-6, 1e-9),
                            "function gradient differs from the reference where rounding hides central differences",
                            String.format(
                                    Locale.ROOT,
                                    "coordinate %d: analytic %.9g, reference %.9g (value %.6g)",
                                    i,
                                    grad[i],
                                    reference[i],
                                    v));
                    continue;
                }
                throw new Violation(
                        "function gradient differs from central differences",
                        String.format(
                                Locale.ROOT,
                                "coordinate %d at %s: analytic %.9g, central difference %.9g",
                                i,
                                Arrays.toString(point),
                                grad[i],
                                numeric));
            }
        }
    }

    /** The flat point split into the method's arguments: a double per scalar, an array per vector. */
    private static Object[] arguments(Declaration.Function function, double[] point) {
        Object[] values = new Object[function.arguments().size()];
        int offset = 0;
        for (int i = 0; i < values.length; i++) {
            var shape = function.arguments().get(i).shape();
            values[i] = shape.isScalar()
                    ? (Object) point[offset]
                    : Arrays.copyOfRange(point, offset, offset + shape.size());
            offset += shape.size();
        }
        return values;
    }

    private static double referenceValue(Declaration.Function function, double[] point) {
        return Evaluator.evaluate(Lowering.lower(function), argumentBindings(function, point))
                .scalar(Output.Kind.VALUE);
    }

    /** The reference evaluator's gradient of the unoptimised function graph, flat like the point. */
    private static double[] referenceGradient(Declaration.Function function, double[] point) {
        Evaluator.Values values = Evaluator.evaluate(
                ReverseMode.differentiateValue(Lowering.lower(function), function), argumentBindings(function, point));
        double[] gradient = new double[point.length];
        int offset = 0;
        for (Symbol.Argument argument : function.arguments()) {
            double[] g = values.gradient(argument.name());
            System.arraycopy(g, 0, gradient, offset, g.length);
            offset += g.length;
        }
        return gradient;
    }

    private static Bindings argumentBindings(Declaration.Function function, double[] point) {
        Map<String, double[]> bindings = new HashMap<>();
        int offset = 0;
        for (Symbol.Argument argument : function.arguments()) {
            bindings.put(
                    argument.name(),
                    Arrays.copyOfRange(point, offset, offset + argument.shape().size()));
            offset += argument.shape().size();
        }
        return Bindings.of(bindings);
    }

    // ------------------------------------------------------------------------------------------
    // Shared

    /**
     * Whether {@code analytic} is the derivative of {@code f} at 0 ({@code f0 = f(0)}): the
     * central difference at some step of {@link #STEPS}, or a one-sided difference at the first
     * (the kink rule in the class comment), within G1's tolerances.
     */
    private static boolean derivativeMatches(double analytic, DoubleUnaryOperator f, double f0) {
        for (double eps : STEPS) {
            double plus = f.applyAsDouble(eps);
            double minus = f.applyAsDouble(-eps);
            if (Numerics.close((plus - minus) / (2 * eps), analytic, RTOL, ATOL)
                    || (eps == STEPS[0]
                            && (Numerics.close((plus - f0) / eps, analytic, RTOL, ATOL)
                                    || Numerics.close((f0 - minus) / eps, analytic, RTOL, ATOL)))) {
                return true;
            }
        }
        return false;
    }

    /**
     * How far rounding moves {@code f} near 0 ({@code f0 = f(0)}, slope {@code slope}): the largest
     * departure from the tangent over steps too small for the slope to matter, and at least a few
     * units in the last place of {@code f0} (a large loss changes in steps of its ulp, so over
     * tiny steps it may not move at all). A difference quotient at step h carries an error up to
     * twice this over 2h.
     */
    private static double roundingNoise(DoubleUnaryOperator f, double f0, double slope) {
        double noise = 4 * Math.ulp(Math.abs(f0));
        for (int k = 1; k <= 4; k++) {
            double delta = k * 1e-12;
            noise = Math.max(noise, Math.abs(f.applyAsDouble(delta) - f0 - slope * delta));
            noise = Math.max(noise, Math.abs(f.applyAsDouble(-delta) - f0 + slope * delta));
        }
        return noise;
    }

    private static double[] perturbed(double[] initial, long seed) {
        double[] noise = Numerics.gaussian(seed ^ 0x9a9a, initial.length);
        double[] values = new double[initial.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = initial[i] + 0.3 * noise[i];
        }
        return values;
    }

    private static Object invoke(Method method, Object target, Object... arguments)
            throws ReflectiveOperationException {
        try {
            return method.invoke(target, arguments);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private static Object invokeUnchecked(Method method, Object[] arguments) {
        try {
            return invoke(method, null, arguments);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean allFinite(double[] values) {
        for (double v : values) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static void require(boolean condition, String signature, String detail) {
        if (!condition) {
            throw new Violation(signature, detail);
        }
    }

    private static void requireEqual(
            double[] expected, double[] actual, String what, List<String> names, List<int[]> shapes) {
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToLongBits(expected[i]) != Double.doubleToLongBits(actual[i])) {
                throw new Violation(
                        "parameters do not round-trip: " + what,
                        String.format(
                                Locale.ROOT,
                                "flat index %d (%s): set %.17g, got %.17g; names %s",
                                i,
                                tensorOf(i, names, shapes),
                                expected[i],
                                actual[i],
                                names));
            }
        }
    }

    private static String tensorOf(int index, List<String> names, List<int[]> shapes) {
        int start = 0;
        for (int t = 0; t < names.size(); t++) {
            int size = Arrays.stream(shapes.get(t)).reduce(1, (a, b) -> a * b);
            if (index < start + size) {
                return names.get(t) + "[" + (index - start) + "]";
            }
            start += size;
        }
        return "?";
    }

    /**
     * {@code ‖actual - expected‖ <= atol √n + rtol ‖expected‖} in the L2 norm, with the twin
     * tolerances. A gradient element that sums many terms of both signs loses relative accuracy
     * to cancellation in float (measured: 2e-4 on one element of 235,146 in an MNIST-sized
     * network with {@code abs} units) while the gradient as a vector keeps it.
     */
    private static void requireCloseInNorm(double[] expected, double[] actual, String what) {
        double error = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            error += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }
        error = Math.sqrt(error);
        norm = Math.sqrt(norm);
        if (!(error <= TWIN_ATOL * Math.sqrt(expected.length) + TWIN_RTOL * norm)) {
            throw new Violation(
                    what,
                    String.format(
                            Locale.ROOT,
                            "L2 error %.3e against norm %.3e over %d values",
                            error,
                            norm,
                            expected.length));
        }
    }

    private static void requireClose(double[] expected, double[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (!Numerics.close(expected[i], actual[i], TWIN_RTOL, TWIN_ATOL)) {
                throw new Violation(
                        what, String.format(Locale.ROOT, "[%d]: double %.9g, float %.9g", i, expected[i], actual[i]));
            }
        }
    }
}
