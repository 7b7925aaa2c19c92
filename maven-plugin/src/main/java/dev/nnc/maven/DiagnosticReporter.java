package dev.nnc.maven;

import dev.nnc.compiler.diagnostic.Diagnostic;
import dev.nnc.compiler.diagnostic.DiagnosticRenderer;
import dev.nnc.compiler.diagnostic.Severity;
import dev.nnc.compiler.diagnostic.SourceFile;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.maven.plugin.logging.Log;
import org.sonatype.plexus.build.incremental.BuildContext;
import org.sonatype.plexus.build.incremental.DefaultBuildContext;

/**
 * Passes the compiler's diagnostics on to the two places a Maven user looks: the build log, in
 * the {@code FILE:LINE:COLUMN: error: MESSAGE} form that terminals and IDEs turn into links,
 * followed by the source excerpt; and the IDE's problem markers through the {@link BuildContext}.
 *
 * <pre>
 * [ERROR] src/main/nn/xor.nn:6:39: error: unknown activation 'sigmoud'
 *     hidden = dense(x, 4, activation = sigmoud);
 *                                       ^~~~~~~
 *   help: did you mean 'sigmoid'?
 * </pre>
 */
final class DiagnosticReporter {
    private final Log log;
    private final BuildContext buildContext;
    private final Map<String, SpecSource> specs = new LinkedHashMap<>();
    private final DiagnosticRenderer renderer;

    /**
     * @param specs the compiled specs
     * @param texts their text, by {@link SpecSource#displayName()}, for the excerpts
     */
    DiagnosticReporter(Log log, BuildContext buildContext, Collection<SpecSource> specs, Map<String, String> texts) {
        this.log = log;
        this.buildContext = buildContext;
        specs.forEach(spec -> this.specs.put(spec.displayName(), spec));
        Map<String, SourceFile> files = new LinkedHashMap<>();
        texts.forEach((name, text) -> files.put(name, SourceFile.of(name, text)));
        this.renderer = new DiagnosticRenderer(files);
    }

    /** Clears the markers an earlier build left on the specs, before they are compiled again. */
    void clearMarkers() {
        specs.values().forEach(spec -> buildContext.removeMessages(spec.file().toFile()));
    }

    /**
     * Logs {@code diagnostics} (at most {@link DiagnosticRenderer#MAX_ERRORS} errors, then a count
     * of the rest) and marks every error and warning in the IDE.
     */
    void report(List<Diagnostic> diagnostics) {
        int errors = 0;
        for (Diagnostic diagnostic : diagnostics) {
            if (diagnostic.isError()) {
                errors++;
            }
            if (errors <= DiagnosticRenderer.MAX_ERRORS) {
                log(diagnostic);
            }
            mark(diagnostic);
        }
        if (errors > DiagnosticRenderer.MAX_ERRORS) {
            log.error(plural(errors - DiagnosticRenderer.MAX_ERRORS, "more error") + " not shown");
        }
    }

    /** The one-line verdict on a failed compilation, e.g. {@code nnc: 2 errors in 1 file}. */
    static String summary(List<Diagnostic> diagnostics) {
        List<Diagnostic> errors =
                diagnostics.stream().filter(Diagnostic::isError).toList();
        long files = errors.stream().map(d -> d.span().file()).distinct().count();
        return "nnc: " + plural(errors.size(), "error") + " in " + plural(files, "file");
    }

    private void log(Diagnostic diagnostic) {
        String text = renderer.render(diagnostic).stripTrailing();
        switch (diagnostic.severity()) {
            case ERROR -> log.error(text);
            case WARNING -> log.warn(text);
            case NOTE -> log.info(text);
        }
    }

    private void mark(Diagnostic diagnostic) {
        SpecSource spec = specs.get(diagnostic.span().file());
        if (spec == null || diagnostic.severity() == Severity.NOTE || isCommandLine()) {
            return;
        }
        String message = diagnostic.message()
                + diagnostic.help().map(help -> " (help: " + help + ")").orElse("");
        int severity = diagnostic.isError() ? BuildContext.SEVERITY_ERROR : BuildContext.SEVERITY_WARNING;
        buildContext.addMessage(
                spec.file().toFile(),
                diagnostic.span().line(),
                diagnostic.span().column(),
                message,
                severity,
                null);
    }

    /**
     * Whether the build runs outside an IDE. There the default context has no markers and
     * would only print each message a second time, in a form without the excerpt.
     */
    private boolean isCommandLine() {
        return buildContext instanceof DefaultBuildContext;
    }

    private static String plural(long count, String noun) {
        return String.format(Locale.ROOT, "%d %s%s", count, noun, count == 1 ? "" : "s");
    }
}
