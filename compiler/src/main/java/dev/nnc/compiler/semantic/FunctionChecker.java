package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.diagnostic.SourceFile;
import dev.nnc.compiler.diagnostic.SourceSpan;
import dev.nnc.compiler.frontend.ast.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One function: scalar or vector arguments, constants and definitions in order (no layers,
 * nothing trainable), and a scalar result, so that its gradient is one vector per argument.
 */
final class FunctionChecker {
    private final Diagnostics diagnostics;
    private final dev.nnc.compiler.frontend.ast.Declaration.Function function;
    private final Context context;
    private final ExprChecker exprs;

    FunctionChecker(
            SourceFile source, dev.nnc.compiler.frontend.ast.Declaration.Function function, Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
        this.function = function;
        Map<String, SourceSpan> names = new LinkedHashMap<>();
        function.parameters().forEach(p -> names.putIfAbsent(p.name(), p.nameSpan()));
        names.putAll(NetworkChecker.declaredNames(function.locals()));
        this.context = new Context(diagnostics, source, new Scope(names), Optional.empty());
        this.exprs = new ExprChecker(context);
    }

    Optional<Declaration.Function> check(SourceSpan header) {
        int errors = diagnostics.errorCount();
        List<Symbol.Argument> arguments = new ArrayList<>();
        for (var parameter : function.parameters()) {
            Optional<Symbol> argument = argument(parameter, arguments.size());
            argument.ifPresent(a -> arguments.add((Symbol.Argument) a));
            define(parameter.name(), parameter.nameSpan(), argument);
        }
        checkArgumentSlots(arguments);
        List<Symbol.Definition> locals = new ArrayList<>();
        for (Statement local : function.locals()) {
            if (local instanceof Statement.Const c) {
                var value = exprs.constant(c.value(), "the value of const '" + c.name() + "'");
                defineEntry(
                        c.name(),
                        c.nameSpan(),
                        value.isPresent()
                                ? new Scope.Entry.Constant(value.getAsDouble(), c.nameSpan())
                                : new Scope.Entry.Broken(c.nameSpan()));
            } else if (local instanceof Statement.Definition d) {
                Optional<Symbol> definition =
                        exprs.check(d.value()).map(v -> new Symbol.Definition(d.name(), v, d.doc(), d.span()));
                definition.ifPresent(v -> locals.add((Symbol.Definition) v));
                define(d.name(), d.nameSpan(), definition);
            } else {
                throw new InternalCompilerError("a function local must be a const or a definition: " + local);
            }
        }
        Optional<Term> result = exprs.check(function.result());
        if (result.isPresent() && !result.get().shape().isScalar()) {
            diagnostics.reportWithHelp(
                    DiagnosticCode.SHAPE_EXPECTED,
                    function.result().span(),
                    "reduce it to one number, e.g. with sum(...), norm2(...) or an index [i]",
                    "the result of function '" + function.name() + "'",
                    "a scalar",
                    result.get().shape());
            return Optional.empty();
        }
        if (diagnostics.errorCount() != errors || result.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                new Declaration.Function(function.name(), header, function.doc(), arguments, locals, result.get()));
    }

    /**
     * Every generated method of a function takes all its arguments as Java parameters, so their
     * slots must leave room for the most other parameters such a method takes; reported once, at
     * the first argument past the limit.
     */
    private void checkArgumentSlots(List<Symbol.Argument> arguments) {
        int slots = 0;
        int scalars = 0;
        int vectors = 0;
        SourceSpan first = null;
        for (Symbol.Argument argument : arguments) {
            slots += Limits.argumentSlots(argument.shape());
            if (argument.shape().isScalar()) {
                scalars++;
            } else {
                vectors++;
            }
            if (slots > Limits.MAX_FUNCTION_ARGUMENT_SLOTS && first == null) {
                first = argument.span();
            }
        }
        if (first == null) {
            return;
        }
        diagnostics.reportWithHelp(
                DiagnosticCode.FUNCTION_TOO_MANY_ARGUMENTS,
                first,
                String.format(
                        java.util.Locale.ROOT,
                        "a Java method has %d parameter slots; a scalar argument (a double) takes 2, a vector"
                                + " (an array) 1, and the parts of a long gradient need %d more (grad and two scratch"
                                + " arrays), which leaves %d: pass the scalars as one vector argument, e.g. 'x[%d]',"
                                + " and read them as x[0], x[1], ...",
                        Limits.JVM_PARAMETER_SLOTS,
                        Limits.FUNCTION_EXTRA_SLOTS,
                        Limits.MAX_FUNCTION_ARGUMENT_SLOTS,
                        scalars),
                function.name(),
                scalars,
                vectors,
                slots,
                Limits.MAX_FUNCTION_ARGUMENT_SLOTS);
    }

    private Optional<Symbol> argument(dev.nnc.compiler.frontend.ast.Declaration.Parameter parameter, int index) {
        String what = "argument '" + parameter.name() + "'";
        Optional<Shape> shape = exprs.shape(parameter.shape(), what, parameter.span());
        if (shape.isPresent() && shape.get().isMatrix()) {
            diagnostics.report(
                    DiagnosticCode.SHAPE_EXPECTED, parameter.span(), what, "a scalar or a vector", shape.get());
            return Optional.empty();
        }
        return shape.map(s -> new Symbol.Argument(parameter.name(), s, index, parameter.span()));
    }

    private void define(String name, SourceSpan nameSpan, Optional<Symbol> symbol) {
        defineEntry(
                name,
                nameSpan,
                symbol.<Scope.Entry>map(s -> new Scope.Entry.Value(s, nameSpan))
                        .orElseGet(() -> new Scope.Entry.Broken(nameSpan)));
    }

    private void defineEntry(String name, SourceSpan nameSpan, Scope.Entry entry) {
        context.scope
                .define(name, entry)
                .ifPresent(earlier -> diagnostics.reportWithNote(
                        DiagnosticCode.NAME_DUPLICATE, nameSpan, earlier.span(), "first defined here", name));
    }
}
