package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.frontend.ast.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Calls of {@link ShapeFunction}s: {@code reshape}, {@code flatten}, {@code concat}, the window
 * pools and the global pools. Each checks the shape it needs and names the numbers when the
 * shapes do not fit.
 */
final class ShapeFunctionChecker {
    private final Context context;
    private final ExprChecker exprs;
    private final WindowChecker windows;

    ShapeFunctionChecker(Context context, ExprChecker exprs) {
        this.context = context;
        this.exprs = exprs;
        this.windows = new WindowChecker(context, exprs);
    }

    Optional<Term> check(ShapeFunction function, Expr.Call call) {
        if (function == ShapeFunction.CONCAT) {
            return concat(call);
        }
        Optional<Map<String, Expr.Argument>> bound =
                ArgumentBinder.bind(function.signature(), call.arguments(), call.calleeSpan(), context.diagnostics);
        if (bound.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Expr.Argument> args = bound.get();
        Expr x = args.get("x").value();
        Optional<Term> input = exprs.check(x);
        return switch (function) {
            case RESHAPE -> reshape(input, args.get("shape").value(), call);
            case FLATTEN ->
                input.map(
                        term -> new Term.Reshape(term, Shape.vector(term.shape().size()), call.span()));
            case MAX_POOL1D, MAX_POOL2D -> pool(function, Term.Pool.Kind.MAX, input, args, call);
            case AVG_POOL1D, AVG_POOL2D -> pool(function, Term.Pool.Kind.AVERAGE, input, args, call);
            case GLOBAL_AVG_POOL -> global(function, Term.Pool.Kind.AVERAGE, input, x, call);
            case GLOBAL_MAX_POOL -> global(function, Term.Pool.Kind.MAX, input, x, call);
            case CONCAT -> throw new InternalCompilerError("concat is checked apart");
        };
    }

    private Optional<Term> reshape(Optional<Term> input, Expr dims, Expr.Call call) {
        if (!(dims instanceof Expr.ListLiteral list)) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.ARGUMENT_KIND,
                    dims.span(),
                    "for a vector write [" + context.text(dims.span()) + "], or use flatten(x)",
                    "the shape of 'reshape'",
                    "a list of dimensions such as [4, 16]",
                    context.text(dims.span()));
            return Optional.empty();
        }
        Optional<Shape> shape = exprs.shape(list.elements(), "the shape of 'reshape'", list.span());
        if (input.isEmpty() || shape.isEmpty()) {
            return Optional.empty();
        }
        Shape from = input.get().shape();
        if (from.size() != shape.get().size()) {
            context.diagnostics.report(
                    DiagnosticCode.SHAPE_RESHAPE,
                    list.span(),
                    from,
                    elements(from),
                    shape.get(),
                    elements(shape.get()));
            return Optional.empty();
        }
        return Optional.of(new Term.Reshape(input.get(), shape.get(), call.span()));
    }

    /** "16" for a vector, "2*8 = 16" for a tensor of several dimensions: its element count. */
    private static String elements(Shape shape) {
        if (shape.rank() <= 1) {
            return Integer.toString(shape.size());
        }
        return shape.dimensions().stream().map(String::valueOf).collect(Collectors.joining("*")) + " = " + shape.size();
    }

    private Optional<Term> pool(
            ShapeFunction function,
            Term.Pool.Kind kind,
            Optional<Term> input,
            Map<String, Expr.Argument> args,
            Expr.Call call) {
        String name = function.spelling();
        int spatial = function.spatialRank();
        Optional<Term.Window> window = windows.pool(name, spatial, args);
        Optional<Shape> inputShape = input.flatMap(
                term -> windows.input(name, spatial, term, args.get("x").value()));
        if (window.isEmpty() || inputShape.isEmpty()) {
            return Optional.empty();
        }
        return windows.output(
                        name, window.get(), inputShape.get(), inputShape.get().rows(), call)
                .map(shape -> new Term.Pool(kind, input.get(), window.get(), shape, call.span()));
    }

    private Optional<Term> global(
            ShapeFunction function, Term.Pool.Kind kind, Optional<Term> input, Expr x, Expr.Call call) {
        if (input.isEmpty()) {
            return Optional.empty();
        }
        Shape shape = input.get().shape();
        if (shape.rank() < 2) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.SHAPE_EXPECTED,
                    x.span(),
                    shape.isVector() ? "a vector is one value per channel already; there is nothing to pool" : null,
                    "the input of '" + function.spelling() + "'",
                    "[channels, ...] with at least 2 dimensions",
                    shape);
            return Optional.empty();
        }
        return Optional.of(new Term.GlobalPool(kind, input.get(), Shape.vector(shape.rows()), call.span()));
    }

    /** {@code concat(a, b, ...)}: at least two positional tensors that agree after the first dimension. */
    private Optional<Term> concat(Expr.Call call) {
        boolean ok = true;
        for (Expr.Argument argument : call.arguments()) {
            if (argument.name().isPresent()) {
                context.diagnostics.reportWithHelp(
                        DiagnosticCode.ARGUMENT_UNKNOWN,
                        argument.nameSpan().orElse(argument.span()),
                        "its arguments are the tensors to join, all positional",
                        "concat",
                        argument.name().get());
                ok = false;
            }
        }
        if (!ok) {
            return Optional.empty();
        }
        if (call.arguments().size() < 2) {
            context.diagnostics.report(
                    DiagnosticCode.ARGUMENT_COUNT,
                    call.calleeSpan(),
                    "concat",
                    "at least 2 arguments (a, b, ...)",
                    call.arguments().size());
            return Optional.empty();
        }
        List<Term> parts = new ArrayList<>();
        for (Expr.Argument argument : call.arguments()) {
            Optional<Term> part = exprs.check(argument.value());
            ok &= part.isPresent();
            part.ifPresent(parts::add);
        }
        if (!ok) {
            return Optional.empty();
        }
        Shape first = parts.get(0).shape();
        long rows = 0;
        for (int i = 0; i < parts.size(); i++) {
            Shape shape = parts.get(i).shape();
            Expr at = call.arguments().get(i).value();
            if (shape.isScalar()) {
                context.diagnostics.reportWithHelp(
                        DiagnosticCode.SHAPE_EXPECTED,
                        at.span(),
                        "a scalar has no first dimension to join along; reshape(" + context.text(at.span())
                                + ", [1]) is a vector of one",
                        "an argument of 'concat'",
                        "a vector or a tensor",
                        shape);
                return Optional.empty();
            }
            if (!shape.row().equals(first.row()) || shape.rank() != first.rank()) {
                context.diagnostics.reportWithHelp(
                        DiagnosticCode.SHAPE_CONCAT,
                        at.span(),
                        String.format(
                                Locale.ROOT,
                                "only the first dimension may differ: after it, argument 1 has %s and argument %d %s",
                                rest(first),
                                i + 1,
                                rest(shape)),
                        first,
                        shape);
                return Optional.empty();
            }
            rows += shape.rows();
        }
        long elements = rows * first.cols();
        if (elements > Limits.MAX_ELEMENTS) {
            context.diagnostics.report(
                    DiagnosticCode.SHAPE_TOO_LARGE,
                    call.span(),
                    "the result of 'concat'",
                    String.format(Locale.ROOT, "%,d", elements),
                    Limits.MAX_ELEMENTS);
            return Optional.empty();
        }
        return Optional.of(first.withRows((int) rows)).map(shape -> new Term.Concat(parts, shape, call.span()));
    }

    /** The dimensions after the first, as a message names them. */
    private static String rest(Shape shape) {
        return shape.isVector() ? "none" : shape.row().toString();
    }
}
