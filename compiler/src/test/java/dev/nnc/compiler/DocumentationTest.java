package dev.nnc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The code blocks of docs/language.md compile as the page says; every code is documented. */
class DocumentationTest {
    private static final Path DOCS = Path.of("..", "docs");
    private static final Pattern BLOCK = Pattern.compile("(?ms)^```(nn|nn-error)\\n(.*?)^```$");

    static Stream<Arguments> blocks() throws IOException {
        String page = Files.readString(DOCS.resolve("language.md"));
        List<Arguments> blocks = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(page);
        while (matcher.find()) {
            int line = (int) page.substring(0, matcher.start()).lines().count() + 1;
            blocks.add(Arguments.of("language.md:" + line, matcher.group(1), matcher.group(2)));
        }
        return blocks.stream();
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("blocks")
    void everyLanguageExampleCompilesAsMarked(String where, String kind, String text) {
        CompilationResult result = Sources.check(where, text);
        if (kind.equals("nn")) {
            assertEquals("", result.rendered(), where);
        } else {
            assertTrue(result.hasErrors(), where + " should show an error");
        }
    }

    @Test
    void languagePageHasExamplesOfBothKinds() throws IOException {
        assertTrue(blocks().count() >= 10);
    }

    @Test
    void everyDiagnosticCodeIsDocumented() throws IOException {
        String page = Files.readString(DOCS.resolve("diagnostics.md"));
        for (DiagnosticCode code : DiagnosticCode.values()) {
            assertTrue(page.contains("| " + code.id() + " | " + code.name() + " |"), code.id() + " " + code.name());
        }
    }
}
