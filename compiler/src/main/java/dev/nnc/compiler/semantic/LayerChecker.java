package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.frontend.ast.Expr;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * {@code dense}, {@code rbf}, {@code dropout}, {@code conv1d}, {@code conv2d}, {@code rnn}, {@code gru},
 * {@code lstm}, {@code batch_norm}, {@code layer_norm} and {@code embedding}. A layer may only appear in a network
 * definition, at most once per definition, because its parameters are named after the
 * definition ({@code hidden.weight}).
 */
final class LayerChecker {
    private final Context context;
    private final ExprChecker exprs;
    private final InitializerChecker initializers;
    private final WindowChecker windows;
    private final EmbeddingChecker embeddings;

    LayerChecker(Context context, ExprChecker exprs) {
        this.context = context;
        this.exprs = exprs;
        this.initializers = new InitializerChecker(context, exprs);
        this.windows = new WindowChecker(context, exprs);
        this.embeddings = new EmbeddingChecker(context, exprs);
    }

    Optional<Term> check(Layer layer, Expr.Call call) {
        if (context.network.isEmpty()) {
            context.diagnostics.report(
                    DiagnosticCode.NETWORK_STATEMENT_IN_FUNCTION,
                    call.calleeSpan(),
                    "a function cannot hold the layer '" + layer.spelling() + "': layers own trainable parameters");
            return Optional.empty();
        }
        Optional<Context.Site> site = context.site();
        if (site.isEmpty()) {
            context.diagnostics.report(
                    DiagnosticCode.LAYER_OUTSIDE_DEFINITION, call.calleeSpan(), layer.spelling(), layer.spelling());
            return Optional.empty();
        }
        if (site.get().layer.isPresent() && layer != Layer.DROPOUT) {
            Expr.Call first = site.get().layer.get();
            context.diagnostics.reportWithNote(
                    DiagnosticCode.LAYER_NESTED,
                    call.calleeSpan(),
                    first.calleeSpan(),
                    "the first layer of '" + site.get().definition + "' is here",
                    site.get().definition,
                    first.callee());
            return Optional.empty();
        }
        if (layer != Layer.DROPOUT) {
            site.get().layer = Optional.of(call);
        }
        Optional<Map<String, Expr.Argument>> bound =
                ArgumentBinder.bind(layer.signature(), call.arguments(), call.calleeSpan(), context.diagnostics);
        if (bound.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Expr.Argument> args = bound.get();
        Optional<Term> input = exprs.check(args.get(layer.input()).value());
        return switch (layer) {
            case DENSE -> dense(site.get().definition, input, args, call);
            case RBF -> rbf(site.get().definition, input, args, call);
            case DROPOUT -> dropout(input, args, call);
            case CONV1D, CONV2D -> conv(layer, site.get().definition, input, args, call);
            case RNN, GRU, LSTM -> recurrent(layer, site.get().definition, input, args, call);
            case BATCH_NORM -> batchNorm(site.get().definition, input, args, call);
            case LAYER_NORM -> layerNorm(site.get().definition, input, args, call);
            case EMBEDDING -> embeddings.check(site.get().definition, input, args, call);
        };
    }

    private Optional<Term> dense(String owner, Optional<Term> input, Map<String, Expr.Argument> args, Expr.Call call) {
        OptionalInt units = exprs.size(args.get("units").value(), "the number of units of 'dense'");
        Optional<Builtin> activation = activationArgument(args);
        Optional<Boolean> bias = biasArgument(args, "dense");
        Optional<Shape> inputShape = input.flatMap(term -> vectorInput(term, "dense", call));
        if (units.isEmpty() || activation.isEmpty() || bias.isEmpty() || inputShape.isEmpty()) {
            return Optional.empty();
        }
        Optional<Shape> weightShape =
                exprs.matrix(units.getAsInt(), inputShape.get().rows(), "'" + owner + ".weight'", call.span());
        Optional<Symbol.Param> weight = weightShape.flatMap(shape -> weight(owner, shape, args, call));
        if (weight.isEmpty()) {
            return Optional.empty();
        }
        Optional<Symbol.Param> biasParam = bias(owner, bias.get(), units.getAsInt(), call);
        return Optional.of(new Term.Dense(
                input.get(),
                weight.get(),
                biasParam,
                activation.get(),
                activation.get().optionDefault(),
                Shape.vector(units.getAsInt()),
                call.span()));
    }

    /**
     * {@code conv1d}/{@code conv2d}: {@code weight [filters, C, *kernel]} (default
     * {@code glorot_uniform}, fans as PyTorch counts them) and {@code bias [filters]} (zeros).
     */
    private Optional<Term> conv(
            Layer layer, String owner, Optional<Term> input, Map<String, Expr.Argument> args, Expr.Call call) {
        String name = layer.spelling();
        int spatial = layer == Layer.CONV1D ? 1 : 2;
        OptionalInt filters = exprs.size(args.get("filters").value(), "the number of filters of '" + name + "'");
        Optional<Term.Window> window = windows.convolution(name, spatial, args);
        Optional<Builtin> activation = activationArgument(args);
        Optional<Boolean> bias = biasArgument(args, name);
        Optional<Shape> inputShape = input.flatMap(
                term -> windows.input(name, spatial, term, args.get("x").value()));
        if (filters.isEmpty() || window.isEmpty() || activation.isEmpty() || bias.isEmpty() || inputShape.isEmpty()) {
            return Optional.empty();
        }
        int f = filters.getAsInt();
        Optional<Shape> shape = windows.output(name, window.get(), inputShape.get(), f, call);
        if (shape.isEmpty()) {
            return Optional.empty();
        }
        int[] weightDims = new int[spatial + 2];
        weightDims[0] = f;
        weightDims[1] = inputShape.get().rows();
        for (int axis = 0; axis < spatial; axis++) {
            weightDims[axis + 2] = window.get().kernel().get(axis);
        }
        Optional<Symbol.Param> weight = exprs.tensor(weightDims, "'" + owner + ".weight'", call.span())
                .flatMap(weightShape -> weight(owner, weightShape, args, call));
        if (weight.isEmpty()) {
            return Optional.empty();
        }
        Optional<Symbol.Param> biasParam = bias(owner, bias.get(), f, call);
        return Optional.of(new Term.Conv(
                input.get(),
                weight.get(),
                biasParam,
                window.get(),
                activation.get(),
                activation.get().optionDefault(),
                shape.get(),
                call.span()));
    }

    /**
     * {@code rnn}/{@code gru}/{@code lstm} over {@code x [T, F]}: {@code weight_ih [G units, F]},
     * {@code weight_hh [G units, units]}, {@code bias_ih}, {@code bias_hh [G units]}, declared in
     * that order (PyTorch's), all {@code uniform(-1/sqrt(units), 1/sqrt(units))} as in PyTorch.
     */
    private Optional<Term> recurrent(
            Layer layer, String owner, Optional<Term> input, Map<String, Expr.Argument> args, Expr.Call call) {
        String name = layer.spelling();
        OptionalInt units = exprs.size(args.get("units").value(), "the number of units of '" + name + "'");
        Optional<Term.Recurrent.Cell> cell = cell(layer, args);
        Optional<Boolean> sequences = args.containsKey("sequences")
                ? flag(args.get("sequences").value(), "'sequences' of '" + name + "'")
                : Optional.of(false);
        Optional<Shape> inputShape =
                input.flatMap(term -> sequenceInput(term, name, args.get("x").value()));
        if (units.isEmpty() || cell.isEmpty() || sequences.isEmpty() || inputShape.isEmpty()) {
            return Optional.empty();
        }
        int h = units.getAsInt();
        int steps = inputShape.get().rows();
        int rows = cell.get().gates() * h;
        double bound = 1 / Math.sqrt(h);
        Initializer init = new Initializer(Initializer.Kind.UNIFORM, -bound, bound);
        Optional<Shape> ih = exprs.matrix(rows, inputShape.get().cols(), "'" + owner + ".weight_ih'", call.span());
        Optional<Shape> hh = exprs.matrix(rows, h, "'" + owner + ".weight_hh'", call.span());
        Optional<Shape> shape = sequences.get()
                ? exprs.matrix(steps, h, "the states of '" + owner + "'", call.span())
                : Optional.of(Shape.vector(h));
        if (ih.isEmpty() || hh.isEmpty() || shape.isEmpty()) {
            return Optional.empty();
        }
        Symbol.Param weightIh = recurrentParam(owner + ".weight_ih", ih.get(), init, true, call);
        Symbol.Param weightHh = recurrentParam(owner + ".weight_hh", hh.get(), init, true, call);
        Symbol.Param biasIh = recurrentParam(owner + ".bias_ih", Shape.vector(rows), init, false, call);
        Symbol.Param biasHh = recurrentParam(owner + ".bias_hh", Shape.vector(rows), init, false, call);
        return Optional.of(new Term.Recurrent(
                cell.get(),
                input.get(),
                weightIh,
                weightHh,
                biasIh,
                biasHh,
                h,
                sequences.get(),
                shape.get(),
                call.span()));
    }

    /**
     * {@code batch_norm(x, momentum = 0.1, eps = 1e-5)} over the first dimension of {@code x}:
     * {@code weight [C]} (ones), {@code bias [C]} (zeros), buffers {@code running_mean [C]}
     * (zeros) and {@code running_var [C]} (ones), PyTorch's names and starting values.
     */
    private Optional<Term> batchNorm(
            String owner, Optional<Term> input, Map<String, Expr.Argument> args, Expr.Call call) {
        OptionalDouble momentum = args.containsKey("momentum")
                ? rangeArgument(
                        args.get("momentum").value(),
                        "'momentum' of 'batch_norm'",
                        value -> value >= 0 && value <= 1,
                        "from 0 to 1",
                        "the share of each batch's statistics in the running ones, as in PyTorch")
                : OptionalDouble.of(0.1);
        OptionalDouble eps = args.containsKey("eps")
                ? rangeArgument(
                        args.get("eps").value(),
                        "'eps' of 'batch_norm'",
                        value -> value > 0 && Double.isFinite(value),
                        "a positive number",
                        "it keeps the division by the standard deviation finite")
                : OptionalDouble.of(1e-5);
        if (input.isPresent() && input.get().shape().isScalar()) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.SHAPE_EXPECTED,
                    args.get("x").value().span(),
                    "a batch norm normalises each feature of a vector or each channel of a tensor over the batch",
                    "the input of 'batch_norm'",
                    "a vector or a tensor",
                    input.get().shape());
            return Optional.empty();
        }
        if (input.isEmpty() || momentum.isEmpty() || eps.isEmpty()) {
            return Optional.empty();
        }
        Shape channels = Shape.vector(input.get().shape().dim(0));
        Symbol.Param weight = new Symbol.Param(
                owner + ".weight", channels, Initializer.of(Initializer.Kind.ONES), false, call.span());
        Symbol.Param bias =
                new Symbol.Param(owner + ".bias", channels, Initializer.of(Initializer.Kind.ZEROS), false, call.span());
        context.addParameter(weight);
        context.addParameter(bias);
        return Optional.of(new Term.BatchNorm(
                input.get(),
                weight,
                bias,
                new Buffer(owner + ".running_mean", channels, 0),
                new Buffer(owner + ".running_var", channels, 1),
                momentum.getAsDouble(),
                eps.getAsDouble(),
                call.span()));
    }

    /** A constant argument in a range, or a positioned error that says which range and why. */
    private OptionalDouble rangeArgument(
            Expr expr, String what, java.util.function.DoublePredicate valid, String range, String why) {
        OptionalDouble value = exprs.constant(expr, what);
        if (value.isPresent() && !valid.test(value.getAsDouble())) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.ARGUMENT_RANGE,
                    expr.span(),
                    why,
                    what,
                    range,
                    context.found(expr, value.getAsDouble()));
            return OptionalDouble.empty();
        }
        return value;
    }

    /**
     * {@code layer_norm(x, eps)} over all elements of a sample: {@code weight} (ones) and {@code
     * bias} (zeros) of {@code x}'s shape, PyTorch's {@code LayerNorm(x.shape)}. One element would
     * normalise to zero whatever its value, so {@code x} must have at least two.
     */
    private Optional<Term> layerNorm(
            String owner, Optional<Term> input, Map<String, Expr.Argument> args, Expr.Call call) {
        OptionalDouble eps =
                args.containsKey("eps") ? positive(args.get("eps").value(), "layer_norm") : OptionalDouble.of(1e-5);
        if (input.isPresent() && input.get().shape().size() < 2) {
            Expr x = args.get("x").value();
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.SHAPE_EXPECTED,
                    x.span(),
                    "one value minus its own mean is always 0: normalise a vector or a larger tensor",
                    "the input of 'layer_norm'",
                    "a tensor of at least two elements",
                    input.get().shape());
            return Optional.empty();
        }
        if (input.isEmpty() || eps.isEmpty()) {
            return Optional.empty();
        }
        Shape shape = input.get().shape();
        Symbol.Param weight =
                new Symbol.Param(owner + ".weight", shape, Initializer.of(Initializer.Kind.ONES), false, call.span());
        Symbol.Param bias =
                new Symbol.Param(owner + ".bias", shape, Initializer.of(Initializer.Kind.ZEROS), false, call.span());
        context.addParameter(weight);
        context.addParameter(bias);
        return Optional.of(new Term.LayerNorm(input.get(), weight, bias, eps.getAsDouble(), call.span()));
    }

    /** A constant above zero (the {@code eps} of a normalisation, added to a variance). */
    private OptionalDouble positive(Expr expr, String layer) {
        String what = "'eps' of '" + layer + "'";
        OptionalDouble value = exprs.constant(expr, what);
        if (value.isPresent() && !(value.getAsDouble() > 0)) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.ARGUMENT_RANGE,
                    expr.span(),
                    "eps keeps the division finite when a sample's values are all equal; PyTorch's default is 1e-5",
                    what,
                    "greater than 0",
                    context.found(expr, value.getAsDouble()));
            return OptionalDouble.empty();
        }
        return value;
    }

    /** The cell of a recurrent layer: {@code rnn}'s activation is {@code tanh} or {@code relu}. */
    private Optional<Term.Recurrent.Cell> cell(Layer layer, Map<String, Expr.Argument> args) {
        if (layer == Layer.GRU) {
            return Optional.of(Term.Recurrent.Cell.GRU);
        }
        if (layer == Layer.LSTM) {
            return Optional.of(Term.Recurrent.Cell.LSTM);
        }
        if (!args.containsKey("activation")) {
            return Optional.of(Term.Recurrent.Cell.RNN_TANH);
        }
        Expr expr = args.get("activation").value();
        Optional<Builtin> activation = activation(expr);
        if (activation.isEmpty()) {
            return Optional.empty();
        }
        if (activation.get() == Builtin.TANH) {
            return Optional.of(Term.Recurrent.Cell.RNN_TANH);
        }
        if (activation.get() == Builtin.RELU) {
            return Optional.of(Term.Recurrent.Cell.RNN_RELU);
        }
        context.diagnostics.reportWithHelp(
                DiagnosticCode.ARGUMENT_KIND,
                expr.span(),
                "PyTorch's RNN offers these two; 'gru' and 'lstm' have their own gates",
                "'activation' of 'rnn'",
                "tanh or relu",
                context.text(expr.span()));
        return Optional.empty();
    }

    /**
     * A sequence {@code [T, F]}: a vector is one feature per step or one step of features, which
     * the error spells out as the reshape to write.
     */
    private Optional<Shape> sequenceInput(Term input, String layer, Expr at) {
        Shape shape = input.shape();
        if (shape.rank() == 2) {
            return Optional.of(shape);
        }
        String help = null;
        if (shape.isVector()) {
            help = String.format(
                    Locale.ROOT,
                    "a sequence of %d steps of one feature is reshape(%s, [%d, 1])",
                    shape.size(),
                    context.text(at.span()),
                    shape.size());
        } else if (shape.rank() > 2) {
            help = String.format(
                    Locale.ROOT,
                    "reshape gives it that form, e.g. reshape(%s, [%d, %d]) for %d steps",
                    context.text(at.span()),
                    shape.dim(0),
                    shape.size() / shape.dim(0),
                    shape.dim(0));
        }
        context.diagnostics.reportWithHelp(
                DiagnosticCode.SHAPE_EXPECTED,
                at.span(),
                help,
                "the input of '" + layer + "'",
                "[steps, features]",
                shape);
        return Optional.empty();
    }

    private Symbol.Param recurrentParam(String name, Shape shape, Initializer init, boolean weight, Expr.Call call) {
        Symbol.Param param = new Symbol.Param(name, shape, init, weight, call.span());
        context.addParameter(param);
        return param;
    }

    /** {@code <owner>.weight} of {@code shape} with the {@code init} argument or glorot_uniform. */
    private Optional<Symbol.Param> weight(String owner, Shape shape, Map<String, Expr.Argument> args, Expr.Call call) {
        Optional<Initializer> init = args.containsKey("init")
                ? initializers.check(args.get("init").value(), shape)
                : Optional.of(Initializer.of(Initializer.Kind.GLOROT_UNIFORM));
        if (init.isEmpty()) {
            return Optional.empty();
        }
        Symbol.Param weight = new Symbol.Param(owner + ".weight", shape, init.get(), true, call.span());
        context.addParameter(weight);
        return Optional.of(weight);
    }

    /** {@code <owner>.bias} of {@code units} zeros when the layer has a bias. */
    private Optional<Symbol.Param> bias(String owner, boolean present, int units, Expr.Call call) {
        if (!present) {
            return Optional.empty();
        }
        Symbol.Param bias = new Symbol.Param(
                owner + ".bias", Shape.vector(units), Initializer.of(Initializer.Kind.ZEROS), false, call.span());
        context.addParameter(bias);
        return Optional.of(bias);
    }

    private Optional<Builtin> activationArgument(Map<String, Expr.Argument> args) {
        return args.containsKey("activation")
                ? activation(args.get("activation").value())
                : Optional.of(Builtin.IDENTITY);
    }

    private Optional<Boolean> biasArgument(Map<String, Expr.Argument> args, String layer) {
        return args.containsKey("bias")
                ? flag(args.get("bias").value(), "'bias' of '" + layer + "'")
                : Optional.of(true);
    }

    private Optional<Term> rbf(String owner, Optional<Term> input, Map<String, Expr.Argument> args, Expr.Call call) {
        OptionalInt units = exprs.size(args.get("units").value(), "the number of units of 'rbf'");
        Optional<Shape> inputShape = input.flatMap(term -> vectorInput(term, "rbf", call));
        if (units.isEmpty() || inputShape.isEmpty()) {
            return Optional.empty();
        }
        Optional<Shape> centersShape =
                exprs.matrix(units.getAsInt(), inputShape.get().rows(), "'" + owner + ".centers'", call.span());
        if (centersShape.isEmpty()) {
            return Optional.empty();
        }
        // Centers are positions in input space, not weights: l2(weights) leaves them alone.
        Symbol.Param centers = new Symbol.Param(
                owner + ".centers",
                centersShape.get(),
                new Initializer(Initializer.Kind.UNIFORM, 0, 1),
                false,
                call.span());
        Symbol.Param widths = new Symbol.Param(
                owner + ".widths",
                Shape.vector(units.getAsInt()),
                Initializer.of(Initializer.Kind.ONES),
                false,
                call.span());
        context.addParameter(centers);
        context.addParameter(widths);
        return Optional.of(new Term.Rbf(input.get(), centers, widths, Shape.vector(units.getAsInt()), call.span()));
    }

    private Optional<Term> dropout(Optional<Term> input, Map<String, Expr.Argument> args, Expr.Call call) {
        Expr rateExpr = args.get("rate").value();
        OptionalDouble rate = exprs.constant(rateExpr, "the rate of 'dropout'");
        if (rate.isPresent() && !(rate.getAsDouble() >= 0 && rate.getAsDouble() < 1)) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.ARGUMENT_RANGE,
                    rateExpr.span(),
                    "the rate is the fraction of units dropped while training",
                    "the rate of 'dropout'",
                    "at least 0 and less than 1",
                    context.found(rateExpr, rate.getAsDouble()));
            return Optional.empty();
        }
        if (input.isEmpty() || rate.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Term.Dropout(input.get(), rate.getAsDouble(), call.span()));
    }

    private Optional<Shape> vectorInput(Term input, String layer, Expr.Call call) {
        if (input.shape().isVector()) {
            return Optional.of(input.shape());
        }
        String help = input.shape().isScalar()
                ? "declare a one-element vector, e.g. 'input x[1];'"
                : isStateSequence(input)
                        ? String.format(
                                Locale.ROOT,
                                "'%s' holds every state of a sequence; its last state is the layer with 'sequences = false',"
                                        + " or write flatten(%s) to use all %d values",
                                context.text(call.arguments().get(0).value().span()),
                                context.text(call.arguments().get(0).value().span()),
                                input.shape().size())
                        : String.format(
                                Locale.ROOT,
                                "write flatten(%s) to use its %d elements as a vector",
                                context.text(call.arguments().get(0).value().span()),
                                input.shape().size());
        context.diagnostics.reportWithHelp(
                DiagnosticCode.SHAPE_EXPECTED,
                call.arguments().get(0).span(),
                help,
                "the input of '" + layer + "'",
                "a vector",
                input.shape());
        return Optional.empty();
    }

    /** Whether {@code input} is (a definition holding) the states of a recurrent layer. */
    private static boolean isStateSequence(Term input) {
        Term term = input;
        while (term instanceof Term.Read read && read.symbol() instanceof Symbol.Definition definition) {
            term = definition.value();
        }
        return term instanceof Term.Recurrent recurrent && recurrent.sequences();
    }

    private Optional<Builtin> activation(Expr expr) {
        if (expr instanceof Expr.Name name) {
            Optional<Builtin> builtin = Builtin.named(name.name()).filter(Builtin::isActivation);
            if (builtin.isPresent()) {
                return builtin;
            }
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.NAME_UNKNOWN_ACTIVATION,
                    expr.span(),
                    Suggestions.didYouMeanOrList(name.name(), Vocabulary.activationSpellings(), "activations"),
                    name.name());
            return Optional.empty();
        }
        context.diagnostics.reportWithHelp(
                DiagnosticCode.ARGUMENT_KIND,
                expr.span(),
                "write the function's name, e.g. 'activation = relu'",
                "'activation'",
                "the name of an elementwise function",
                context.text(expr.span()));
        return Optional.empty();
    }

    /** {@code true} or {@code false}. */
    Optional<Boolean> flag(Expr expr, String what) {
        return flag(context, expr, what);
    }

    static Optional<Boolean> flag(Context context, Expr expr, String what) {
        if (expr instanceof Expr.Name name
                && (name.name().equals("true") || name.name().equals("false"))) {
            return Optional.of(name.name().equals("true"));
        }
        context.diagnostics.report(
                DiagnosticCode.ARGUMENT_KIND, expr.span(), what, "true or false", context.text(expr.span()));
        return Optional.empty();
    }
}
