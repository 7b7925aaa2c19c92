package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Loops over the elements of a parameter's arrays (values, gradient, optimizer state), in the
 * order they are stored: one run over a flat array, or one run per column of a matrix stored
 * {@link ParameterField#byColumns by columns}, with each column in a local so that the loop
 * body indexes from 0. A loop covers all elements, or, {@link #inParts in parts}, the share of
 * part {@code part} of {@code parts} (locals of the generated method): a contiguous range of
 * the columns, or of the elements of a flat array.
 */
final class ParameterRuns {
    /** Whether loops cover the share of one part instead of everything. */
    private final boolean inParts;

    private ParameterRuns(boolean inParts) {
        this.inParts = inParts;
    }

    static ParameterRuns whole() {
        return new ParameterRuns(false);
    }

    static ParameterRuns inParts() {
        return new ParameterRuns(true);
    }

    /** One contiguous run: the names the body indexes, and its first and end index. */
    record Run(List<String> names, CodeBlock from, CodeBlock to) {
        String name(int array) {
            return names.get(array);
        }
    }

    /**
     * {@code perRun} for each contiguous run; the run's names stand for {@code arrays} (the
     * fields themselves, or the locals holding their current column).
     */
    CodeBlock forEachRun(ParameterField p, Numeric numeric, List<String> arrays, Function<Run, CodeBlock> perRun) {
        if (!p.byColumns()) {
            return perRun.apply(new Run(arrays, from(p.size()), to(p.size())));
        }
        CodeBlock.Builder code =
                CodeBlock.builder().beginControlFlow("for (int c = $L; c < $L; c++)", from(p.cols()), to(p.cols()));
        List<String> columns = new ArrayList<>();
        for (String array : arrays) {
            String column = array + "_c";
            code.addStatement("$T $N = $N[c]", numeric.arrayType(), column, array);
            columns.add(column);
        }
        return code.add(perRun.apply(new Run(columns, CodeBlock.of("0"), CodeBlock.of("$L", p.rows()))))
                .endControlFlow()
                .build();
    }

    /** {@code for (int i = from; i < to; i++) body} over each run; the body indexes with {@code i}. */
    CodeBlock forEachElement(ParameterField p, Numeric numeric, List<String> arrays, Function<Run, CodeBlock> body) {
        return forEachRun(
                p,
                numeric,
                arrays,
                run -> CodeBlock.builder()
                        .beginControlFlow("for (int i = $L; i < $L; i++)", run.from(), run.to())
                        .add(body.apply(run))
                        .endControlFlow()
                        .build());
    }

    boolean isInParts() {
        return inParts;
    }

    boolean isWhole() {
        return !inParts;
    }

    /** The parameters a method part needs to run these loops: {@code part} and {@code parts} in parts. */
    List<ParameterSpec> parameters() {
        return inParts
                ? List.of(
                        ParameterSpec.builder(TypeName.INT, "part").build(),
                        ParameterSpec.builder(TypeName.INT, "parts").build())
                : List.of();
    }

    /** The first index of this loop's share of {@code count} columns or elements. */
    CodeBlock from(int count) {
        return inParts ? CodeBlock.of("$L * part / parts", count) : CodeBlock.of("0");
    }

    /** The end index of this loop's share of {@code count} columns or elements. */
    CodeBlock to(int count) {
        return inParts ? CodeBlock.of("$L * (part + 1) / parts", count) : CodeBlock.of("$L", count);
    }
}
