package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Loops over every element of a parameter's arrays (values, gradient, optimizer state), in the
 * order they are stored: one run over a flat array, or one run per column of a matrix stored
 * {@link ParameterField#byColumns by columns}, with each column in a local so that the loop
 * body indexes from 0.
 */
final class ParameterRuns {
    private ParameterRuns() {}

    /**
     * {@code perRun(names, length)} for each contiguous run: {@code names} are what the body
     * indexes in place of {@code arrays} (the fields themselves, or the locals holding their
     * current column) and {@code length} the length of the run.
     */
    static CodeBlock forEachRun(
            ParameterField p,
            Numeric numeric,
            List<String> arrays,
            BiFunction<List<String>, Integer, CodeBlock> perRun) {
        if (!p.byColumns()) {
            return perRun.apply(arrays, p.size());
        }
        CodeBlock.Builder code = CodeBlock.builder().beginControlFlow("for (int c = 0; c < $L; c++)", p.cols());
        List<String> columns = new ArrayList<>();
        for (String array : arrays) {
            String column = array + "_c";
            code.addStatement("$T $N = $N[c]", numeric.arrayType(), column, array);
            columns.add(column);
        }
        return code.add(perRun.apply(columns, p.rows())).endControlFlow().build();
    }

    /** {@code for (int i = 0; i < length; i++) body} over each run; the body indexes with {@code i}. */
    static CodeBlock forEachElement(
            ParameterField p, Numeric numeric, List<String> arrays, Function<List<String>, CodeBlock> body) {
        return forEachRun(
                p,
                numeric,
                arrays,
                (names, length) -> CodeBlock.builder()
                        .beginControlFlow("for (int i = 0; i < $L; i++)", length)
                        .add(body.apply(names))
                        .endControlFlow()
                        .build());
    }
}
