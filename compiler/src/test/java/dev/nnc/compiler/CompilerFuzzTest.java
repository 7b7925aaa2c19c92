package dev.nnc.compiler;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.diagnostic.Diagnostic;
import dev.nnc.compiler.diagnostic.DiagnosticRenderer;
import dev.nnc.compiler.testing.Trials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Whatever the input, {@link Compiler#check} returns normally, every diagnostic has a real
 * position, and the rendered text carries every headline it promises to show. The inputs are
 * random text, random sequences of the language's words, and the example files with one edit
 * each; {@link Trials} draws them from fixed seeds, so a failure names the seed that repeats it.
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

    /** Splits before and after whitespace and the brackets and separators, keeping every piece. */
    private static final String TOKEN_BOUNDARY = "(?<=\\s)|(?=\\s)|(?<=[(){};,=\\[\\]])|(?=[(){};,=\\[\\]])";

    /** Every example file, read once: what {@link #mutant} edits. */
    private static final List<Example> EXAMPLE_FILES = examples();

    /** The language's own characters, one of the three sources of {@link #text}. */
    private static final String LANGUAGE_CHARS = "network{}()[];=+-*/@^,.xyzW0123456789 \n\r\t";

    private static final int MAX_TEXT_LENGTH = 300;
    private static final int MAX_TOKENS = 80;

    /** An example file and its text. */
    private record Example(String name, String text) {}

    /** A mutated example: which file, what was done to it, and the resulting text. */
    private record Mutant(String example, String edit, String text) {
        @Override
        public String toString() {
            return example + " with " + edit + ":\n" + text;
        }
    }

    @TestFactory
    Stream<DynamicTest> randomStringsEndInDiagnostics() {
        return Trials.check(300, CompilerFuzzTest::text, text -> assertWellFormed(Sources.check("random.nn", text)));
    }

    @TestFactory
    Stream<DynamicTest> randomTokenSequencesEndInDiagnostics() {
        return Trials.check(300, CompilerFuzzTest::tokens, text -> assertWellFormed(Sources.check("tokens.nn", text)));
    }

    @TestFactory
    Stream<DynamicTest> mutatedExamplesEndInDiagnosticsOrSuccess() {
        return Trials.check(
                400, CompilerFuzzTest::mutant, mutant -> assertWellFormed(Sources.check("mutant.nn", mutant.text())));
    }

    /**
     * Up to {@value #MAX_TEXT_LENGTH} characters, each drawn with equal chance from the
     * language's characters, from Latin-1 (controls and NUL included) or from general
     * punctuation (which holds the bidirectional controls and zero-width characters). One text
     * in eight is at most eight characters long, so that empty and tiny inputs are tried too.
     */
    private static String text(RandomGenerator random) {
        int length = random.nextInt(8) == 0 ? random.nextInt(9) : random.nextInt(MAX_TEXT_LENGTH + 1);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(
                    switch (random.nextInt(3)) {
                        case 0 -> LANGUAGE_CHARS.charAt(random.nextInt(LANGUAGE_CHARS.length()));
                        case 1 -> (char) random.nextInt(0x0000, 0x0100);
                        default -> (char) random.nextInt(0x2000, 0x2070);
                    });
        }
        return text.toString();
    }

    /** Up to {@value #MAX_TOKENS} words of {@link #VOCABULARY}, separated by spaces. */
    private static String tokens(RandomGenerator random) {
        int count = random.nextInt(MAX_TOKENS + 1);
        List<String> tokens = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tokens.add(word(random));
        }
        return String.join(" ", tokens);
    }

    private static String word(RandomGenerator random) {
        return VOCABULARY.get(random.nextInt(VOCABULARY.size()));
    }

    /**
     * An example file with one edit: a token (a run of whitespace, a bracket or separator, or
     * the text between them) or a single character is deleted, duplicated, swapped with another
     * or preceded by a word of the vocabulary (its first character, for a character edit).
     */
    private static Mutant mutant(RandomGenerator random) {
        Example example = EXAMPLE_FILES.get(random.nextInt(EXAMPLE_FILES.size()));
        int kind = random.nextInt(8);
        String word = word(random);
        if (kind < 4) {
            List<String> tokens = new ArrayList<>(List.of(example.text().split(TOKEN_BOUNDARY)));
            int i = random.nextInt(tokens.size());
            int j = random.nextInt(tokens.size());
            String edit = switch (kind) {
                case 0 -> "token " + i + " deleted";
                case 1 -> "token " + i + " duplicated";
                case 2 -> "tokens " + i + " and " + j + " swapped";
                default -> "'" + word + "' inserted before token " + i;
            };
            switch (kind) {
                case 0 -> tokens.remove(i);
                case 1 -> tokens.add(i, tokens.get(i));
                case 2 -> Collections.swap(tokens, i, j);
                default -> tokens.add(i, " " + word + " ");
            }
            return new Mutant(example.name(), edit, String.join("", tokens));
        }
        StringBuilder text = new StringBuilder(example.text());
        int i = random.nextInt(text.length());
        int j = random.nextInt(text.length());
        char inserted = word.charAt(0);
        String edit = switch (kind) {
            case 4 -> "character " + i + " deleted";
            case 5 -> "character " + i + " duplicated";
            case 6 -> "characters " + i + " and " + j + " swapped";
            default -> "'" + inserted + "' inserted before character " + i;
        };
        switch (kind) {
            case 4 -> text.deleteCharAt(i);
            case 5 -> text.insert(i, text.charAt(i));
            case 6 -> {
                char c = text.charAt(i);
                text.setCharAt(i, text.charAt(j));
                text.setCharAt(j, c);
            }
            default -> text.insert(i, inserted);
        }
        return new Mutant(example.name(), edit, text.toString());
    }

    private static List<Example> examples() {
        try (Stream<Path> files = Files.list(ExamplesTest.EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".nn"))
                    .sorted()
                    .map(f -> new Example(f.getFileName().toString(), read(f)))
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
