package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.frontend.ast.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Calls in expressions: builtins (elementwise and vector functions, losses, regularisers) and,
 * through {@link LayerChecker} and {@link ShapeFunctionChecker}, layers and shape functions.
 * Binds the arguments, checks their shapes and fills in defaults.
 */
final class CallChecker {
    private final Context context;
    private final ExprChecker exprs;
    private final LayerChecker layers;
    private final ShapeFunctionChecker shapeFunctions;

    CallChecker(Context context, ExprChecker exprs) {
        this.context = context;
        this.exprs = exprs;
        this.layers = new LayerChecker(context, exprs);
        this.shapeFunctions = new ShapeFunctionChecker(context, exprs);
    }

    Optional<Term> check(Expr.Call call) {
        Optional<Layer> layer = Layer.named(call.callee());
        if (layer.isPresent()) {
            return layers.check(layer.get(), call);
        }
        Optional<ShapeFunction> shapeFunction = ShapeFunction.named(call.callee());
        if (shapeFunction.isPresent()) {
            return shapeFunctions.check(shapeFunction.get(), call);
        }
        Optional<Builtin> builtin = Builtin.named(call.callee());
        if (builtin.isPresent()) {
            return builtin(builtin.get(), call);
        }
        Optional<String> kind = Vocabulary.kindOf(call.callee());
        if (kind.isPresent()) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.NAME_NOT_A_VALUE,
                    call.calleeSpan(),
                    Vocabulary.usage(call.callee()),
                    call.callee(),
                    kind.get());
            return Optional.empty();
        }
        context.diagnostics.reportWithHelp(
                DiagnosticCode.NAME_UNKNOWN_FUNCTION,
                call.calleeSpan(),
                Suggestions.didYouMean(call.callee(), Vocabulary.callableSpellings())
                        .orElse(null),
                call.callee());
        return Optional.empty();
    }

    /** The positional names of a builtin's arguments, then its option. */
    static Signature signature(Builtin builtin) {
        List<String> names = new ArrayList<>(
                switch (builtin.kind()) {
                    case LOSS -> List.of("p", "y");
                    case REGULARIZER -> List.of("w");
                    case ELEMENTWISE, VECTOR, REDUCTION -> builtin.arity() == 1 ? List.of("x") : List.of("a", "b");
                });
        builtin.option().ifPresent(names::add);
        return new Signature(builtin.spelling(), names, builtin.arity());
    }

    private Optional<Term> builtin(Builtin builtin, Expr.Call call) {
        Signature signature = signature(builtin);
        Optional<Map<String, Expr.Argument>> bound =
                ArgumentBinder.bind(signature, call.arguments(), call.calleeSpan(), context.diagnostics);
        if (bound.isEmpty()) {
            return Optional.empty();
        }
        if (builtin.kind() == Builtin.Kind.REGULARIZER) {
            return regularizer(builtin, bound.get().get("w").value(), call);
        }
        List<Term> arguments = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < builtin.arity(); i++) {
            Optional<Term> argument =
                    exprs.check(bound.get().get(signature.parameters().get(i)).value());
            ok &= argument.isPresent();
            argument.ifPresent(arguments::add);
        }
        double option = builtin.optionDefault();
        if (builtin.option().isPresent()
                && bound.get().containsKey(builtin.option().get())) {
            String name = builtin.option().get();
            OptionalDouble value =
                    exprs.constant(bound.get().get(name).value(), "'" + name + "' of '" + builtin.spelling() + "'");
            ok &= value.isPresent();
            option = value.orElse(option);
        }
        if (!ok) {
            return Optional.empty();
        }
        // Builtins without an option carry NaN, their optionDefault().
        double resolved = option;
        return shape(builtin, arguments, call).map(s -> new Term.Apply(builtin, arguments, resolved, s, call.span()));
    }

    private Optional<Shape> shape(Builtin builtin, List<Term> arguments, Expr.Call call) {
        Shape first = arguments.get(0).shape();
        String quoted = "'" + builtin.spelling() + "'";
        return switch (builtin.kind()) {
            case ELEMENTWISE ->
                arguments.size() == 1
                        ? Optional.of(first)
                        : pair(builtin, first, arguments.get(1).shape(), call, true);
            case VECTOR -> {
                if (first.isVector() && first.rows() >= 2) {
                    yield Optional.of(first);
                }
                context.diagnostics.reportWithHelp(
                        DiagnosticCode.SHAPE_EXPECTED,
                        call.span(),
                        first.isVector()
                                ? "the " + builtin.spelling()
                                        + " of one element is constant; for one probability use sigmoid"
                                : null,
                        "the argument of " + quoted,
                        "a vector of at least 2 elements",
                        first);
                yield Optional.empty();
            }
            case REDUCTION ->
                builtin == Builtin.DOT ? dot(first, arguments.get(1).shape(), call) : Optional.of(Shape.scalar());
            case LOSS ->
                pair(builtin, first, arguments.get(1).shape(), call, false).map(s -> Shape.scalar());
            case REGULARIZER -> Optional.of(Shape.scalar());
        };
    }

    /** Two shapes that must agree, with scalar broadcast where {@code broadcast} allows it. */
    private Optional<Shape> pair(Builtin builtin, Shape a, Shape b, Expr.Call call, boolean broadcast) {
        Optional<Shape> shape =
                broadcast ? ExprChecker.broadcast(a, b) : Optional.of(a).filter(b::equals);
        if (shape.isEmpty()) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.SHAPE_MISMATCH,
                    call.calleeSpan(),
                    broadcast
                            ? "the arguments need equal shapes, or a scalar on one side"
                            : "the prediction and the target must have the same shape",
                    builtin.spelling(),
                    a,
                    b);
        }
        return shape;
    }

    private Optional<Shape> dot(Shape a, Shape b, Expr.Call call) {
        if (!a.isVector() || !b.isVector()) {
            context.diagnostics.report(
                    DiagnosticCode.SHAPE_EXPECTED,
                    call.span(),
                    "the arguments of 'dot'",
                    "vectors",
                    a.isVector() ? b : a);
            return Optional.empty();
        }
        return pair(Builtin.DOT, a, b, call, false).map(s -> Shape.scalar());
    }

    /** {@code l1(x)}, {@code l2(x)}, or with {@code weights}: one argument per weight matrix. */
    private Optional<Term> regularizer(Builtin builtin, Expr argument, Expr.Call call) {
        boolean weights = argument instanceof Expr.Name name
                && name.name().equals(Vocabulary.WEIGHTS)
                && context.scope.lookup(Vocabulary.WEIGHTS).isEmpty();
        if (!weights) {
            return exprs.check(argument)
                    .map(term -> new Term.Apply(builtin, List.of(term), Double.NaN, Shape.scalar(), call.span()));
        }
        if (context.network.isEmpty()) {
            context.diagnostics.report(
                    DiagnosticCode.NETWORK_STATEMENT_IN_FUNCTION,
                    argument.span(),
                    "'weights' names the weight matrices of a network; a function has none");
            return Optional.empty();
        }
        List<Term> reads = context.parameters().stream()
                .filter(Symbol.Param::isWeight)
                .map(p -> (Term) new Term.Read(p, argument.span()))
                .toList();
        if (reads.isEmpty()) {
            context.diagnostics.report(DiagnosticCode.NAME_NO_WEIGHTS, argument.span(), context.network.get());
            return Optional.empty();
        }
        return Optional.of(new Term.Apply(builtin, reads, Double.NaN, Shape.scalar(), call.span()));
    }
}
