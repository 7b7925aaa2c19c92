package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.diagnostic.SourceFile;
import dev.nnc.compiler.diagnostic.SourceSpan;
import dev.nnc.compiler.frontend.ast.Statement;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One network: its statements in order, then the statements that look at the whole network
 * ({@code output}, {@code loss}, {@code optimizer}, which may therefore refer to any name of the
 * network, and {@code l2(weights)} sees every weight), then its structure: one output, loss and
 * optimizer together, something to train, sizes within {@link Limits}.
 */
final class NetworkChecker {
    private final Diagnostics diagnostics;
    private final dev.nnc.compiler.frontend.ast.Declaration.Network network;
    private final Context context;
    private final ExprChecker exprs;

    private final List<Symbol.Input> inputs = new ArrayList<>();
    private final List<Symbol.Target> targets = new ArrayList<>();
    private final List<Symbol.Definition> definitions = new ArrayList<>();
    private final Map<String, Statement> once = new LinkedHashMap<>();
    private Precision precision = Precision.DOUBLE;
    private long seed;
    private long inputOffset;
    private long targetOffset;

    NetworkChecker(
            SourceFile source, dev.nnc.compiler.frontend.ast.Declaration.Network network, Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
        this.network = network;
        this.context =
                new Context(diagnostics, source, new Scope(declaredNames(network.body())), Optional.of(network.name()));
        this.exprs = new ExprChecker(context);
    }

    /** The first place each name of the body is declared. */
    static Map<String, SourceSpan> declaredNames(List<Statement> body) {
        Map<String, SourceSpan> names = new LinkedHashMap<>();
        for (Statement statement : body) {
            if (statement instanceof Statement.Input s) {
                names.putIfAbsent(s.name(), s.nameSpan());
            } else if (statement instanceof Statement.Target s) {
                names.putIfAbsent(s.name(), s.nameSpan());
            } else if (statement instanceof Statement.Param s) {
                names.putIfAbsent(s.name(), s.nameSpan());
            } else if (statement instanceof Statement.Const s) {
                names.putIfAbsent(s.name(), s.nameSpan());
            } else if (statement instanceof Statement.Definition s) {
                names.putIfAbsent(s.name(), s.nameSpan());
            }
        }
        return names;
    }

    Optional<Declaration.Network> check(SourceSpan header) {
        int errors = diagnostics.errorCount();
        for (Statement statement : network.body()) {
            statement(statement);
        }
        Optional<Term> output =
                Optional.ofNullable(once.get("output")).flatMap(s -> exprs.check(((Statement.Output) s).value()));
        Optional<Term> loss = Optional.ofNullable(once.get("loss")).flatMap(s -> loss((Statement.Loss) s));
        Optional<OptimizerSpec> optimizer = Optional.ofNullable(once.get("optimizer"))
                .flatMap(s -> new OptimizerChecker(context, exprs).check(((Statement.Optimizer) s).value()));
        structure(loss);
        if (diagnostics.errorCount() != errors || output.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Declaration.Network(
                network.name(),
                header,
                network.doc(),
                precision,
                seed,
                inputs,
                targets,
                context.parameters(),
                definitions,
                output.get(),
                loss,
                optimizer));
    }

    private void statement(Statement statement) {
        if (statement instanceof Statement.Input s) {
            declare(s.name(), s.nameSpan(), input(s));
        } else if (statement instanceof Statement.Target s) {
            declare(s.name(), s.nameSpan(), target(s));
        } else if (statement instanceof Statement.Param s) {
            declare(s.name(), s.nameSpan(), param(s));
        } else if (statement instanceof Statement.Const s) {
            var value = exprs.constant(s.value(), "the value of const '" + s.name() + "'");
            define(
                    s.name(),
                    s.nameSpan(),
                    value.isPresent()
                            ? new Scope.Entry.Constant(value.getAsDouble(), s.nameSpan())
                            : new Scope.Entry.Broken(s.nameSpan()));
        } else if (statement instanceof Statement.Definition s) {
            Optional<Term> value = context.inDefinition(s.name(), () -> exprs.check(s.value()));
            Optional<Symbol> symbol = value.map(v -> new Symbol.Definition(s.name(), v, s.doc(), s.span()));
            symbol.ifPresent(d -> definitions.add((Symbol.Definition) d));
            declare(s.name(), s.nameSpan(), symbol);
        } else if (statement instanceof Statement.Output s) {
            once("output", s);
        } else if (statement instanceof Statement.Loss s) {
            once("loss", s);
        } else if (statement instanceof Statement.Optimizer s) {
            once("optimizer", s);
        } else if (statement instanceof Statement.Precision s) {
            if (once("precision", s)) {
                precision(s);
            }
        } else if (statement instanceof Statement.Seed s) {
            if (once("seed", s)) {
                seed(s);
            }
        } else {
            throw new InternalCompilerError("unknown statement " + statement.getClass());
        }
    }

