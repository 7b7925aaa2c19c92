package dev.nnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.diagnostic.Diagnostic;
import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.diagnostic.Severity;
import dev.nnc.compiler.diagnostic.SourceSpan;
import java.io.File;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.maven.plugin.logging.Log;
import org.junit.jupiter.api.Test;
import org.sonatype.plexus.build.incremental.BuildContext;
import org.sonatype.plexus.build.incremental.DefaultBuildContext;

class DiagnosticReporterTest {
    private static final String NAME = "src/main/nn/xor.nn";
    private static final String LINE = "    hidden = dense(x, 4, activation = sigmoud);";
    private static final String TEXT = "network Xor {\n" + LINE + "\n}\n";
    private static final SpecSource SPEC = new SpecSource(Path.of("/project", NAME), "xor.nn", NAME);

    private final List<String> calls = new ArrayList<>();
    private final Log log = recording(Log.class);
    private final BuildContext ide = recording(BuildContext.class);

    @Test
    void logsEachDiagnosticInTheContractFormWithItsExcerptAtItsLevel() {
        reporter(ide).report(List.of(error(2, 39, "unknown activation 'sigmoud'"), warning(2, 14, "unused value")));

        assertEquals(
                List.of(
                        "error " + NAME + ":2:39: error: unknown activation 'sigmoud'\n"
                                + "    " + LINE + "\n"
                                + " ".repeat(4 + 38) + "^~~~~~~",
                        "warn " + NAME + ":2:14: warning: unused value\n"
                                + "    " + LINE + "\n"
                                + " ".repeat(4 + 13) + "^~~~~~~"),
                logged());
    }

    @Test
    void marksErrorsAndWarningsInTheIde() {
        DiagnosticReporter reporter = reporter(ide);
        reporter.clearMarkers();
        reporter.report(List.of(error(2, 39, "unknown activation 'sigmoud'"), warning(2, 14, "unused value")));

        File file = SPEC.file().toFile();
        assertEquals(
                List.of(
                        "removeMessages " + file,
                        "addMessage " + file + " 2 39 unknown activation 'sigmoud' " + BuildContext.SEVERITY_ERROR,
                        "addMessage " + file + " 2 14 unused value " + BuildContext.SEVERITY_WARNING),
                marked());
    }

    @Test
    void leavesTheCommandLineToTheLogAlone() {
        List<String> echoed = new ArrayList<>();
        BuildContext commandLine = new DefaultBuildContext() {
            @Override
            public void addMessage(File file, int line, int column, String message, int severity, Throwable cause) {
                echoed.add(message);
            }
        };

        reporter(commandLine).report(List.of(error(2, 39, "unknown activation 'sigmoud'")));

        assertEquals(List.of(), echoed);
        assertEquals(1, logged().size());
    }

    @Test
    void logsAtMostTheRenderersLimitOfErrorsAndCountsTheRest() {
        List<Diagnostic> errors = IntStream.rangeClosed(1, 25)
                .mapToObj(i -> error(2, i, "error number " + i))
                .toList();

        reporter(ide).report(errors);

        List<String> logged = logged();
        assertEquals(21, logged.size());
        assertEquals("error 5 more errors not shown", logged.get(20));
        assertEquals(25, marked().size());
    }

    @Test
    void summarisesTheErrorsAndTheFilesTheyAreIn() {
        Diagnostic elsewhere = new Diagnostic(
                DiagnosticCode.NAME_UNDEFINED,
                Severity.ERROR,
                SourceSpan.of("src/main/nn/and.nn", 1, 1, 0, 1),
                "unknown name 'y2'",
                Optional.empty(),
                List.of());

        assertEquals("nnc: 1 error in 1 file", DiagnosticReporter.summary(List.of(error(2, 39, "a"))));
        assertEquals(
                "nnc: 2 errors in 1 file",
                DiagnosticReporter.summary(List.of(error(2, 39, "a"), warning(2, 14, "b"), error(2, 14, "c"))));
        assertEquals("nnc: 2 errors in 2 files", DiagnosticReporter.summary(List.of(error(2, 39, "a"), elsewhere)));
    }

    private DiagnosticReporter reporter(BuildContext buildContext) {
        return new DiagnosticReporter(log, buildContext, List.of(SPEC), Map.of(NAME, TEXT));
    }

    private static Diagnostic error(int line, int column, String message) {
        return diagnostic(Severity.ERROR, line, column, message);
    }

    private static Diagnostic warning(int line, int column, String message) {
        return diagnostic(Severity.WARNING, line, column, message);
    }

    private static Diagnostic diagnostic(Severity severity, int line, int column, String message) {
        return new Diagnostic(
                DiagnosticCode.NAME_UNKNOWN_ACTIVATION,
                severity,
                SourceSpan.of(NAME, line, column, 0, 7),
                message,
                Optional.empty(),
                List.of());
    }

    private List<String> logged() {
        return calls.stream()
                .filter(call -> !call.startsWith("addMessage") && !call.startsWith("removeMessages"))
                .toList();
    }

    private List<String> marked() {
        return calls.stream()
                .filter(call -> call.startsWith("addMessage") || call.startsWith("removeMessages"))
                .toList();
    }

    /** An implementation of {@code type} that records each call as "method arg arg ...". */
    private <T> T recording(Class<T> type) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getReturnType() == boolean.class) {
                return true;
            }
            List<String> words = new ArrayList<>(List.of(method.getName()));
            for (Object arg : args == null ? new Object[0] : args) {
                if (arg != null) {
                    words.add(arg.toString());
                }
            }
            calls.add(String.join(" ", words));
            return null;
        }));
    }
}
