package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.frontend.ast.Expr;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The windows of convolutions and pools: their integer-or-pair arguments ({@code kernel},
 * {@code size}, {@code stride}, {@code padding}, {@code dilation}), {@code padding = same}, the
 * input they need ({@code [C, L]} or {@code [C, H, W]}) and their output sizes, which follow
 * PyTorch. An empty output is reported with the arithmetic that produced it.
 */
final class WindowChecker {
    /** The word for "pad to keep the size" in {@code padding = same}. */
    static final String SAME = "same";

    private final Context context;
    private final ExprChecker exprs;

    WindowChecker(Context context, ExprChecker exprs) {
        this.context = context;
        this.exprs = exprs;
    }

    /**
     * A convolution's window: {@code kernel}, then {@code stride}, {@code padding} and
     * {@code dilation} with their defaults 1, 0 and 1. {@code padding = same} pads
     * {@code dilation*(kernel-1)} in total, half of it (rounded down) before, and needs stride 1.
     */
    Optional<Term.Window> convolution(String layer, int spatial, Map<String, Expr.Argument> args) {
        Optional<List<Integer>> kernel = sizes(args.get("kernel").value(), layer, "kernel", spatial, 1);
        Optional<List<Integer>> stride = optional(args, "stride", layer, spatial, 1, 1);
        Optional<List<Integer>> dilation = optional(args, "dilation", layer, spatial, 1, 1);
        Expr padding = args.containsKey("padding") ? args.get("padding").value() : null;
        if (padding == null || !isSame(padding)) {
            Optional<List<Integer>> pads = optional(args, "padding", layer, spatial, 0, 0);
            if (kernel.isEmpty() || stride.isEmpty() || dilation.isEmpty() || pads.isEmpty()) {
                return Optional.empty();
            }
            warnOfPaddingOnlyWindows(layer, kernel.get(), dilation.get(), pads.get(), padding);
            return Optional.of(new Term.Window(kernel.get(), stride.get(), pads.get(), pads.get(), dilation.get()));
        }
        if (kernel.isEmpty() || stride.isEmpty() || dilation.isEmpty()) {
            return Optional.empty();
        }
        if (stride.get().stream().anyMatch(s -> s != 1)) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.ARGUMENT_SAME_NEEDS_STRIDE_1,
                    padding.span(),
                    "a strided convolution cannot keep the size; give the padding as numbers",
                    layer,
                    context.text(args.get("stride").value().span()));
            return Optional.empty();
        }
        List<Integer> begin = new ArrayList<>();
        List<Integer> end = new ArrayList<>();
        for (int axis = 0; axis < spatial; axis++) {
            int total = dilation.get().get(axis) * (kernel.get().get(axis) - 1);
            begin.add(total / 2);
            end.add(total - total / 2);
        }
        return Optional.of(new Term.Window(kernel.get(), stride.get(), begin, end, dilation.get()));
    }

    /**
     * Warns, at the padding, of the first axis whose padding passes what the window reaches,
     * {@code dilation*(kernel-1)}: PyTorch accepts it, but the outputs whose windows lie in the
     * padding alone are the bias and nothing else, and every lowering pays for them (the outputs
     * grow with the padded size). Such a padding is more often a slip than a design. {@code padding = same} never passes it.
     */
    private void warnOfPaddingOnlyWindows(
            String layer, List<Integer> kernel, List<Integer> dilation, List<Integer> pads, Expr padding) {
        for (int axis = 0; axis < kernel.size(); axis++) {
            int reach = dilation.get(axis) * (kernel.get(axis) - 1);
            int pad = pads.get(axis);
            if (pad > reach) {
                context.diagnostics.reportWithHelp(
                        DiagnosticCode.WARN_PADDING_BEYOND_WINDOW,
                        padding.span(),
                        String.format(Locale.ROOT, "a padding of at most %d keeps every window on the input", reach),
                        layer,
                        dimensionName(kernel.size(), axis),
                        pad,
                        String.format(Locale.ROOT, "%d*(%d-1) = %d", dilation.get(axis), kernel.get(axis), reach),
                        pad - reach);
                return;
            }
        }
    }

    /**
     * A pool's window: {@code size}, {@code stride} (default: the size) and {@code padding}
     * (default 0, at most half the window, PyTorch's rule: a wider padding would make windows of
     * padding only). Pools have no dilation and no {@code same} padding.
     */
    Optional<Term.Window> pool(String layer, int spatial, Map<String, Expr.Argument> args) {
        Optional<List<Integer>> size = sizes(args.get("size").value(), layer, "size", spatial, 1);
        Optional<List<Integer>> stride =
                args.containsKey("stride") ? sizes(args.get("stride").value(), layer, "stride", spatial, 1) : size;
        Optional<List<Integer>> pads;
        if (args.containsKey("padding") && isSame(args.get("padding").value())) {
            Expr padding = args.get("padding").value();
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.ARGUMENT_KIND,
                    padding.span(),
                    "pools have no 'same' padding (nor has PyTorch); give the padding as numbers",
                    "'padding' of '" + layer + "'",
                    spatial == 1 ? "an integer" : "an integer or a pair [height, width]",
                    SAME);
            pads = Optional.empty();
        } else {
            pads = optional(args, "padding", layer, spatial, 0, 0);
        }
        if (size.isEmpty() || stride.isEmpty() || pads.isEmpty()) {
            return Optional.empty();
        }
        for (int axis = 0; axis < spatial; axis++) {
            int window = size.get().get(axis);
            int pad = pads.get().get(axis);
            if (pad > window / 2) {
                Expr at = args.get("padding").value();
                context.diagnostics.reportWithHelp(
                        DiagnosticCode.ARGUMENT_RANGE,
                        at.span(),
                        "a wider padding would make windows that hold padding only",
                        "'padding' of '" + layer + "'",
                        String.format(Locale.ROOT, "at most half the window, %d/2 = %d", window, window / 2),
                        pad);
                return Optional.empty();
            }
        }
        List<Integer> ones = Collections.nCopies(spatial, 1);
        return Optional.of(new Term.Window(size.get(), stride.get(), pads.get(), pads.get(), ones));
    }

    /**
     * The shape of {@code input} when it is what a {@code spatial}-dimensional layer takes:
     * {@code [channels, length]} or {@code [channels, height, width]}.
     */
    Optional<Shape> input(String layer, int spatial, Term input, Expr at) {
        Shape shape = input.shape();
        if (shape.rank() == spatial + 1) {
            return Optional.of(shape);
        }
        String expected = spatial == 1 ? "[channels, length]" : "[channels, height, width]";
        String help = null;
        if (shape.isVector() && spatial == 1) {
            help = String.format(
                    Locale.ROOT,
                    "one channel of %d: reshape(%s, [1, %d])",
                    shape.size(),
                    context.text(at.span()),
                    shape.size());
        } else if (!shape.isScalar() && shape.rank() < spatial + 1) {
            help = String.format(
                    Locale.ROOT,
                    "reshape gives it that form, e.g. reshape(%s, [1, h, w]) with h*w = %d",
                    context.text(at.span()),
                    shape.size());
        }
        context.diagnostics.reportWithHelp(
                DiagnosticCode.SHAPE_EXPECTED, at.span(), help, "the input of '" + layer + "'", expected, shape);
        return Optional.empty();
    }

    /**
     * {@code [channels, *out]} for {@code input}'s trailing dimensions through {@code window}; an
     * empty output is an error that shows PyTorch's formula with the numbers of its first empty
     * dimension (one mistake, one message).
     */
    Optional<Shape> output(String layer, Term.Window window, Shape input, int channels, Expr.Call call) {
        int spatial = window.rank();
        int[] dims = new int[spatial + 1];
        dims[0] = channels;
        for (int axis = 0; axis < spatial; axis++) {
            int in = input.dim(input.rank() - spatial + axis);
            int out = window.output(axis, in);
            if (out < 1) {
                report(layer, window, axis, in, out, call);
                return Optional.empty();
            }
            dims[axis + 1] = out;
        }
        return exprs.tensor(dims, "the output of '" + layer + "'", call.span());
    }

    private void report(String layer, Term.Window window, int axis, int in, int out, Expr.Call call) {
        int k = window.kernel().get(axis);
        int d = window.dilation().get(axis);
        int begin = window.padBegin().get(axis);
        int end = window.padEnd().get(axis);
        String name = dimensionName(window.rank(), axis);
        String padding = begin == end ? "2*" + begin : begin + " + " + end;
        String arithmetic = String.format(
                Locale.ROOT,
                "%s (%d + %s - %d*(%d-1) - 1)/%d + 1 = %d",
                name,
                in,
                padding,
                d,
                k,
                window.stride().get(axis),
                out);
        String help = String.format(
                Locale.ROOT,
                "the window spans %d*(%d-1) + 1 = %d, more than the padded %s %d + %s = %d",
                d,
                k,
                d * (k - 1) + 1,
                name,
                in,
                padding,
                in + begin + end);
        context.diagnostics.reportWithHelp(
                DiagnosticCode.SHAPE_EMPTY_OUTPUT, call.calleeSpan(), help, layer, arithmetic);
    }

    private static String dimensionName(int spatial, int axis) {
        if (spatial == 1) {
            return "length";
        }
        return axis == 0 ? "height" : "width";
    }

    /** {@code padding = same}, unless {@code same} is a name the network declares. */
    private boolean isSame(Expr expr) {
        return expr instanceof Expr.Name name
                && name.name().equals(SAME)
                && context.scope.lookup(SAME).isEmpty();
    }

    private Optional<List<Integer>> optional(
            Map<String, Expr.Argument> args, String argument, String layer, int spatial, int min, int fallback) {
        return args.containsKey(argument)
                ? sizes(args.get(argument).value(), layer, argument, spatial, min)
                : Optional.of(Collections.nCopies(spatial, fallback));
    }

    /** An integer (the same for every spatial dimension) or, in 2-D, a pair {@code [h, w]}. */
    private Optional<List<Integer>> sizes(Expr expr, String layer, String argument, int spatial, int min) {
        String what = "'" + argument + "' of '" + layer + "'";
        if (!(expr instanceof Expr.ListLiteral list)) {
            OptionalInt value = count(expr, what, min);
            return value.isPresent() ? Optional.of(Collections.nCopies(spatial, value.getAsInt())) : Optional.empty();
        }
        if (list.elements().size() != spatial) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.ARGUMENT_KIND,
                    list.span(),
                    spatial == 1 ? "'" + layer + "' has one spatial dimension; pairs are for 2-D layers" : null,
                    what,
                    spatial == 1 ? "an integer" : "an integer or a pair [height, width]",
                    context.text(list.span()));
            return Optional.empty();
        }
        List<Integer> values = new ArrayList<>();
        for (Expr element : list.elements()) {
            OptionalInt value = count(element, what, min);
            if (value.isEmpty()) {
                return Optional.empty();
            }
            values.add(value.getAsInt());
        }
        return Optional.of(values);
    }

    /** A constant integer from {@code min} (0 or 1) to {@link Limits#MAX_DIMENSION}. */
    private OptionalInt count(Expr expr, String what, int min) {
        if (min == 1) {
            return exprs.size(expr, what);
        }
        var value = exprs.constant(expr, what);
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        double v = value.getAsDouble();
        if (v != Math.rint(v)) {
            context.diagnostics.report(DiagnosticCode.LITERAL_NOT_INTEGER, expr.span(), what, context.found(expr, v));
            return OptionalInt.empty();
        }
        if (v < min || v > Limits.MAX_DIMENSION) {
            context.diagnostics.report(
                    DiagnosticCode.ARGUMENT_RANGE,
                    expr.span(),
                    what,
                    String.format(Locale.ROOT, "between %d and %,d", min, Limits.MAX_DIMENSION),
                    context.found(expr, v));
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) v);
    }
}
