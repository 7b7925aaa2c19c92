package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import dev.nnc.compiler.semantic.OptimizerSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The optimizer's state fields and the update code, following PyTorch's update rules term by
 * term ({@code torch.optim}: SGD with momentum and Nesterov, Adagrad, RMSprop, Adam with bias
 * correction), so that the same spec trains identically in both. Clipping by value
 * ({@code clip_grad_value_}) comes before clipping by global norm ({@code clip_grad_norm_}).
 */
final class OptimizerEmitter {
    private static final ClassName NON_FINITE = ClassName.get("dev.nnc.runtime", "NonFiniteTrainingException");

    private final OptimizerSpec spec;
    private final Numeric numeric;
    private final List<ParameterField> parameters;
    /** State arrays per parameter, in declaration order: name of the state -> field name. */
    private final Map<ParameterField, Map<String, String>> state = new LinkedHashMap<>();

    private final JavaNames names;
    /** Parts of the long methods, for the class to add. */
    private final List<MethodSpec> parts = new ArrayList<>();

    OptimizerEmitter(OptimizerSpec spec, Numeric numeric, List<ParameterField> parameters, JavaNames names) {
        this.spec = spec;
        this.names = names;
        this.numeric = numeric;
        this.parameters = List.copyOf(parameters);
        for (ParameterField p : parameters) {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String kind : stateKinds()) {
                fields.put(
                        kind,
                        names.of(
                                kind + ":" + p.param().name(),
                                kind + "_" + p.param().name()));
            }
            state.put(p, fields);
        }
    }

    /** The optimizer's spelling in the language, e.g. {@code "adam"}. */
    String spelling() {
        return spec.kind().spelling();
    }

    /** PyTorch's names for the per-parameter state of each optimizer. */
    List<String> stateKinds() {
        return switch (spec.kind()) {
            case SGD -> spec.momentum() != 0 ? List.of("momentum_buffer") : List.of();
            case ADAGRAD -> List.of("sum");
            case RMSPROP -> List.of("square_avg");
            case ADAM -> List.of("exp_avg", "exp_avg_sq");
        };
    }

    /** Steps between two sweeps of {@link #flushDecayedState}. */
    static final int FLUSH_INTERVAL = 16;

    /**
     * Optimizer state below this magnitude is set to zero by the sweep: 2^-90 in float, 2^-900
     * in double. Between two sweeps a value above it decays by at most {@code d^16} (the decay
     * {@code d} at least 0.5), and the update multiplies it by the learning rate; for any
     * learning rate above 1e-6 the result stays far from the subnormal range (below 2^-126 and
     * 2^-1022).
     */
    private String flushThreshold() {
        return numeric.isFloat() ? "0x1p-90f" : "0x1p-900";
    }

    /**
     * Every {@link #FLUSH_INTERVAL} steps, state that decays each step (momentum buffers,
     * averages) and has fallen below {@link #flushThreshold} becomes zero. Without the sweep, a
     * weight whose gradient is always zero (an input that never lights up) has a buffer that
     * decays geometrically into the subnormal range and stays there for hundreds of steps, and
     * on Intel cores every operation on a subnormal takes a microcode assist: the update of N5
     * on its real data ran several times slower (docs/codegen.md). What the sweep removes is
     * below 2^-90 of the state's scale, and moves a parameter by less than the learning rate
     * times 2^-90. Adagrad's sums never decay and are left alone.
     */
    CodeBlock flushDecayedState(ParameterRuns runs, String step) {
        List<String> decaying = switch (spec.kind()) {
            case SGD -> spec.momentum() != 0 ? List.of("momentum_buffer") : List.of();
            case ADAGRAD -> List.of();
            case RMSPROP -> List.of("square_avg");
            case ADAM -> List.of("exp_avg", "exp_avg_sq");
        };
        if (decaying.isEmpty()) {
            return CodeBlock.of("");
        }
        CodeBlock.Builder code = CodeBlock.builder()
                .add("// Decayed state to zero, so that it never sits in the slow subnormal range.\n")
                .beginControlFlow("if ($N % $L == 0)", step, FLUSH_INTERVAL);
        List<CodeBlock> segments = new ArrayList<>();
        for (ParameterField p : parameters) {
            for (String kind : decaying) {
                segments.add(runs.forEachElement(
                        p,
                        numeric,
                        List.of(state.get(p).get(kind)),
                        run -> CodeBlock.builder()
                                .beginControlFlow(
                                        "if ($T.abs($N[i]) < $L)", JavaLang.MATH, run.name(0), flushThreshold())
                                .addStatement("$N[i] = $L", run.name(0), numeric.literal(0))
                                .endControlFlow()
                                .build()));
            }
        }
        List<ParameterSpec> arguments = new ArrayList<>(runs.parameters());
        arguments.add(ParameterSpec.builder(TypeName.LONG, step).build());
        String prefix = runs.isWhole() ? "flushDecayedStatePart" : "flushDecayedStateRangePart";
        return code.add(inlineOrSplit(prefix, arguments, segments, "applyUpdate"))
                .endControlFlow()
                .build();
    }

    /** The parts of long methods: see {@link MethodParts#inlineOrSplit}. */
    List<MethodSpec> parts() {
        return List.copyOf(parts);
    }

    private CodeBlock inlineOrSplit(
            String prefix, List<ParameterSpec> arguments, List<CodeBlock> segments, String whole) {
        for (MethodSpec part : parts) {
            if (part.name().startsWith(prefix)) {
                // Emitted before (applyUpdate is built once per form): the same parts serve.
                return MethodParts.inlineOrSplit(prefix, arguments, segments, whole, new ArrayList<>());
            }
        }
        return MethodParts.inlineOrSplit(prefix, arguments, segments, whole, parts);
    }

    /** {@code stepSize} and {@code biasCorrection2Sqrt} for Adam's update parts, after those of {@code runs}. */
    private List<ParameterSpec> updateArguments(ParameterRuns runs) {
        List<ParameterSpec> arguments = new ArrayList<>(runs.parameters());
        if (spec.kind() == OptimizerSpec.Kind.ADAM) {
            arguments.add(ParameterSpec.builder(numeric.type(), "stepSize").build());
            arguments.add(
                    ParameterSpec.builder(numeric.type(), "biasCorrection2Sqrt").build());
        }
        return arguments;
    }

    /** The update of every parameter over {@code runs}, split in parts when long. */
    private CodeBlock updates(ParameterRuns runs) {
        List<CodeBlock> segments = new ArrayList<>();
        for (ParameterField p : parameters) {
            segments.add(update(p, runs));
        }
        return inlineOrSplit(
                runs.isWhole() ? "updatePart" : "updateRangePart",
                updateArguments(runs),
                segments,
                runs.isWhole() ? "applyUpdate" : "updateRange");
    }

    /**
     * {@code private final double[] exp_avg_hidden_weight = new double[8];} and so on; without
     * the initializer when {@code allocated} is false (the constructors then assign them).
     */
    List<FieldSpec> stateFields(boolean allocated) {
        List<FieldSpec> fields = new ArrayList<>();
        state.forEach((p, kinds) -> kinds.values().forEach(name -> {
            FieldSpec.Builder field = FieldSpec.builder(p.arrayType(numeric), name, Modifier.PRIVATE, Modifier.FINAL);
            fields.add((allocated ? field.initializer(p.newArray(numeric)) : field).build());
        }));
        return fields;
    }

    /** The state arrays of parameter {@code p}, in {@link #stateKinds} order, for {@code copy()} and checkpoints. */
    List<String> stateArrays(ParameterField p) {
        return List.copyOf(state.get(p).values());
    }

    /**
     * {@code applyUpdate(long step)}: clipping, the finiteness check of the gradient, then the
     * update of every parameter. Throws before any parameter changes when the gradient is not
     * finite, so a failed step never corrupts the network.
     */
    MethodSpec applyUpdate(boolean transposes) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("applyUpdate")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(TypeName.LONG, "step")
                .addJavadoc(
                        "Clips the gradient, checks it is finite and applies one $L step (PyTorch's rule).\n",
                        spec.kind().spelling());
        spec.clipValue().ifPresent(c -> method.addCode(clipByValue(c)));
        method.addStatement("double norm = gradientNorm()");
        method.beginControlFlow("if (!$T.isFinite(norm))", JavaLang.DOUBLE)
                .addStatement("throw nonFiniteGradient(step, norm)")
                .endControlFlow();
        spec.clipNorm().ifPresent(c -> method.addCode(clipByNorm(c)));
        method.addCode(adamPrelude("step"));
        method.addCode(updates(ParameterRuns.whole()));
        method.addCode(flushDecayedState(ParameterRuns.whole(), "step"));
        if (transposes) {
            method.addStatement("transposesStale = true");
        }
        return method.build();
    }

    /**
     * {@code applyUpdate(long step)} of a class whose update is straight-line code (the classes
     * with {@code trainOne}: an unrolled training kernel, flat parameters): each element of the
     * gradient fields is read once into a local, and the finiteness check and the update both
     * read the local ({@link #fusedUpdate}), where the loop form reads the gradient twice, once
     * in {@code gradientNorm} and again in the update loops. Same checks, same order, same
     * rounding: the parameters after a step are bitwise those of the loop form, and a non-finite
     * gradient throws before any parameter or state changes.
     */
    MethodSpec applyUpdateFromLocals(boolean transposes) {
        Map<ParameterField, String[]> gradients = new LinkedHashMap<>();
        CodeBlock.Builder loads = CodeBlock.builder()
                .add("// Each gradient element read once: the check and the update use the locals.\n");
        String type = numeric.type().toString();
        for (ParameterField p : parameters) {
            String[] locals = new String[p.size()];
            for (int e = 0; e < locals.length; e++) {
                locals[e] = names.fresh("g_" + p.field() + "_" + e);
                loads.addStatement("$L $N = $N[$L]", type, locals[e], p.gradient(), e);
            }
            gradients.put(p, locals);
        }
        return MethodSpec.methodBuilder("applyUpdate")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(TypeName.LONG, "step")
                .addJavadoc(
                        "Clips the gradient, checks it is finite and applies one $L step (PyTorch's rule).\n",
                        spec.kind().spelling())
                .addCode(loads.build())
                .addCode(fusedUpdate(gradients, "step", names::fresh, transposes))
                .build();
    }

    /**
     * {@code applyUpdate} of a class that splits batches: when the last gradient was summed in
     * parts, {@code applyUpdateInParts} takes over, and the update runs in parts too.
     */
    MethodSpec applyUpdate(boolean transposes, boolean splits) {
        MethodSpec sequential = applyUpdate(transposes);
        if (!splits) {
            return sequential;
        }
        MethodSpec.Builder method = MethodSpec.methodBuilder(sequential.name())
                .addModifiers(sequential.modifiers())
                .addParameters(sequential.parameters())
                .addJavadoc(sequential.javadoc())
                .beginControlFlow("if (splitGradient)")
                .addStatement("applyUpdateInParts(step)")
                .addStatement("return")
                .endControlFlow();
        return method.addCode(sequential.code()).build();
    }

    /**
     * The update after a split gradient: the norm from the parts' sums of squares (unless the
     * gradient is clipped by value first, which changes them), the finiteness check, then the
     * clipping and the update of every part's share at once.
     */
    MethodSpec applyUpdateInParts(boolean transposes, boolean rowsInParts) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("applyUpdateInParts")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(TypeName.LONG, "step")
                .addJavadoc("{@link #applyUpdate} for a gradient that {@code accumulateInParts} summed.\n");
        if (spec.clipValue().isPresent()) {
            method.addCode(clipByValue(spec.clipValue().getAsDouble())).addStatement("double norm = gradientNorm()");
        } else {
            method.addStatement("double squares = 0.0")
                    .beginControlFlow("for (double partial : partSquares)")
                    .addStatement("squares += partial")
                    .endControlFlow()
                    .addStatement("double norm = $T.sqrt(squares)", JavaLang.MATH);
        }
        method.beginControlFlow("if (!$T.isFinite(norm))", JavaLang.DOUBLE)
                .addStatement("throw nonFiniteGradient(step, norm)")
                .endControlFlow()
                .addStatement(
                        "double scale = $L",
                        spec.clipNorm().isPresent()
                                ? CodeBlock.of(
                                        "$L / (norm + 1.0E-6)",
                                        Literals.ofDouble(spec.clipNorm().getAsDouble()))
                                : CodeBlock.of("1.0"))
                .addStatement("parts.startUpdate(step, scale)")
                .beginControlFlow("try")
                .addStatement("$T.shared().run(parts, shards.length, shards.length)", PartsEmitter.PART_RUNNER)
                .nextControlFlow("finally")
                .addStatement("parts.finish()")
                .endControlFlow();
        if (rowsInParts) {
            method.addComment("Every part refreshed the row copies of its share (refreshTransposesRange).")
                    .addStatement("transposesStale = false");
        } else if (transposes) {
            method.addStatement("transposesStale = true");
        }
        return method.build();
    }

    /**
     * Part {@code part}'s share of the update: clipping by norm ({@code scale}), the optimizer's
     * rule and, with {@code rowsInParts}, the row copies of the share.
     */
    MethodSpec updateRange(boolean rowsInParts) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("updateRange")
                .addModifiers(Modifier.PRIVATE)
                .addParameter(TypeName.INT, "part")
                .addParameter(TypeName.INT, "parts")
                .addParameter(TypeName.LONG, "step")
                .addParameter(TypeName.DOUBLE, "scale")
                .addJavadoc("Part {@code part} of {@code parts} of {@link #applyUpdateInParts}.\n");
        if (spec.clipNorm().isPresent()) {
            method.addCode(scaleGradient(ParameterRuns.inParts()));
        }
        method.addCode(adamPrelude("step"));
        method.addCode(updates(ParameterRuns.inParts()));
        method.addCode(flushDecayedState(ParameterRuns.inParts(), "step"));
        if (rowsInParts) {
            method.addStatement("refreshTransposesRange(part, parts)");
        }
        return method.build();
    }

    /**
     * The update of the fused single-sample step, from the gradient held in locals
     * ({@code gradients.get(p)[e]} names element {@code e} of parameter {@code p}'s gradient):
     * the same clipping, finiteness check and update rule as {@link #applyUpdate}, in the same
     * order and with the same rounding, unrolled over the elements. The gradient never goes
     * through the gradient fields, except on failure: then it is stored there so that
     * {@code nonFiniteGradient} can name the first non-finite element, and the parameters and
     * the optimizer state are left untouched. {@code step} names the local holding the step
     * number; {@code fresh} gives local names that collide with none of the method's.
     */
    CodeBlock fusedUpdate(
            Map<ParameterField, String[]> gradients,
            String step,
            java.util.function.UnaryOperator<String> fresh,
            boolean transposes) {
        CodeBlock.Builder code = CodeBlock.builder();
        spec.clipValue().ifPresent(c -> {
            code.add("// clip_value = $L: clamp each component\n", c);
            forEachElement(
                    gradients,
                    (p, e, g) -> code.addStatement(
                            "$N = $T.min($T.max($N, $L), $L)",
                            g,
                            JavaLang.MATH,
                            JavaLang.MATH,
                            g,
                            numeric.literal(-c),
                            numeric.literal(c)));
        });
        // The squared norm is finite exactly when the norm is, so the check needs no square root
        // unless clipping by norm uses the norm itself.
        String[] sums = new String[NORM_CHAINS];
        List<List<CodeBlock>> terms = new ArrayList<>();
        for (int k = 0; k < NORM_CHAINS; k++) {
            sums[k] = fresh.apply("s" + k);
            terms.add(new ArrayList<>());
        }
        String cast = numeric.isFloat() ? "(double) " : "";
        boolean clipNorm = spec.clipNorm().isPresent();
        int[] next = {0};
        forEachElement(gradients, (p, e, g) -> {
            // With clip_norm, the partial sums are gradientNorm's, term for term, so that the
            // norm and the rescaled gradient are bitwise those of the loop form; without, only
            // finiteness matters and the terms are dealt round-robin for short chains.
            int sum = clipNorm
                    ? (e < p.size() / NORM_CHAINS * NORM_CHAINS ? e % NORM_CHAINS : 0)
                    : next[0]++ % NORM_CHAINS;
            terms.get(sum).add(CodeBlock.of("$L$N * $N", cast, g, g));
        });
        for (int k = 0; k < NORM_CHAINS; k++) {
            code.addStatement(
                    "double $N = $L",
                    sums[k],
                    terms.get(k).isEmpty() ? CodeBlock.of("0.0") : CodeBlock.join(terms.get(k), " + "));
        }
        String squared = fresh.apply("squaredNorm");
        code.addStatement("double $N = $L", squared, chainTotal(sums));
        code.beginControlFlow("if (!$T.isFinite($N))", JavaLang.DOUBLE, squared)
                .add("// The scan of nonFiniteGradient reads the gradient fields.\n");
        forEachElement(gradients, (p, e, g) -> code.addStatement("$N[$L] = $N", p.gradient(), e, g));
        code.addStatement("throw nonFiniteGradient($N, $T.sqrt($N))", step, JavaLang.MATH, squared)
                .endControlFlow();
        spec.clipNorm().ifPresent(c -> {
            code.add("// clip_norm = $L: rescale to global L2 norm at most $L (PyTorch adds 1e-6)\n", c, c)
                    .addStatement(
                            "double scale = $L / ($T.sqrt($N) + 1.0E-6)", Literals.ofDouble(c), JavaLang.MATH, squared)
                    .beginControlFlow("if (scale < 1.0)");
            if (numeric.isFloat()) {
                code.addStatement("float fscale = (float) scale");
            }
            String scale = numeric.isFloat() ? "fscale" : "scale";
            forEachElement(gradients, (p, e, g) -> code.addStatement("$N *= $N", g, scale));
            code.endControlFlow();
        });
        code.add(adamPrelude(step));
        for (ParameterField p : parameters) {
            code.add("// $L\n", p.param().name());
            String[] g = gradients.get(p);
            for (int e = 0; e < p.size(); e++) {
                code.add(updateRule(p.field(), state.get(p), CodeBlock.of("$L", e), CodeBlock.of("$N", g[e])));
            }
        }
        code.add(flushDecayedState(ParameterRuns.whole(), step));
        if (transposes) {
            code.addStatement("transposesStale = true");
        }
        return code.build();
    }

    private interface ElementAction {
        void accept(ParameterField p, int e, String gradient);
    }

    private void forEachElement(Map<ParameterField, String[]> gradients, ElementAction action) {
        for (ParameterField p : parameters) {
            String[] g = gradients.get(p);
            for (int e = 0; e < p.size(); e++) {
                action.accept(p, e, g[e]);
            }
        }
    }

    // for (int i = 0; i < 8; i++) {
    //     d_hidden_weight[i] = Math.min(Math.max(d_hidden_weight[i], -1.0), 1.0);
    // }
    private CodeBlock clipByValue(double c) {
        List<CodeBlock> segments = new ArrayList<>();
        for (ParameterField p : parameters) {
            segments.add(ParameterRuns.whole()
                    .forEachElement(
                            p,
                            numeric,
                            List.of(p.gradient()),
                            g -> CodeBlock.of(
                                    "$N[i] = $T.min($T.max($N[i], $L), $L);\n",
                                    g.name(0),
                                    JavaLang.MATH,
                                    JavaLang.MATH,
                                    g.name(0),
                                    numeric.literal(-c),
                                    numeric.literal(c))));
        }
        return CodeBlock.builder()
                .add("// clip_value = $L: clamp each component\n", c)
                .add(inlineOrSplit("clipValuePart", List.of(), segments, "applyUpdate"))
                .build();
    }

    // double scale = 5.0 / (norm + 1.0E-6);
    // if (scale < 1.0) { for (...) d_w[i] *= scale; }
    private CodeBlock clipByNorm(double c) {
        return CodeBlock.builder()
                .add("// clip_norm = $L: rescale to global L2 norm at most $L (PyTorch adds 1e-6)\n", c, c)
                .addStatement("double scale = $L / (norm + 1.0E-6)", Literals.ofDouble(c))
                .add(scaleGradient(ParameterRuns.whole()))
                .build();
    }

    /** {@code d_w[i] *= scale} when {@code scale < 1}, over all or over one part's share. */
    private CodeBlock scaleGradient(ParameterRuns runs) {
        CodeBlock.Builder code = CodeBlock.builder().beginControlFlow("if (scale < 1.0)");
        if (numeric.isFloat()) {
            code.addStatement("float fscale = (float) scale");
        }
        String scale = numeric.isFloat() ? "fscale" : "scale";
        List<CodeBlock> segments = new ArrayList<>();
        for (ParameterField p : parameters) {
            segments.add(runs.forEachElement(
                    p, numeric, List.of(p.gradient()), g -> CodeBlock.of("$N[i] *= $L;\n", g.name(0), scale)));
        }
        List<ParameterSpec> arguments = new ArrayList<>(runs.parameters());
        arguments.add(ParameterSpec.builder(numeric.type(), scale).build());
        return code.add(inlineOrSplit(
                        runs.isWhole() ? "scalePart" : "scaleRangePart",
                        arguments,
                        segments,
                        runs.isWhole() ? "applyUpdate" : "updateRange"))
                .endControlFlow()
                .build();
    }

    private CodeBlock update(ParameterField p, ParameterRuns runs) {
        List<String> arrays = new ArrayList<>(List.of(p.field(), p.gradient()));
        arrays.addAll(state.get(p).values());
        return CodeBlock.builder()
                .add("// $L\n", p.param().name())
                .add(runs.forEachElement(p, numeric, arrays, run -> updateElement(run.names())))
                .build();
    }

    /** The update of element {@code i}; {@code names} are the value, the gradient and the state arrays. */
    private CodeBlock updateElement(List<String> names) {
        Map<String, String> s = new LinkedHashMap<>();
        List<String> kinds = stateKinds();
        for (int k = 0; k < kinds.size(); k++) {
            s.put(kinds.get(k), names.get(2 + k));
        }
        return updateRule(names.get(0), s, CodeBlock.of("i"), CodeBlock.of("$N[i]", names.get(1)));
    }

    /**
     * The update of element {@code i} of the parameter array {@code w} with state arrays
     * {@code s} (by kind), whose gradient is {@code g}: an element of the gradient array in the
     * loop forms, a local in the fused single-sample step.
     */
    private CodeBlock updateRule(String w, Map<String, String> s, CodeBlock i, CodeBlock g) {
        CodeBlock.Builder code = CodeBlock.builder();
        switch (spec.kind()) {
            case SGD -> {
                if (spec.momentum() == 0) {
                    code.addStatement("$N[$L] -= $L * $L", w, i, lit(spec.lr()), g);
                } else {
                    String buf = s.get("momentum_buffer");
                    // PyTorch starts the buffer as a copy of the first gradient: momentum * 0 + g.
                    code.addStatement("$N[$L] = $L * $N[$L] + $L", buf, i, lit(spec.momentum()), buf, i, g);
                    if (spec.nesterov()) {
                        code.addStatement(
                                "$N[$L] -= $L * ($L + $L * $N[$L])",
                                w,
                                i,
                                lit(spec.lr()),
                                g,
                                lit(spec.momentum()),
                                buf,
                                i);
                    } else {
                        code.addStatement("$N[$L] -= $L * $N[$L]", w, i, lit(spec.lr()), buf, i);
                    }
                }
            }
            case ADAGRAD -> {
                String sum = s.get("sum");
                code.addStatement("$N[$L] += $L * $L", sum, i, g, g)
                        .addStatement(
                                "$N[$L] -= $L * ($L / ($L + $L))",
                                w,
                                i,
                                lit(spec.lr()),
                                g,
                                numeric.math("sqrt", CodeBlock.of("$N[$L]", sum, i)),
                                lit(spec.eps()));
            }
            case RMSPROP -> {
                String avg = s.get("square_avg");
                code.addStatement(
                                "$N[$L] = $N[$L] * $L + $L * ($L * $L)",
                                avg,
                                i,
                                avg,
                                i,
                                lit(spec.rho()),
                                lit(1 - spec.rho()),
                                g,
                                g)
                        .addStatement(
                                "$N[$L] -= $L * ($L / ($L + $L))",
                                w,
                                i,
                                lit(spec.lr()),
                                g,
                                numeric.math("sqrt", CodeBlock.of("$N[$L]", avg, i)),
                                lit(spec.eps()));
            }
            case ADAM -> {
                String m = s.get("exp_avg");
                String v = s.get("exp_avg_sq");
                // torch.lerp(m, g, 1 - beta1) = m + (1 - beta1) * (g - m)
                code.addStatement("$N[$L] += $L * ($L - $N[$L])", m, i, lit(1 - spec.beta1()), g, m, i)
                        .addStatement(
                                "$N[$L] = $N[$L] * $L + $L * ($L * $L)",
                                v,
                                i,
                                v,
                                i,
                                lit(spec.beta2()),
                                lit(1 - spec.beta2()),
                                g,
                                g)
                        .addStatement(
                                "$N[$L] -= stepSize * ($N[$L] / ($L / biasCorrection2Sqrt + $L))",
                                w,
                                i,
                                m,
                                i,
                                numeric.math("sqrt", CodeBlock.of("$N[$L]", v, i)),
                                lit(spec.eps()));
            }
        }
        return code.build();
    }

    /** Adam's bias corrections, computed once per step before the parameter loops. */
    private CodeBlock adamPrelude(String step) {
        if (spec.kind() != OptimizerSpec.Kind.ADAM) {
            return CodeBlock.of("");
        }
        String t = numeric.type().toString();
        String cast = numeric.isFloat() ? "(float) " : "";
        return CodeBlock.builder()
                .add("// Adam bias corrections for step t (PyTorch: eps after the correction)\n")
                .addStatement(
                        "$L stepSize = $L($L / (1.0 - $T.pow($L, $N)))",
                        t,
                        cast,
                        Literals.ofDouble(spec.lr()),
                        JavaLang.MATH,
                        Literals.ofDouble(spec.beta1()),
                        step)
                .addStatement(
                        "$L biasCorrection2Sqrt = $L$T.sqrt(1.0 - $T.pow($L, $N))",
                        t,
                        cast,
                        JavaLang.MATH,
                        JavaLang.MATH,
                        Literals.ofDouble(spec.beta2()),
                        step)
                .build();
    }

    private String lit(double value) {
        return numeric.literal(value);
    }

    /**
     * {@code gradientNorm()}: the global L2 norm of the gradient, accumulated in double even in
     * float classes (a float sum of squares overflows near 1.8e19).
     */
    MethodSpec gradientNorm() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("gradientNorm")
                .addModifiers(Modifier.PRIVATE)
                .returns(TypeName.DOUBLE);
        MethodParts.Split split = squaresInParts(ParameterRuns.whole(), "gradientNorm");
        if (split == null) {
            return method.addCode(squaresDeclarations())
                    .addCode(squares(ParameterRuns.whole()))
                    .addStatement("return $T.sqrt($L)", JavaLang.MATH, chainTotal(chainNames()))
                    .build();
        }
        parts.addAll(split.methods());
        return method.addCode(split.calls())
                .addStatement("return $T.sqrt(sum)", JavaLang.MATH)
                .build();
    }

    /**
     * Statements that return the sum of squares of the gradient over {@code runs}, as the end
     * of method {@code whole}: in parts when long (see {@link #squaresInParts}).
     */
    CodeBlock returnSquares(ParameterRuns runs, String whole) {
        MethodParts.Split split = squaresInParts(runs, whole);
        if (split == null) {
            return CodeBlock.builder()
                    .add(squaresDeclarations())
                    .add(squares(runs))
                    .addStatement("return $L", chainTotal(chainNames()))
                    .build();
        }
        parts.addAll(split.methods());
        return CodeBlock.builder().add(split.calls()).addStatement("return sum").build();
    }

    /**
     * The sum of squares of a long gradient as parts that each return their share's (a local
     * {@code sum} after {@link MethodParts.Split#calls}), or null when it fits in one method.
     * Each part keeps its own {@link #NORM_CHAINS} chains; the order of the additions differs
     * from one method's by rounding only.
     */
    MethodParts.Split squaresInParts(ParameterRuns runs, String whole) {
        List<CodeBlock> segments = squareSegments(runs);
        if (MethodParts.length(segments) <= NetworkClasses.SPLIT_THRESHOLD) {
            return null;
        }
        return MethodParts.split(
                whole + "Part",
                List.of(Modifier.PRIVATE),
                runs.parameters(),
                segments,
                whole,
                null,
                MethodParts.Result.sum(squaresDeclarations(), CodeBlock.of("return $L;\n", chainTotal(chainNames()))));
    }

    /**
     * Partial sums of the squared norm: independent additions keep both floating-point adders
     * busy (a single chain waits 4 cycles per element; 4 chains measured 132 µs and 8 chains
     * 77 µs over N5's 200,704 weights). The order differs from a single sum by rounding only,
     * and the norm serves clipping and the finiteness check alone.
     */
    static final int NORM_CHAINS = 8;

    private static String[] chainNames() {
        String[] names = new String[NORM_CHAINS];
        for (int k = 0; k < NORM_CHAINS; k++) {
            names[k] = "s" + k;
        }
        return names;
    }

    /** {@code double s0 = 0.0, ..., s7 = 0.0; int i;}: the locals {@link #squares} adds to. */
    static CodeBlock squaresDeclarations() {
        return CodeBlock.builder()
                .addStatement(
                        "double $L",
                        String.join(
                                ", ",
                                java.util.Arrays.stream(chainNames())
                                        .map(n -> n + " = 0.0")
                                        .toList()))
                .addStatement("int i")
                .build();
    }

    /** {@code ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))}: the chains added pairwise. */
    static String chainTotal(String[] sums) {
        List<String> level = List.of(sums);
        while (level.size() > 1) {
            List<String> next = new ArrayList<>();
            for (int k = 0; k < level.size(); k += 2) {
                next.add(
                        level.size() == 2
                                ? level.get(k) + " + " + level.get(k + 1)
                                : "(" + level.get(k) + " + " + level.get(k + 1) + ")");
            }
            level = next;
        }
        return level.get(0);
    }

    /** {@link #chainTotal} of the locals {@code s0} to {@code s7}. */
    static String chainTotal() {
        return chainTotal(chainNames());
    }

    /**
     * Adds the squares of the gradient's elements (all, or one part's share) to the locals
     * {@code s0} to {@code s7} that {@link #squaresDeclarations} declares, eight at a time.
     */
    CodeBlock squares(ParameterRuns runs) {
        return CodeBlock.join(squareSegments(runs), "");
    }

    private List<CodeBlock> squareSegments(ParameterRuns runs) {
        String cast = numeric.isFloat() ? "(double) " : "";
        List<CodeBlock> segments = new ArrayList<>();
        for (ParameterField p : parameters) {
            segments.add(runs.forEachRun(p, numeric, List.of(p.gradient()), run -> {
                String g = run.name(0);
                CodeBlock.Builder loop = CodeBlock.builder()
                        .beginControlFlow(
                                "for (i = $L; i + $L <= $L; i += $L)", run.from(), NORM_CHAINS, run.to(), NORM_CHAINS);
                for (int k = 0; k < NORM_CHAINS; k++) {
                    CodeBlock at = k == 0 ? CodeBlock.of("i") : CodeBlock.of("i + $L", k);
                    loop.addStatement("s$L += $L$N[$L] * $N[$L]", k, cast, g, at, g, at);
                }
                CodeBlock loops = loop.endControlFlow()
                        .beginControlFlow("for (; i < $L; i++)", run.to())
                        .addStatement("s0 += $L$N[i] * $N[i]", cast, g, g)
                        .endControlFlow()
                        .build();
                return VectorKernels.covers(numeric)
                        ? VectorKernels.sumOfSquares("s0", g, run.from(), run.to(), loops)
                        : loops;
            }));
        }
        return segments;
    }

    /**
     * {@code nonFiniteGradient(step, norm)}: the exception naming the first non-finite gradient
     * entry. Runs only after a failure, so the scan costs nothing in training.
     */
    MethodSpec nonFiniteGradient() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("nonFiniteGradient")
                .addModifiers(Modifier.PRIVATE)
                .returns(NON_FINITE)
                .addParameter(TypeName.LONG, "step")
                .addParameter(TypeName.DOUBLE, "norm");
        List<CodeBlock> segments = new ArrayList<>();
        for (ParameterField p : parameters) {
            // The index the exception reports is the flat row-major one of the contract.
            CodeBlock flatIndex = p.byColumns() ? CodeBlock.of("i * $L + c", p.cols()) : CodeBlock.of("i");
            segments.add(ParameterRuns.whole()
                    .forEachElement(
                            p,
                            numeric,
                            List.of(p.gradient()),
                            g -> CodeBlock.builder()
                                    .beginControlFlow("if (!$T.isFinite($N[i]))", JavaLang.DOUBLE, g.name(0))
                                    .addStatement(
                                            "return new $T(step, $T.Quantity.GRADIENT, $N[i], $S, $L)",
                                            NON_FINITE,
                                            NON_FINITE,
                                            g.name(0),
                                            p.param().name(),
                                            flatIndex)
                                    .endControlFlow()
                                    .build()));
        }
        if (MethodParts.length(segments) <= NetworkClasses.SPLIT_THRESHOLD) {
            segments.forEach(method::addCode);
        } else {
            MethodParts.Split split = MethodParts.split(
                    "nonFiniteGradientPart",
                    List.of(Modifier.PRIVATE),
                    List.of(ParameterSpec.builder(TypeName.LONG, "step").build()),
                    segments,
                    "nonFiniteGradient",
                    null,
                    MethodParts.Result.first(NON_FINITE));
            parts.addAll(split.methods());
            method.addCode(split.calls());
        }
        return method.addStatement("return new $T(step, $T.Quantity.GRADIENT, norm)", NON_FINITE, NON_FINITE)
                .build();
    }
}
