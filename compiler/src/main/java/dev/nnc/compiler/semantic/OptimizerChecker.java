package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.frontend.ast.Expr;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.DoublePredicate;

/**
 * The {@code optimizer} statement: one of {@code sgd}, {@code adagrad}, {@code rmsprop},
 * {@code adam}, with arguments checked against the ranges PyTorch accepts (tightened where
 * PyTorch's edge would divide by zero or never converge: {@code eps > 0}, {@code rho < 1}).
 */
final class OptimizerChecker {
    private static final double DEFAULT_MOMENTUM = 0;
    private static final double DEFAULT_EPS = 1e-8;
    private static final double DEFAULT_RHO = 0.9;
    private static final double DEFAULT_ADAM_LR = 0.001;
    private static final double DEFAULT_BETA1 = 0.9;
    private static final double DEFAULT_BETA2 = 0.999;

    private final Context context;
    private final ExprChecker exprs;

    OptimizerChecker(Context context, ExprChecker exprs) {
        this.context = context;
        this.exprs = exprs;
    }

    static Signature signature(OptimizerSpec.Kind kind) {
        String name = kind.spelling();
        return switch (kind) {
            case SGD -> Signature.of(name, 1, "lr", "momentum", "nesterov", "clip_value", "clip_norm");
            case ADAGRAD -> Signature.of(name, 1, "lr", "eps", "clip_value", "clip_norm");
            case RMSPROP -> Signature.of(name, 1, "lr", "rho", "eps", "clip_value", "clip_norm");
            case ADAM -> Signature.of(name, 0, "lr", "beta1", "beta2", "eps", "clip_value", "clip_norm");
        };
    }

    Optional<OptimizerSpec> check(Expr expr) {
        String name;
        List<Expr.Argument> arguments;
        if (expr instanceof Expr.Name n) {
            name = n.name();
            arguments = List.of();
        } else if (expr instanceof Expr.Call call) {
            name = call.callee();
            arguments = call.arguments();
        } else {
            context.diagnostics.report(
                    DiagnosticCode.ARGUMENT_KIND,
                    expr.span(),
                    "the optimizer",
                    "a call such as adam(lr = 0.001)",
                    context.text(expr.span()));
            return Optional.empty();
        }
        var at = expr instanceof Expr.Call call ? call.calleeSpan() : expr.span();
        Optional<OptimizerSpec.Kind> kind = Vocabulary.optimizer(name);
        if (kind.isEmpty()) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.NAME_UNKNOWN_OPTIMIZER,
                    at,
                    Suggestions.didYouMeanOrList(name, Vocabulary.optimizerSpellings(), "optimizers"),
                    name);
            return Optional.empty();
        }
        return ArgumentBinder.bind(signature(kind.get()), arguments, at, context.diagnostics)
                .flatMap(bound -> spec(kind.get(), bound, expr));
    }

    private Optional<OptimizerSpec> spec(OptimizerSpec.Kind kind, Map<String, Expr.Argument> args, Expr expr) {
        String name = kind.spelling();
        OptionalDouble lr = number(
                args,
                "lr",
                name,
                kind == OptimizerSpec.Kind.ADAM ? DEFAULT_ADAM_LR : Double.NaN,
                v -> v > 0,
                "greater than 0");
        OptionalDouble momentum = number(args, "momentum", name, DEFAULT_MOMENTUM, v -> v >= 0, "at least 0");
        OptionalDouble eps = number(args, "eps", name, DEFAULT_EPS, v -> v > 0, "greater than 0");
        OptionalDouble rho = number(args, "rho", name, DEFAULT_RHO, v -> v >= 0 && v < 1, "at least 0 and less than 1");
        OptionalDouble beta1 =
                number(args, "beta1", name, DEFAULT_BETA1, v -> v >= 0 && v < 1, "at least 0 and less than 1");
        OptionalDouble beta2 =
                number(args, "beta2", name, DEFAULT_BETA2, v -> v >= 0 && v < 1, "at least 0 and less than 1");
        OptionalDouble clipValue = number(args, "clip_value", name, Double.NaN, v -> v > 0, "greater than 0");
        OptionalDouble clipNorm = number(args, "clip_norm", name, Double.NaN, v -> v > 0, "greater than 0");
        Optional<Boolean> nesterov = args.containsKey("nesterov")
                ? LayerChecker.flag(context, args.get("nesterov").value(), "'nesterov' of '" + name + "'")
                : Optional.of(false);
        if (lr.isEmpty()
                || momentum.isEmpty()
                || eps.isEmpty()
                || rho.isEmpty()
                || beta1.isEmpty()
                || beta2.isEmpty()
                || clipValue.isEmpty()
                || clipNorm.isEmpty()
                || nesterov.isEmpty()) {
            return Optional.empty();
        }
        if (nesterov.get() && momentum.getAsDouble() == 0) {
            // PyTorch refuses this combination too: Nesterov's look-ahead needs a momentum.
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.ARGUMENT_RANGE,
                    args.get("nesterov").span(),
                    "give a momentum, e.g. momentum = 0.9",
                    "'momentum' of 'sgd' with nesterov = true",
                    "greater than 0",
                    "0");
            return Optional.empty();
        }
        return Optional.of(new OptimizerSpec(
                kind,
                lr.getAsDouble(),
                momentum.getAsDouble(),
                nesterov.get(),
                eps.getAsDouble(),
                rho.getAsDouble(),
                beta1.getAsDouble(),
                beta2.getAsDouble(),
                present(clipValue.getAsDouble()),
                present(clipNorm.getAsDouble()),
                expr.span()));
    }

    private static OptionalDouble present(double value) {
        return Double.isNaN(value) ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    /**
     * The value of argument {@code parameter} (or {@code fallback} when not given; NaN stands
     * for "absent"), empty after an error.
     */
    private OptionalDouble number(
            Map<String, Expr.Argument> args,
            String parameter,
            String optimizer,
            double fallback,
            DoublePredicate valid,
            String range) {
        if (!args.containsKey(parameter)) {
            return OptionalDouble.of(fallback);
        }
        Expr expr = args.get(parameter).value();
        String what = "'" + parameter + "' of '" + optimizer + "'";
        OptionalDouble value = exprs.constant(expr, what);
        if (value.isPresent() && !valid.test(value.getAsDouble())) {
            context.diagnostics.report(
                    DiagnosticCode.ARGUMENT_RANGE, expr.span(), what, range, context.found(expr, value.getAsDouble()));
            return OptionalDouble.empty();
        }
        return value;
    }
}
