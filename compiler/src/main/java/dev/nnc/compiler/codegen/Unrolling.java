package dev.nnc.compiler.codegen;

import java.util.Locale;

/**
 * Whether a kernel is unrolled into scalar locals or written as loops over arrays.
 *
 * <p>The rule ({@link KernelEmitter#UNROLL_LIMIT} stored scalars, no tensor above
 * {@link KernelEmitter#UNROLL_TENSOR_LIMIT} elements) was chosen by measurement; docs/codegen.md
 * gives the figures. The system property {@code nnc.unroll} ({@code auto}, {@code always},
 * {@code never}) overrides it, for that measurement only: generated code is the same with the
 * default and the property unset.
 */
final class Unrolling {
    private Unrolling() {}

    static boolean choose(int storedScalars, int largestTensor) {
        String mode = System.getProperty("nnc.unroll", "auto").toLowerCase(Locale.ROOT);
        return switch (mode) {
            case "always" -> true;
            case "never" -> false;
            default ->
                storedScalars <= KernelEmitter.UNROLL_LIMIT && largestTensor <= KernelEmitter.UNROLL_TENSOR_LIMIT;
        };
    }
}
