package dev.nnc.compiler.codegen;

import dev.nnc.compiler.semantic.Buffer;

/**
 * A buffer as the generated class stores it ({@code bn.running_mean}): its values in {@code
 * field}, and in {@code next} the values a training batch leaves for it, which the class commits
 * once the batch has been used (so a step that fails leaves the buffer as it was).
 */
record BufferField(Buffer buffer, String field, String next) {
    int size() {
        return buffer.shape().size();
    }
}
