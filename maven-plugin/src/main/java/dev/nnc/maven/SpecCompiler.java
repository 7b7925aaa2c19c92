package dev.nnc.maven;

import dev.nnc.compiler.CompilationResult;
import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.GeneratedFile;
import dev.nnc.compiler.SourceInput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;
import org.sonatype.plexus.build.incremental.BuildContext;

/**
 * Runs the nnc compiler on the specs of one goal and turns the outcome into Maven's terms: the
 * generated files; or the diagnostics, logged and marked, and a {@link MojoFailureException}
 * for errors in the specs; or a {@link MojoExecutionException} when nnc itself fails.
 */
final class SpecCompiler {
    private final Log log;
    private final BuildContext buildContext;
    private final String packageName;

    /** @param packageName the {@code packageName} parameter, or null */
    SpecCompiler(Log log, BuildContext buildContext, String packageName) {
        this.log = log;
        this.buildContext = buildContext;
        this.packageName = packageName;
    }

    /**
     * Compiles all specs together, since the compiler checks class collisions across files.
     *
     * @param contents each spec's bytes, in spec order
     */
    List<GeneratedFile> compile(Map<SpecSource, byte[]> contents) throws MojoExecutionException, MojoFailureException {
        List<SourceInput> inputs = new ArrayList<>();
        Map<String, String> texts = new LinkedHashMap<>();
        for (Map.Entry<SpecSource, byte[]> entry : contents.entrySet()) {
            SpecSource spec = entry.getKey();
            inputs.add(new SourceInput(
                    spec.displayName(),
                    entry.getValue(),
                    PackageNames.defaultPackage(packageName, spec.relativePath())));
            texts.put(spec.displayName(), new String(entry.getValue(), StandardCharsets.UTF_8));
        }
        DiagnosticReporter reporter = new DiagnosticReporter(log, buildContext, contents.keySet(), texts);
        reporter.clearMarkers();
        CompilationResult result;
        try {
            result = Compiler.generate(inputs);
        } catch (RuntimeException e) {
            // An InternalCompilerError, or any other unchecked exception: a fault in nnc, never in the specs.
            throw new MojoExecutionException(
                    "nnc: internal compiler error while compiling "
                            + contents.keySet().stream()
                                    .map(SpecSource::displayName)
                                    .collect(Collectors.joining(", "))
                            + ". This is a bug in nnc, not in your specs; please report it with the specs attached.",
                    e);
        }
        reporter.report(result.diagnostics());
        if (result.hasErrors()) {
            throw new MojoFailureException(DiagnosticReporter.summary(result.diagnostics()));
        }
        return result.files();
    }
}
