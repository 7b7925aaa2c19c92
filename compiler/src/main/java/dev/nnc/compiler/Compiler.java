package dev.nnc.compiler;

import dev.nnc.compiler.codegen.CodeGenerator;
import dev.nnc.compiler.codegen.DeclarationReport;
import dev.nnc.compiler.codegen.Version;
import dev.nnc.compiler.diagnostic.DiagnosticRenderer;
import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.diagnostic.SourceFile;
import dev.nnc.compiler.frontend.FrontEnd;
import dev.nnc.compiler.onnx.OnnxExport;
import dev.nnc.compiler.onnx.Weights;
import dev.nnc.compiler.semantic.CheckedUnit;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Precision;
import dev.nnc.compiler.semantic.SemanticChecker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

    /**
     * The ONNX model of the prediction of network {@code network} declared in {@code sources} (or
     * of their only network, when empty), with the weights of {@code weightsFile}: a parameter
     * file, or a safetensors file when its name ends in {@code .safetensors} ({@link
     * Weights#readFile}). No model when the sources have errors, when no network has that name,
     * when the weights do not fit, or when the network holds a construct that ONNX cannot express
     * (a diagnostic at the construct).
     */
    public static OnnxResult exportOnnx(List<SourceInput> sources, Optional<String> network, Path weightsFile) {
        return exportOnnx(sources, network, weightsFile, Precision.FLOAT);
    }

    /**
     * {@link #exportOnnx(List, Optional, Path)} with every real value of the model (inputs,
     * weights, constants, output) in {@code precision}.
     */
    public static OnnxResult exportOnnx(
            List<SourceInput> sources, Optional<String> network, Path weightsFile, Precision precision) {
        return exportOnnx(sources, network, (name, slots) -> Weights.readFile(weightsFile, name, slots), precision);
    }

    /**
     * The ONNX model of {@link #exportOnnx(List, Optional, Path)}, with the weights that {@code
     * weights} reads for the network's tensors ({@link dev.nnc.compiler.onnx.OnnxExport#slots}).
     */
    public static OnnxResult exportOnnx(List<SourceInput> sources, Optional<String> network, WeightSource weights) {
        return exportOnnx(sources, network, weights, Precision.FLOAT);
    }

    /** {@link #exportOnnx(List, Optional, WeightSource)} with the model's real values in {@code precision}. */
    public static OnnxResult exportOnnx(
            List<SourceInput> sources, Optional<String> network, WeightSource weights, Precision precision) {
        return onCompilerThread(() -> {
            Session session = new Session();
            List<CheckedUnit> units = session.check(sources);
            if (session.diagnostics.hasErrors()) {
                return new OnnxResult(Optional.empty(), Optional.empty(), session.result(List.of()));
            }
            Optional<Declaration.Network> found = network(units, network);
            if (found.isEmpty()) {
                return new OnnxResult(
                        Optional.empty(), Optional.of(noSuchNetwork(units, network)), session.result(List.of()));
            }
            try {
                Weights read = weights.read(found.get().name(), OnnxExport.slots(found.get()));
                Optional<byte[]> model =
                        OnnxExport.export(found.get(), read, Version.current(), precision, session.diagnostics);
                return new OnnxResult(model, Optional.empty(), session.result(List.of()));
            } catch (IOException e) {
                return new OnnxResult(Optional.empty(), Optional.of(e.getMessage()), session.result(List.of()));
            }
        });
    }

    /**
     * The checked network {@code network} of {@code sources} (their only network, when empty), or the
     * diagnostics and the problem that stand in its way.
     */
    public static NetworkResult checkNetwork(List<SourceInput> sources, Optional<String> network) {
        return onCompilerThread(() -> {
            Session session = new Session();
            List<CheckedUnit> units = session.check(sources);
            if (session.diagnostics.hasErrors()) {
                return new NetworkResult(Optional.empty(), Optional.empty(), session.result(List.of()));
            }
            Optional<Declaration.Network> found = network(units, network);
            return new NetworkResult(
                    found,
                    found.isPresent() ? Optional.empty() : Optional.of(noSuchNetwork(units, network)),
                    session.result(List.of()));
        });
    }

    private static Optional<Declaration.Network> network(List<CheckedUnit> units, Optional<String> name) {
        List<Declaration.Network> networks = networks(units);
        if (name.isEmpty()) {
            return networks.size() == 1 ? Optional.of(networks.get(0)) : Optional.empty();
        }
        return networks.stream().filter(n -> n.name().equals(name.get())).findFirst();
    }

    private static List<Declaration.Network> networks(List<CheckedUnit> units) {
        return units.stream()
                .flatMap(u -> u.declarations().stream())
                .filter(d -> d instanceof Declaration.Network)
                .map(Declaration.Network.class::cast)
                .toList();
    }

    private static String noSuchNetwork(List<CheckedUnit> units, Optional<String> name) {
        List<String> networks = networks(units).stream().map(Declaration::name).toList();
        if (networks.isEmpty()) {
            return "the sources declare no network";
        }
        String declared = "they declare " + String.join(", ", networks);
        return name.isPresent()
                ? "no network '" + name.get() + "' in the sources; " + declared
                : "the sources declare " + networks.size() + " networks (" + String.join(", ", networks)
                        + "); choose one with --network";
    }

    /** Reads the weights of a network, given its name and the tensors it expects. */
    @FunctionalInterface
    public interface WeightSource {
        Weights read(String network, List<Weights.Slot> slots) throws IOException;
    }

    /**
     * An export: the model's bytes, or a problem that is not in the sources (no such network,
     * weights that do not fit) and the diagnostics of the sources.
     */
    public record OnnxResult(Optional<byte[]> model, Optional<String> problem, CompilationResult diagnostics) {}

    /** A network looked up by name, or the problem and the diagnostics of the sources. */
    public record NetworkResult(
            Optional<Declaration.Network> network, Optional<String> problem, CompilationResult diagnostics) {}

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
