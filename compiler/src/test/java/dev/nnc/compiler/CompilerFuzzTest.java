package dev.nnc.compiler;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.diagnostic.Diagnostic;
import dev.nnc.compiler.diagnostic.DiagnosticRenderer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever the input, {@link Compiler#check} returns normally, every diagnostic has a real
 * position, and the rendered text carries every headline it promises to show.
 */
class CompilerFuzzTest {
    private static final List<String> VOCABULARY = List.of(
            "package",
            "network",
            "function",
            "input",
            "target",
            "param",
            "const",
            "output",
            "loss",
            "optimizer",
            "precision",
            "seed",
            "return",
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            ";",
            ",",
            ".",
            "=",
            "+",
            "-",
            "*",
            "/",
            "@",
            "^",
            "x",
            "y",
            "h",
            "W",
            "out",
            "Net",
            "dense",
            "rbf",
            "dropout",
            "softmax",
            "relu",
            "sigmoid",
            "tanh",
            "step",
            "mse",
            "cross_entropy",
            "l2",
            "weights",
            "sgd",
            "adam",
            "lr",
            "momentum",
            "nesterov",
            "true",
            "false",
            "activation",
            "init",
            "he_normal",
            "uniform",
            "float",
            "double",
            "0",
            "1",
            "2",
            "0.5",
            "1e-4",
            "1e400",
            "99999999999999999999",
            "// c\n",
            "/* c */",
            "/*",
            "\n",
            "\r",
            "\r\n",
            " ",
            "\t",
            "\u202e",
            "\u0000",
            "é",
            "$");

    @Property(tries = 300)
    void randomStringsEndInDiagnostics(@ForAll("text") String text) {
        assertWellFormed(Sources.check("random.nn", text));
    }

    @Property(tries = 300)
    void randomTokenSequencesEndInDiagnostics(@ForAll("tokens") String text) {
        assertWellFormed(Sources.check("tokens.nn", text));
    }

    @Property(tries = 400)
    void mutatedExamplesEndInDiagnosticsOrSuccess(@ForAll("mutants") String text) {
        assertWellFormed(Sources.check("mutant.nn", text));
    }

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.strings()
                .withChars("network{}()[];=+-*/@^,.xyzW0123456789 \n\r\t")
                .withCharRange('\u0000', '\u00ff')
                .withCharRange('\u2000', '\u206f')
                .ofMaxLength(300);
    }

    @Provide
    Arbitrary<String> tokens() {
        return Arbitraries.of(VOCABULARY).list().ofMaxSize(80).map(list -> String.join(" ", list));
    }

    @Provide
    Arbitrary<String> mutants() {
        Arbitrary<String> example = Arbitraries.of(examples());
        Arbitrary<Integer> kind = Arbitraries.integers().between(0, 7);
        Arbitrary<Double> where = Arbitraries.doubles().between(0, 1);
        Arbitrary<Double> other = Arbitraries.doubles().between(0, 1);
        Arbitrary<String> token = Arbitraries.of(VOCABULARY);
        return Combinators.combine(example, kind, where, other, token).as(CompilerFuzzTest::mutate);
    }

    /** Deletes, duplicates, swaps or inserts one token or one character. */
    private static String mutate(String source, int kind, double where, double other, String token) {
        if (kind < 4) {
            List<String> tokens =
                    new ArrayList<>(List.of(source.split("(?<=\\s)|(?=\\s)|(?<=[(){};,=\\[\\]])|(?=[(){};,=\\[\\]])")));
            int i = (int) (where * (tokens.size() - 1));
            int j = (int) (other * (tokens.size() - 1));
            switch (kind) {
                case 0 -> tokens.remove(i);
                case 1 -> tokens.add(i, tokens.get(i));
                case 2 -> {
                    String t = tokens.get(i);
                    tokens.set(i, tokens.get(j));
                    tokens.set(j, t);
                }
                default -> tokens.add(i, " " + token + " ");
            }
            return String.join("", tokens);
        }
        StringBuilder text = new StringBuilder(source);
        int i = (int) (where * Math.max(0, text.length() - 1));
        int j = (int) (other * Math.max(0, text.length() - 1));
        switch (kind) {
            case 4 -> text.deleteCharAt(i);
            case 5 -> text.insert(i, text.charAt(i));
            case 6 -> {
                char c = text.charAt(i);
                text.setCharAt(i, text.charAt(j));
                text.setCharAt(j, c);
            }
            default -> text.insert(i, token.charAt(0));
        }
        return text.toString();
    }

    private static List<String> examples() {
        try (Stream<Path> files = Files.list(ExamplesTest.EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".nn"))
                    .sorted()
                    .map(CompilerFuzzTest::read)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertWellFormed(CompilationResult result) {
        int errors = 0;
        for (Diagnostic diagnostic : result.diagnostics()) {
            assertTrue(diagnostic.span().line() >= 1, diagnostic::headline);
            assertTrue(diagnostic.span().column() >= 1, diagnostic::headline);
            if (diagnostic.isError()) {
                errors++;
            }
            if (errors <= DiagnosticRenderer.MAX_ERRORS) {
                assertTrue(result.rendered().contains(diagnostic.headline()), diagnostic::headline);
            }
        }
    }
}