    private Optional<Symbol.Input> input(Statement.Input s) {
        Optional<Shape> shape = exprs.shape(s.shape(), "input '" + s.name() + "'", s.span());
        if (shape.isEmpty()) {
            return Optional.empty();
        }
        var input = new Symbol.Input(s.name(), shape.get(), offset(inputOffset), s.span());
        inputOffset += shape.get().size();
        inputs.add(input);
        return Optional.of(input);
    }

    private Optional<Symbol.Target> target(Statement.Target s) {
        Optional<Shape> shape = exprs.shape(s.shape(), "target '" + s.name() + "'", s.span());
        if (shape.isEmpty()) {
            return Optional.empty();
        }
        var target = new Symbol.Target(s.name(), shape.get(), offset(targetOffset), s.span());
        targetOffset += shape.get().size();
        targets.add(target);
        return Optional.of(target);
    }

    /** An offset that may exceed an int only in a network that {@link #total} rejects anyway. */
    private static int offset(long offset) {
        return (int) Math.min(offset, Integer.MAX_VALUE);
    }

    private Optional<Symbol> param(Statement.Param s) {
        Optional<Shape> shape = exprs.shape(s.shape(), "parameter '" + s.name() + "'", s.span());
        if (shape.isEmpty()) {
            return Optional.empty();
        }
        Optional<Initializer> init = s.initializer().isPresent()
                ? new InitializerChecker(context, exprs).check(s.initializer().get(), shape.get())
                : Optional.of(Initializer.defaultFor(shape.get()));
        Optional<Symbol> param = init.map(
                i -> new Symbol.Param(s.name(), shape.get(), i, shape.get().isMatrix(), s.span()));
        param.ifPresent(p -> context.addParameter((Symbol.Param) p));
        return param;
    }

    private void declare(String name, SourceSpan nameSpan, Optional<? extends Symbol> symbol) {
        define(
                name,
                nameSpan,
                symbol.<Scope.Entry>map(sym -> new Scope.Entry.Value(sym, nameSpan))
                        .orElseGet(() -> new Scope.Entry.Broken(nameSpan)));
    }

    private void define(String name, SourceSpan nameSpan, Scope.Entry entry) {
        context.scope
                .define(name, entry)
                .ifPresent(earlier -> diagnostics.reportWithNote(
                        DiagnosticCode.NAME_DUPLICATE, nameSpan, earlier.span(), "first defined here", name));
    }

    /** Records a statement that may appear once; reports a repeat and returns whether it was the first. */
    private boolean once(String keyword, Statement statement) {
        Statement first = once.putIfAbsent(keyword, statement);
        if (first != null) {
            diagnostics.reportWithNote(
                    DiagnosticCode.NETWORK_DUPLICATE_STATEMENT,
                    statement.span(),
                    first.span(),
                    "the first " + keyword + " statement is here",
                    network.name(),
                    keyword);
            return false;
        }
        return true;
    }

    private Optional<Term> loss(Statement.Loss statement) {
        Optional<Term> loss = exprs.check(statement.value());
        if (loss.isPresent() && !loss.get().shape().isScalar()) {
            diagnostics.reportWithHelp(
                    DiagnosticCode.NETWORK_LOSS_NOT_SCALAR,
                    statement.value().span(),
                    "reduce it to one number, e.g. with mse(p, y), sum(...) or mean(...)",
                    loss.get().shape());
            return Optional.empty();
        }
        return loss;
    }

    private void precision(Statement.Precision s) {
        switch (s.kind()) {
            case "double" -> precision = Precision.DOUBLE;
            case "float" -> precision = Precision.FLOAT;
            default ->
                diagnostics.reportWithHelp(
                        DiagnosticCode.NAME_UNKNOWN_PRECISION,
                        s.kindSpan(),
                        Suggestions.didYouMean(s.kind(), List.of("double", "float"))
                                .orElse(null),
                        s.kind());
        }
    }

