package dev.nnc.compiler.semantic;

import java.util.List;
import java.util.Locale;

/**
 * The arguments a callee takes, in positional order; the first {@code required} of them must
 * be given. Used for builtins, layers, initializers and optimizers alike, so every call is held
 * to the same rules and the same messages.
 */
record Signature(String callee, List<String> parameters, int required) {
    Signature {
        parameters = List.copyOf(parameters);
    }

    static Signature of(String callee, int required, String... parameters) {
        return new Signature(callee, List.of(parameters), required);
    }

    /** "1 argument (x)", "2 to 5 arguments (x, units, activation, init, bias)", "no arguments". */
    String describeArity() {
        int max = parameters.size();
        if (max == 0) {
            return "no arguments";
        }
        String count = required == max
                ? max + (max == 1 ? " argument" : " arguments")
                : String.format(Locale.ROOT, "%d to %d arguments", required, max);
        return count + " (" + String.join(", ", parameters) + ")";
    }
}
