package dev.nnc.compiler.codegen;

import dev.nnc.compiler.semantic.Symbol;

/**
 * A trainable parameter as the generated class stores it: one array field for its values and,
 * in trainable networks, one for its gradient (the mean over the batch).
 */
record ParameterField(Symbol.Param param, String field, String gradient) {
    int size() {
        return param.shape().size();
    }
}