    private void seed(Statement.Seed s) {
        String what = "the seed";
        if (s.value() instanceof dev.nnc.compiler.frontend.ast.Expr.Number number) {
            // Read the digits exactly: a double would silently round seeds above 2^53.
            BigDecimal value;
            try {
                value = new BigDecimal(number.text());
            } catch (NumberFormatException e) {
                // Only an exponent beyond the range of an int gets here, e.g. 1e99999999999.
                diagnostics.report(
                        DiagnosticCode.ARGUMENT_RANGE, number.span(), what, "at most " + Long.MAX_VALUE, number.text());
                return;
            }
            if (value.stripTrailingZeros().scale() > 0) {
                diagnostics.report(DiagnosticCode.LITERAL_NOT_INTEGER, number.span(), what, number.text());
            } else if (value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                diagnostics.report(
                        DiagnosticCode.ARGUMENT_RANGE, number.span(), what, "at most " + Long.MAX_VALUE, number.text());
            } else {
                seed = value.longValueExact();
            }
            return;
        }
        var value = exprs.constant(s.value(), what);
        if (value.isEmpty()) {
            return;
        }
        double v = value.getAsDouble();
        String text = context.found(s.value(), v);
        if (v != Math.rint(v)) {
            diagnostics.report(DiagnosticCode.LITERAL_NOT_INTEGER, s.value().span(), what, text);
        } else if (v < 0 || v >= 0x1p63) {
            diagnostics.report(DiagnosticCode.ARGUMENT_RANGE, s.value().span(), what, "a non-negative integer", text);
        } else {
            seed = (long) v;
        }
    }

    /** Whole-network rules, checked once every statement is known. */
    private void structure(Optional<Term> loss) {
        String name = network.name();
        if (!once.containsKey("output")) {
            diagnostics.reportWithHelp(
                    DiagnosticCode.NETWORK_NO_OUTPUT, network.nameSpan(), "add e.g. 'output h;' to the network", name);
        }
        if (network.body().stream().noneMatch(Statement.Input.class::isInstance)) {
            diagnostics.reportWithHelp(
                    DiagnosticCode.NETWORK_NO_INPUT, network.nameSpan(), "declare one, e.g. 'input x[2];'", name);
        }
        Statement lossStatement = once.get("loss");
        Statement optimizerStatement = once.get("optimizer");
        if (lossStatement != null && optimizerStatement == null) {
            diagnostics.reportWithHelp(
                    DiagnosticCode.NETWORK_LOSS_WITHOUT_OPTIMIZER,
                    lossStatement.span(),
                    "add e.g. 'optimizer adam(lr = 0.001);', or remove the loss for an inference-only network",
                    name);
        }
        if (optimizerStatement != null && lossStatement == null) {
            diagnostics.reportWithHelp(
                    DiagnosticCode.NETWORK_OPTIMIZER_WITHOUT_LOSS,
                    optimizerStatement.span(),
                    "add the quantity to minimise, e.g. 'loss mse(out, y);'",
                    name);
        }
        // With an optimizer, the missing loss is the mistake; the targets are not.
        if (lossStatement == null && optimizerStatement == null) {
            for (Statement statement : network.body()) {
                if (statement instanceof Statement.Target target) {
                    diagnostics.reportWithHelp(
                            DiagnosticCode.NETWORK_TARGET_WITHOUT_LOSS,
                            target.nameSpan(),
                            "targets are only read by the loss; remove it or add a loss",
                            target.name());
                }
            }
        }
        loss.ifPresent(this::training);
        total(inputOffset, "the inputs of network '" + name + "'");
        total(targetOffset, "the targets of network '" + name + "'");
        total(
                context.parameters().stream().mapToLong(p -> p.shape().size()).sum(),
                "the parameters of network '" + name + "'");
    }

    private void training(Term loss) {
        Set<Symbol.Param> trained = TermGraph.parameters(loss);
        if (trained.isEmpty()) {
            diagnostics.reportWithHelp(
                    DiagnosticCode.NETWORK_NOTHING_TO_TRAIN,
                    loss.span(),
                    "the loss must depend on a param or a layer such as dense(...)",
                    network.name());
            return;
        }
        for (Symbol.Param param : context.parameters()) {
            if (!trained.contains(param)) {
                diagnostics.report(DiagnosticCode.WARN_PARAMETER_UNUSED, param.span(), param.name());
            }
        }
        for (Term.Apply step : TermGraph.stepsOnParameterPaths(loss)) {
            diagnostics.reportWithHelp(
                    DiagnosticCode.WARN_GRADIENT_THROUGH_STEP,
                    step.span(),
                    "for a trainable threshold use sigmoid, which has a gradient everywhere");
        }
    }

    private void total(long elements, String what) {
        if (elements > Limits.MAX_TOTAL_ELEMENTS) {
            diagnostics.report(
                    DiagnosticCode.SHAPE_TOO_LARGE,
                    network.nameSpan(),
                    what,
                    String.format(Locale.ROOT, "%,d", elements),
                    Limits.MAX_TOTAL_ELEMENTS);
        }
    }
}
