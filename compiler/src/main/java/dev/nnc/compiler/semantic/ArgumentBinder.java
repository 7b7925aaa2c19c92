package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.diagnostic.SourceSpan;
import dev.nnc.compiler.frontend.ast.Expr;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Matches a call's arguments to a {@link Signature}: positional ones first, then named ones, as
 * in Python. Reports every problem of the argument list (too many, unknown or repeated names,
 * positional after named, missing required) and binds nothing when there was one.
 */
final class ArgumentBinder {
    private ArgumentBinder() {}

    /** The arguments by parameter name, in the order given; empty after an error. */
    static Optional<Map<String, Expr.Argument>> bind(
            Signature signature, List<Expr.Argument> arguments, SourceSpan calleeSpan, Diagnostics diagnostics) {
        Map<String, Expr.Argument> bound = new LinkedHashMap<>();
        boolean ok = true;
        boolean seenNamed = false;
        int positional = 0;
        for (Expr.Argument argument : arguments) {
            if (argument.name().isEmpty()) {
                if (seenNamed) {
                    diagnostics.reportWithHelp(
                            DiagnosticCode.ARGUMENT_POSITIONAL_AFTER_NAMED,
                            argument.span(),
                            "move it before the named arguments or give its name");
                    ok = false;
                    continue;
                }
                if (positional >= signature.parameters().size()) {
                    if (positional == signature.parameters().size()) {
                        diagnostics.report(
                                DiagnosticCode.ARGUMENT_COUNT,
                                argument.span(),
                                signature.callee(),
                                signature.describeArity(),
                                countPositional(arguments));
                    }
                    positional++;
                    ok = false;
                    continue;
                }
                bound.put(signature.parameters().get(positional++), argument);
                continue;
            }
            seenNamed = true;
            String name = argument.name().get();
            SourceSpan nameSpan = argument.nameSpan().orElse(argument.span());
            if (!signature.parameters().contains(name)) {
                String help = Suggestions.didYouMean(name, signature.parameters())
                        .orElse(
                                signature.parameters().isEmpty()
                                        ? "'" + signature.callee() + "' takes no arguments"
                                        : "its arguments are " + String.join(", ", signature.parameters()));
                diagnostics.reportWithHelp(DiagnosticCode.ARGUMENT_UNKNOWN, nameSpan, help, signature.callee(), name);
                ok = false;
                continue;
            }
            Expr.Argument earlier = bound.putIfAbsent(name, argument);
            if (earlier != null) {
                diagnostics.reportWithNote(
                        DiagnosticCode.ARGUMENT_DUPLICATE, nameSpan, earlier.span(), "first given here", name);
                ok = false;
            }
        }
        if (!ok) {
            return Optional.empty();
        }
        for (int i = 0; i < signature.required(); i++) {
            String name = signature.parameters().get(i);
            if (!bound.containsKey(name)) {
                diagnostics.report(DiagnosticCode.ARGUMENT_MISSING, calleeSpan, signature.callee(), name);
                ok = false;
            }
        }
        return ok ? Optional.of(bound) : Optional.empty();
    }

    private static int countPositional(List<Expr.Argument> arguments) {
        return (int) arguments.stream().filter(a -> a.name().isEmpty()).count();
    }
}
