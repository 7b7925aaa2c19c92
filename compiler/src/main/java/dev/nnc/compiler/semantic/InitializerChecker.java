package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.frontend.ast.Expr;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Initializers: a name ({@code he_normal}) or a call with constant arguments
 * ({@code uniform(-0.1, 0.1)}). The fan-based ones need a matrix, whose shape [out, in] gives
 * fan-out and fan-in, or a convolution weight [filters, channels, *kernel].
 */
final class InitializerChecker {
    private final Context context;
    private final ExprChecker exprs;

    InitializerChecker(Context context, ExprChecker exprs) {
        this.context = context;
        this.exprs = exprs;
    }

    Optional<Initializer> check(Expr expr, Shape shape) {
        String name;
        List<Expr.Argument> arguments;
        if (expr instanceof Expr.Name n) {
            name = n.name();
            arguments = List.of();
        } else if (expr instanceof Expr.Call call) {
            name = call.callee();
            arguments = call.arguments();
        } else {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.ARGUMENT_KIND,
                    expr.span(),
                    "for a fixed value write constant(" + context.text(expr.span()) + ")",
                    "an initializer",
                    "a name such as zeros or he_normal, or a call such as uniform(-0.1, 0.1)",
                    context.text(expr.span()));
            return Optional.empty();
        }
        Optional<Initializer.Kind> kind = Vocabulary.initializer(name);
        if (kind.isEmpty()) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.NAME_UNKNOWN_INITIALIZER,
                    expr instanceof Expr.Call call ? call.calleeSpan() : expr.span(),
                    Suggestions.didYouMeanOrList(name, Vocabulary.initializerSpellings(), "initializers"),
                    name);
            return Optional.empty();
        }
        Optional<Map<String, Expr.Argument>> bound = ArgumentBinder.bind(
                signature(kind.get(), name),
                arguments,
                expr instanceof Expr.Call call ? call.calleeSpan() : expr.span(),
                context.diagnostics);
        if (bound.isEmpty()) {
            return Optional.empty();
        }
        return switch (kind.get()) {
            case ZEROS, ONES -> Optional.of(Initializer.of(kind.get()));
            case CONSTANT -> value(bound.get(), "value", name).map(v -> new Initializer(kind.get(), v, 0));
            case UNIFORM -> uniform(bound.get(), name);
            case NORMAL -> normal(bound.get(), name);
            case GLOROT_UNIFORM, GLOROT_NORMAL, HE_UNIFORM, HE_NORMAL, LECUN_NORMAL ->
                fanBased(kind.get(), name, shape, expr);
        };
    }

    private static Signature signature(Initializer.Kind kind, String name) {
        return switch (kind) {
            case CONSTANT -> Signature.of(name, 1, "value");
            case UNIFORM -> Signature.of(name, 2, "low", "high");
            case NORMAL -> Signature.of(name, 2, "mean", "std");
            case ZEROS, ONES, GLOROT_UNIFORM, GLOROT_NORMAL, HE_UNIFORM, HE_NORMAL, LECUN_NORMAL ->
                Signature.of(name, 0);
        };
    }

    private Optional<Double> value(Map<String, Expr.Argument> args, String parameter, String initializer) {
        OptionalDouble value =
                exprs.constant(args.get(parameter).value(), "'" + parameter + "' of '" + initializer + "'");
        return value.isPresent() ? Optional.of(value.getAsDouble()) : Optional.empty();
    }

    private Optional<Initializer> uniform(Map<String, Expr.Argument> args, String name) {
        Optional<Double> low = value(args, "low", name);
        Optional<Double> high = value(args, "high", name);
        if (low.isEmpty() || high.isEmpty()) {
            return Optional.empty();
        }
        if (!(low.get() < high.get())) {
            Expr at = args.get("high").value();
            context.diagnostics.report(
                    DiagnosticCode.ARGUMENT_RANGE,
                    at.span(),
                    "'high' of 'uniform'",
                    "greater than 'low' (" + Context.format(low.get()) + ")",
                    context.found(at, high.get()));
            return Optional.empty();
        }
        return Optional.of(new Initializer(Initializer.Kind.UNIFORM, low.get(), high.get()));
    }

    private Optional<Initializer> normal(Map<String, Expr.Argument> args, String name) {
        Optional<Double> mean = value(args, "mean", name);
        Optional<Double> std = value(args, "std", name);
        if (mean.isEmpty() || std.isEmpty()) {
            return Optional.empty();
        }
        if (!(std.get() > 0)) {
            Expr at = args.get("std").value();
            context.diagnostics.report(
                    DiagnosticCode.ARGUMENT_RANGE,
                    at.span(),
                    "'std' of 'normal'",
                    "greater than 0",
                    context.found(at, std.get()));
            return Optional.empty();
        }
        return Optional.of(new Initializer(Initializer.Kind.NORMAL, mean.get(), std.get()));
    }

    private Optional<Initializer> fanBased(Initializer.Kind kind, String name, Shape shape, Expr expr) {
        if (shape.rank() < 2) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.SHAPE_EXPECTED,
                    expr.span(),
                    "fan-in and fan-out come from a matrix's shape; use zeros, constant, uniform or normal here",
                    "a parameter initialized with '" + name + "'",
                    "a matrix or a tensor of more dimensions",
                    shape);
            return Optional.empty();
        }
        return Optional.of(Initializer.of(kind));
    }
}
