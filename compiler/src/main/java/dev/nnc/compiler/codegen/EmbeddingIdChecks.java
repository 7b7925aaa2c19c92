package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Precision;
import dev.nnc.compiler.semantic.Term;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The check of every embedding id of a batch, which each entry point that reads inputs runs
 * before it computes or changes anything: an id must be an integer in {@code [0, count)}, and
 * anything else (a fraction, a negative number, NaN, infinity, a row past the table) is an
 * {@link IllegalArgumentException} naming the sample, the input element and the value. The
 * kernels then cast ids to {@code int} without a check of their own.
 */
final class EmbeddingIdChecks {
    static final String CHECK_IDS = "checkIds";

    private EmbeddingIdChecks() {}

    /**
     * {@code checkIds(xs, n);} where a network has embeddings, nothing otherwise: the first
     * statement after the argument checks of every entry point that reads inputs.
     */
    static CodeBlock call(Declaration.Network network, String xs, String n) {
        return network.embeddings().isEmpty() ? CodeBlock.of("") : CodeBlock.of("$N($N, $L);\n", CHECK_IDS, xs, n);
    }

    /** The checks over the class's arrays and, in a float class, over the double bridge's too. */
    static List<MethodSpec> methods(Declaration.Network network, Numeric numeric) {
        if (!numeric.isFloat()) {
            return List.of(checkIds(network, numeric), checkId(numeric));
        }
        return List.of(
                checkIds(network, numeric),
                checkId(numeric),
                checkIds(network, new Numeric(Precision.DOUBLE)),
                checkId(new Numeric(Precision.DOUBLE)));
    }

    // for (int s = 0; s < n; s++) {
    //     int row = s * INPUT_SIZE;
    //     checkId(xs[row + 3], 53, s, "week", "week", -1);
    //     for (int i = 0; i < 8; i++) checkId(xs[row + 4 + i], 100, s, "words", "tokens", i);
    // }
    private static MethodSpec checkIds(Declaration.Network network, Numeric numeric) {
        CodeBlock.Builder body = CodeBlock.builder()
                .beginControlFlow("for (int s = 0; s < n; s++)")
                .addStatement("int row = s * INPUT_SIZE");
        for (Term.Embedding embedding : network.embeddings()) {
            String layer = embedding.weight().owner();
            List<Term.Embedding.IdPosition> positions = embedding.positions();
            int start = 0;
            while (start < positions.size()) {
                int end = runEnd(positions, start);
                Term.Embedding.IdPosition first = positions.get(start);
                if (end - start == 1) {
                    body.addStatement(
                            "checkId(xs[row + $L], $L, s, $S, $S, $L)",
                            first.offset(),
                            embedding.count(),
                            layer,
                            first.input(),
                            first.index());
                } else {
                    body.beginControlFlow("for (int i = 0; i < $L; i++)", end - start)
                            .addStatement(
                                    "checkId(xs[row + $L + i], $L, s, $S, $S, $L + i)",
                                    first.offset(),
                                    embedding.count(),
                                    layer,
                                    first.input(),
                                    first.index())
                            .endControlFlow();
                }
                start = end;
            }
        }
        return MethodSpec.methodBuilder(CHECK_IDS)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(numeric.arrayType(), "xs")
                .addParameter(TypeName.INT, "n")
                .addJavadoc(
                        "Checks the embedding ids of samples {@code 0} to {@code n - 1} before anything uses them.\n")
                .addCode(body.endControlFlow().build())
                .build();
    }

    /** The end (exclusive) of the run of consecutive elements of one input that starts at {@code start}. */
    private static int runEnd(List<Term.Embedding.IdPosition> positions, int start) {
        int end = start + 1;
        while (end < positions.size()
                && positions.get(end).input().equals(positions.get(start).input())
                && positions.get(end).offset() == positions.get(end - 1).offset() + 1
                && positions.get(end).index() == positions.get(end - 1).index() + 1) {
            end++;
        }
        return end;
    }

    private static MethodSpec checkId(Numeric numeric) {
        return MethodSpec.methodBuilder("checkId")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(numeric.type(), "id")
                .addParameter(TypeName.INT, "count")
                .addParameter(TypeName.INT, "sample")
                .addParameter(String.class, "layer")
                .addParameter(String.class, "input")
                .addParameter(TypeName.INT, "index")
                .addJavadoc("Throws unless {@code id} is an integer in {@code [0, count)}; {@code index} is -1 for a\n")
                .addJavadoc("scalar input.\n")
                // The negated test is also true for NaN.
                .beginControlFlow("if (!(id >= 0 && id < count && id == $T.rint(id)))", JavaLang.MATH)
                .addStatement("$T position = index < 0 ? input : input + \"[\" + index + \"]\"", String.class)
                .addStatement(
                        "throw new $T(\"sample \" + sample + \": \" + position + \" = \" + id + \" is not an id of"
                                + " embedding '\" + layer + \"', an integer in [0, \" + count + \")\")",
                        IllegalArgumentException.class)
                .endControlFlow()
                .build();
    }
}
