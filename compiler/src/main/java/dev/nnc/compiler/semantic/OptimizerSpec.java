package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.SourceSpan;
import java.util.OptionalDouble;

/**
 * A checked {@code optimizer} statement with every argument resolved to its value or default.
 * Fields that the kind does not use hold the language's defaults and are ignored (e.g.
 * {@code rho} for Adam). Update rules are PyTorch's (docs/language.md).
 */
public record OptimizerSpec(
        Kind kind,
        double lr,
        double momentum,
        boolean nesterov,
        double eps,
        double rho,
        double beta1,
        double beta2,
        OptionalDouble clipValue,
        OptionalDouble clipNorm,
        SourceSpan span) {

    public enum Kind {
        SGD("sgd"),
        ADAGRAD("adagrad"),
        RMSPROP("rmsprop"),
        ADAM("adam");

        private final String spelling;

        Kind(String spelling) {
            this.spelling = spelling;
        }

        public String spelling() {
            return spelling;
        }
    }
}
