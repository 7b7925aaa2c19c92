package dev.nnc.compiler;

import dev.nnc.compiler.codegen.CodeGenerator;
import dev.nnc.compiler.codegen.DeclarationReport;
import dev.nnc.compiler.diagnostic.DiagnosticRenderer;
import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.diagnostic.SourceFile;
import dev.nnc.compiler.frontend.FrontEnd;
import dev.nnc.compiler.semantic.CheckedUnit;
import dev.nnc.compiler.semantic.SemanticChecker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The compiler's one entry point: {@code .nn} sources in, diagnostics (and, for
 * {@link #generate}, Java files) out. The command line and the Maven plugin both call it.
 *
 * <p>Every stage runs on a thread of its own with a large stack: a spec may nest definitions or
 * chain operators deep enough to exhaust the caller's stack (Maven's threads included), and a
 * user's spec must end in diagnostics, never in a {@link StackOverflowError}.
 */
public final class Compiler {
    /** Stack of the compiler thread; reserved address space, committed only as used. */
    private static final long STACK_BYTES = 1L << 30;

    private Compiler() {}

    /** Parses and checks the sources; the result holds diagnostics only. */
    public static CompilationResult check(List<SourceInput> sources) {
        return onCompilerThread(() -> {
            Session session = new Session();
            session.check(sources);
            return session.result(List.of());
        });
    }

    /**
     * Parses, checks and generates one Java class per declaration. When any source has an
     * error, no file is generated for any of them: the build must not go on with a partial set.
     */
    public static CompilationResult generate(List<SourceInput> sources) {
        return onCompilerThread(() -> {
            Session session = new Session();
            List<CheckedUnit> units = session.check(sources);
            if (session.diagnostics.hasErrors()) {
                return session.result(List.of());
            }
            return session.result(CodeGenerator.generate(units));
        });
    }

    /**
     * The report of {@code nnc report}: for each declaration (or only the one named), its
     * interface, operation counts and generated kernels. Empty when the sources have errors,
     * which the diagnostics then explain.
     */
    public static Report report(List<SourceInput> sources, Optional<String> name) {
        return onCompilerThread(() -> {
            Session session = new Session();
            List<CheckedUnit> units = session.check(sources);
            List<DeclarationReport> reports = session.diagnostics.hasErrors()
                    ? List.of()
                    : CodeGenerator.report(units).stream()
                            .filter(r -> name.isEmpty() || r.name().equals(name.get()))
                            .toList();
            return new Report(reports, session.result(List.of()));
        });
    }

    /** Reports and the diagnostics of the compilation that made them. */
    public record Report(List<DeclarationReport> declarations, CompilationResult diagnostics) {}

    /** Checked sources of one compilation, with the state shared by its stages. */
    private static final class Session {
        final Diagnostics diagnostics = new Diagnostics();
        final Map<String, SourceFile> files = new LinkedHashMap<>();

        List<CheckedUnit> check(List<SourceInput> sources) {
            List<CheckedUnit> units = new ArrayList<>();
            for (SourceInput source : sources) {
                FrontEnd.Result parsed = FrontEnd.parse(source.name(), source.content(), diagnostics);
                files.put(
                        source.name(),
                        parsed.source()
                                .orElseGet(() -> SourceFile.of(
                                        source.name(), new String(source.content(), StandardCharsets.UTF_8))));
                parsed.unit()
                        .flatMap(unit -> SemanticChecker.check(unit, source.defaultPackage(), diagnostics))
                        .ifPresent(units::add);
            }
            SemanticChecker.checkClassCollisions(units, diagnostics);
            return units;
        }

        CompilationResult result(List<GeneratedFile> generated) {
            var sorted = diagnostics.sorted();
            String rendered = new DiagnosticRenderer(files).render(sorted);
            return new CompilationResult(diagnostics.hasErrors() ? List.of() : generated, sorted, rendered);
        }
    }

    /** Runs {@code task} on a large-stack thread and returns its result or rethrows its failure. */
    private static <T> T onCompilerThread(java.util.function.Supplier<T> task) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(
                null,
                () -> {
                    try {
                        result.set(task.get());
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                },
                "nnc-compiler",
                STACK_BYTES);
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InternalCompilerError("compilation interrupted", e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new InternalCompilerError("unexpected failure", t);
        }
        return Optional.ofNullable(result.get()).orElseThrow(() -> new InternalCompilerError("no result"));
    }
}
