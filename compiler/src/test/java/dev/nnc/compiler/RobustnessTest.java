package dev.nnc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.diagnostic.Diagnostic;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Inputs at the edges of size and sanity end in a result, never in an exception. */
class RobustnessTest {
    @Test
    void checksAFlatChainOfOneHundredThousandTerms() {
        String chain = "x" + " + x".repeat(99_999);
        CompilationResult result =
                Sources.check("chain.nn", "network Chain {\n input x;\n out = " + chain + ";\n output out;\n}\n");
        assertEquals("", result.rendered());
    }

    @Test
    void checksAOneMegabyteLine() {
        StringBuilder line = new StringBuilder("network Wide { input x; out = x");
        while (line.length() < 1_000_000) {
            line.append(" + 1");
        }
        line.append("; output out; }");
        CompilationResult result = Sources.check("wide.nn", line.toString());
        assertFalse(result.hasErrors(), result.rendered());
    }

    @Test
    void truncatesTheExcerptOfAOneMegabyteLineWithAnError() {
        String line = "network Wide { input x; out = x" + " + 1".repeat(250_000) + " + y; output out; }";
        CompilationResult result = Sources.check("wide.nn", line);
        assertTrue(result.hasErrors());
        assertTrue(result.rendered().length() < 2_000, "excerpt was not cut to a window");
    }

    @Test
    void deepChainsOfDefinitionsCheck() {
        StringBuilder text = new StringBuilder("network Deep {\n input x;\n target y;\n param w;\n h0 = w * x;\n");
        for (int i = 1; i < 20_000; i++) {
            text.append(" h").append(i).append(" = h").append(i - 1).append(" + x;\n");
        }
        text.append(" output h19999;\n loss (h19999 - y)^2;\n optimizer sgd(lr = 0.1);\n}\n");
        assertEquals("", Sources.check("deep.nn", text.toString()).rendered());
    }

    @Test
    void randomBytesNeverThrowAndEveryDiagnosticHasAPosition() {
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] bytes = new byte[random.nextInt(400)];
            random.nextBytes(bytes);
            CompilationResult result = Sources.check("junk.nn", bytes);
            assertTrue(result.hasErrors());
            for (Diagnostic d : result.diagnostics()) {
                assertTrue(d.span().line() >= 1 && d.span().column() >= 1);
            }
        }
    }

    @Test
    void aBinaryFileStopsAfterTwentyErrorsWithASummary() {
        byte[] junk = new byte[500];
        java.util.Arrays.fill(junk, (byte) 1);
        String rendered = Sources.check("junk.nn", junk).rendered();
        assertTrue(rendered.contains("more error"), rendered);
        assertTrue(rendered.lines().filter(l -> l.contains(": error: ")).count() <= 20);
    }

    @Test
    void aByteOrderMarkIsIgnored() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] text = "function F(x) = x;".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, all, 0, bom.length);
        System.arraycopy(text, 0, all, bom.length, text.length);
        assertEquals("", Sources.check("bom.nn", all).rendered());
    }
}
