package dev.nnc.compiler.codegen;

import dev.nnc.compiler.CompilationResult;
import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.GeneratedFile;
import dev.nnc.compiler.SourceInput;
import dev.nnc.compiler.diagnostic.Diagnostic;
import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.frontend.FrontEnd;
import dev.nnc.compiler.semantic.CheckedUnit;
import dev.nnc.compiler.semantic.SemanticChecker;
import dev.nnc.compiler.testing.RandomSpecs.Spec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * The rule "accepted means correct", applied to many specs at once: every spec that {@link
 * Compiler#check} accepts must generate without error, its Java must compile with javac ({@code
 * -Xlint:all -Werror}, in process), and every generated class must pass {@link AcceptedRule}.
 *
 * <p>The specs of a batch are compiled by one javac run, which is what keeps hundreds of specs
 * within a CI budget. javac stops before attribution when any file fails to parse, so a failing
 * run is repeated without the specs its errors point at until the rest compiles. Each spec has a
 * package of its own, so that specs cannot see each other's classes.
 */
final class AcceptedSpecs {
    /** Where the specs of a run are written and compiled; removed when the test JVM exits. */
    private static final Path ROOT = temporaryRoot();

    private static final JavaCompiler JAVAC = ToolProvider.getSystemJavaCompiler();
    private static final StandardJavaFileManager FILES =
            JAVAC.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);

    private static int batches;

    private AcceptedSpecs() {}

    /** A spec and the seed that generated it (or -1 for a spec not drawn from a seed). */
    record Candidate(long seed, String unique, Spec spec) {
        String defaultPackage() {
            return "fz." + unique;
        }
    }

    /** One violation of the rule by one spec. */
    record Defect(String stage, String signature, String detail, Candidate candidate) {
        /** What makes two defects the same: the stage and the normalised first error. */
        String key() {
            return stage + ": " + signature;
        }
    }

    /** What a batch (or a whole run) tried and found. */
    static final class Outcome {
        int tried;
        int accepted;
        int compiled;
        int classesChecked;
        final Map<String, Integer> rejections = new TreeMap<>();
        final Map<String, Integer> skips = new TreeMap<>();
        final List<Defect> defects = new ArrayList<>();

        void add(Outcome other) {
            tried += other.tried;
            accepted += other.accepted;
            compiled += other.compiled;
            classesChecked += other.classesChecked;
            other.rejections.forEach((k, v) -> rejections.merge(k, v, Integer::sum));
            other.skips.forEach((k, v) -> skips.merge(k, v, Integer::sum));
            defects.addAll(other.defects);
        }

        /** Defects grouped by {@link Defect#key}, most frequent first, each group in seed order. */
        Map<String, List<Defect>> grouped() {
            Map<String, List<Defect>> groups = defects.stream()
                    .collect(Collectors.groupingBy(Defect::key, LinkedHashMap::new, Collectors.toList()));
            return groups.entrySet().stream()
                    .sorted(Comparator.comparing((Map.Entry<String, List<Defect>> e) ->
                                    -e.getValue().size())
                            .thenComparing(Map.Entry::getKey))
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
        }

        /** One paragraph per distinct defect: how often, which seeds, the smallest spec and its error. */
        String report() {
            StringBuilder text = new StringBuilder();
            text.append(String.format(
                    Locale.ROOT,
                    "%d specs tried, %d accepted by check, %d compiled by javac, %d classes checked; %d defects in %d"
                            + " distinct groups%n",
                    tried,
                    accepted,
                    compiled,
                    classesChecked,
                    defects.size(),
                    grouped().size()));
            int number = 0;
            for (Map.Entry<String, List<Defect>> group : grouped().entrySet()) {
                List<Defect> defects = group.getValue();
                Defect smallest = defects.stream()
                        .min(Comparator.comparingInt(
                                d -> d.candidate().spec().text().length()))
                        .orElseThrow();
                text.append(String.format(Locale.ROOT, "%n[%d] %s%n", ++number, group.getKey()));
                text.append("    ").append(defects.size()).append(" specs, seeds ");
                text.append(defects.stream()
                        .limit(8)
                        .map(d -> Long.toString(d.candidate().seed()))
                        .collect(Collectors.joining(", ")));
                text.append(defects.size() > 8 ? ", ..." : "").append('\n');
                text.append("    smallest (seed ")
                        .append(smallest.candidate().seed())
                        .append(", ");
                text.append(smallest.candidate().spec().kind()).append(", file '");
                text.append(smallest.candidate().spec().fileName()).append("'):\n");
                text.append(excerpt(smallest.candidate().spec().text(), 1_500).indent(8));
                text.append("    error:\n")
                        .append(excerpt(smallest.detail(), 1_200).indent(8));
            }
            return text.toString();
        }
    }

    /** Checks every candidate; never throws for a defect, which goes into the outcome instead. */
    static Outcome run(List<Candidate> candidates) {
        Outcome outcome = new Outcome();
        List<Generated> generated = new ArrayList<>();
        for (Candidate candidate : candidates) {
            outcome.tried++;
            Optional<Generated> g = generate(candidate, outcome);
            if (g.isPresent()) {
                outcome.accepted++;
                generated.add(g.get());
                Optional<Candidate> twin = doubleTwin(candidate);
                if (twin.isPresent()) {
                    Outcome twinOutcome = new Outcome();
                    generate(twin.get(), twinOutcome).ifPresent(t -> {
                        g.get().twin = t;
                        generated.add(t);
                    });
                    outcome.defects.addAll(twinOutcome.defects);
                }
            }
        }
        Path batch = ROOT.resolve("batch" + (++batches));
        List<Generated> compiled = compile(batch, generated, outcome);
        outcome.compiled = (int) compiled.stream().filter(g -> !g.isTwin).count();
        if (compiled.isEmpty()) {
            return outcome;
        }
        try (URLClassLoader loader = new URLClassLoader(
                new URL[] {batch.resolve("classes").toUri().toURL()}, AcceptedSpecs.class.getClassLoader())) {
            for (Generated g : compiled) {
                for (AcceptedRule.Finding finding : AcceptedRule.check(g, loader, outcome.skips)) {
                    outcome.defects.add(
                            new Defect(finding.stage(), finding.signature(), finding.detail(), g.candidate));
                }
                outcome.classesChecked += g.files.size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        deleteTree(batch);
        return outcome;
    }

    /** A spec that check accepted, with its generated files and checked declarations. */
    static final class Generated {
        final Candidate candidate;
        final List<GeneratedFile> files;
        final CheckedUnit unit;
        final boolean isTwin;
        Generated twin;

        Generated(Candidate candidate, List<GeneratedFile> files, CheckedUnit unit, boolean isTwin) {
            this.candidate = candidate;
            this.files = files;
            this.unit = unit;
            this.isTwin = isTwin;
        }
    }

    private static SourceInput source(Candidate candidate) {
        return new SourceInput(
                candidate.spec().fileName(),
                candidate.spec().text().getBytes(StandardCharsets.UTF_8),
                Optional.of(candidate.defaultPackage()));
    }

    /** Runs check and generate; empty when check rejects the spec or a defect stops it. */
    private static Optional<Generated> generate(Candidate candidate, Outcome outcome) {
        SourceInput source = source(candidate);
        CompilationResult checked;
        try {
            checked = Compiler.check(List.of(source));
        } catch (RuntimeException | StackOverflowError e) {
            outcome.defects.add(new Defect("check", headline(e), stackTrace(e), candidate));
            return Optional.empty();
        }
        if (checked.hasErrors()) {
            String first = checked.diagnostics().stream()
                    .filter(Diagnostic::isError)
                    .map(d -> d.code().toString())
                    .findFirst()
                    .orElse("?");
            outcome.rejections.merge(first, 1, Integer::sum);
            return Optional.empty();
        }
        CompilationResult result;
        try {
            result = Compiler.generate(List.of(source));
        } catch (RuntimeException | StackOverflowError e) {
            outcome.defects.add(new Defect("generate", headline(e), stackTrace(e), candidate));
            return Optional.empty();
        }
        if (result.hasErrors()) {
            outcome.defects.add(
                    new Defect("generate", "reports errors that check did not", result.rendered(), candidate));
            return Optional.empty();
        }
        Diagnostics diagnostics = new Diagnostics();
        CheckedUnit unit = FrontEnd.parse(source.name(), source.content(), diagnostics)
                .unit()
                .flatMap(u -> SemanticChecker.check(u, source.defaultPackage(), diagnostics))
                .orElseThrow(() -> new AssertionError("check accepted, the checker did not: " + diagnostics.sorted()));
        return Optional.of(new Generated(
                candidate, result.files(), unit, candidate.unique().endsWith("d")));
    }

    /**
     * The same spec in double precision (RELIABILITY 1.5: float code is tested against its double
     * twin), in a package of its own; empty for a spec without float networks.
     */
    private static Optional<Candidate> doubleTwin(Candidate candidate) {
        String text = candidate.spec().text();
        if (!text.contains("precision float;")) {
            return Optional.empty();
        }
        String unique = candidate.unique() + "d";
        String twin = text.replace("precision float;", "precision double;")
                .replace("." + candidate.unique() + ";", "." + unique + ";")
                .replace("package " + candidate.unique() + ";", "package " + unique + ";");
        // A negative seed below -1 marks a twin, which has no seed of its own.
        return Optional.of(new Candidate(
                -2 - Math.abs(candidate.seed() % 1_000_000),
                unique,
                new Spec(candidate.spec().kind(), candidate.spec().fileName(), twin)));
    }

    /** Compiles the batch, dropping specs with javac errors (each a defect) until the rest compiles. */
    private static List<Generated> compile(Path batch, List<Generated> generated, Outcome outcome) {
        Map<Path, Generated> byRoot = new LinkedHashMap<>();
        Map<Generated, List<Path>> paths = new LinkedHashMap<>();
        try {
            for (Generated g : generated) {
                Path root = batch.resolve("src").resolve(g.candidate.unique());
                byRoot.put(root, g);
                List<Path> written = new ArrayList<>();
                for (GeneratedFile file : g.files) {
                    Path path = root.resolve(file.relativePath());
                    Files.createDirectories(path.getParent());
                    Files.writeString(path, file.content(), StandardCharsets.UTF_8);
                    written.add(path);
                }
                paths.put(g, written);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Generated> remaining = new ArrayList<>(generated);
        while (!remaining.isEmpty()) {
            Map<Generated, List<javax.tools.Diagnostic<? extends JavaFileObject>>> errors =
                    javac(batch, remaining, paths, byRoot);
            if (errors == null) {
                return remaining;
            }
            Set<Generated> failed = errors.keySet();
            if (failed.isEmpty()) {
                // No error names a file of ours: compile one at a time to find the culprit.
                Generated first = remaining.get(0);
                Map<Generated, List<javax.tools.Diagnostic<? extends JavaFileObject>>> alone =
                        javac(batch, List.of(first), paths, byRoot);
                if (alone == null) {
                    remaining.remove(0);
                    remaining.add(first);
                    if (remaining.size() == 1) {
                        return remaining;
                    }
                    continue;
                }
                errors = Map.of(first, alone.getOrDefault(first, List.of()));
                failed = errors.keySet();
            }
            for (Map.Entry<Generated, List<javax.tools.Diagnostic<? extends JavaFileObject>>> e : errors.entrySet()) {
                outcome.defects.add(javacDefect(e.getKey(), e.getValue()));
            }
            remaining.removeAll(failed);
            // A twin whose float original failed stays; a float spec whose twin failed loses its twin.
            for (Generated g : remaining) {
                if (g.twin != null && failed.contains(g.twin)) {
                    g.twin = null;
                }
            }
        }
        return remaining;
    }

    /**
     * Runs javac on the files of {@code specs}; null when it succeeds, else the error and warning
     * diagnostics per spec whose files they point at.
     */
    private static Map<Generated, List<javax.tools.Diagnostic<? extends JavaFileObject>>> javac(
            Path batch, List<Generated> specs, Map<Generated, List<Path>> paths, Map<Path, Generated> byRoot) {
        Path classes = batch.resolve("classes");
        deleteTree(classes);
        try {
            Files.createDirectories(classes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Path> sources = specs.stream().flatMap(g -> paths.get(g).stream()).toList();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> options = List.of(
                "-classpath",
                System.getProperty("java.class.path"),
                "-d",
                classes.toString(),
                "-Xlint:all",
                "-Werror",
                "-proc:none",
                "-implicit:none",
                "-Xmaxerrs",
                "100000",
                "-Xmaxwarns",
                "100000");
        Boolean ok = JAVAC.getTask(null, FILES, diagnostics, options, null, FILES.getJavaFileObjectsFromPaths(sources))
                .call();
        if (ok) {
            return null;
        }
        Map<Generated, List<javax.tools.Diagnostic<? extends JavaFileObject>>> errors = new LinkedHashMap<>();
        for (javax.tools.Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != javax.tools.Diagnostic.Kind.ERROR
                    && d.getKind() != javax.tools.Diagnostic.Kind.WARNING
                    && d.getKind() != javax.tools.Diagnostic.Kind.MANDATORY_WARNING) {
                continue;
            }
            if (d.getSource() == null) {
                continue;
            }
            Path file = Path.of(d.getSource().toUri());
            for (Map.Entry<Path, Generated> root : byRoot.entrySet()) {
                if (file.startsWith(root.getKey()) && specs.contains(root.getValue())) {
                    errors.computeIfAbsent(root.getValue(), k -> new ArrayList<>())
                            .add(d);
                }
            }
        }
        return errors;
    }

    private static Defect javacDefect(Generated g, List<javax.tools.Diagnostic<? extends JavaFileObject>> errors) {
        javax.tools.Diagnostic<? extends JavaFileObject> first = errors.isEmpty() ? null : errors.get(0);
        String signature = first == null
                ? "failed without a diagnostic"
                : normalise(withoutDeclarationNames(javacSignature(first), g));
        StringBuilder detail = new StringBuilder();
        for (javax.tools.Diagnostic<? extends JavaFileObject> d : errors.subList(0, Math.min(5, errors.size()))) {
            String file = d.getSource() == null
                    ? "?"
                    : Path.of(d.getSource().toUri()).getFileName().toString();
            detail.append(file).append(':').append(d.getLineNumber()).append(": ");
            detail.append(d.getKind().toString().toLowerCase(Locale.ROOT)).append(": ");
            detail.append(d.getMessage(Locale.ROOT)).append('\n');
            String line = sourceLine(d);
            if (!line.isEmpty()) {
                detail.append("    > ").append(line.strip()).append('\n');
            }
        }
        if (errors.size() > 5) {
            detail.append("... ").append(errors.size() - 5).append(" more\n");
        }
        return new Defect(g.isTwin ? "javac (double twin)" : "javac", signature, detail.toString(), g.candidate);
    }

    /** The first line of the message and its "symbol:" line, numbers and the location left out. */
    private static String javacSignature(javax.tools.Diagnostic<? extends JavaFileObject> d) {
        List<String> lines = d.getMessage(Locale.ROOT).lines().toList();
        String text = lines.get(0);
        for (String line : lines) {
            if (line.strip().startsWith("symbol:")) {
                text += " (" + line.strip().replaceAll("\\s+", " ") + ")";
            }
        }
        return d.getKind().toString().toLowerCase(Locale.ROOT) + ": " + text.replaceAll("\\s+", " ");
    }

    private static String sourceLine(javax.tools.Diagnostic<? extends JavaFileObject> d) {
        try {
            List<String> lines = Files.readAllLines(Path.of(d.getSource().toUri()));
            long n = d.getLineNumber();
            return n >= 1 && n <= lines.size() ? excerpt(lines.get((int) n - 1), 200) : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * The package that makes a spec unique becomes {@code <pkg>} and digits become '#', so that
     * messages differing only in packages, sizes or counts group together.
     */
    static String normalise(String text) {
        return text.replaceAll("(?:\\w+\\.)*z[0-9a-f]{8,}d?\\b\\.?", "<pkg>.")
                .replaceAll("\\d+", "#")
                .replaceAll("\\s+", " ")
                .strip();
    }

    /** The names of the spec's declarations become {@code <Decl>}: a clash looks the same whatever the name. */
    private static String withoutDeclarationNames(String text, Generated g) {
        String result = text;
        for (var declaration : g.unit.declarations()) {
            result = result.replaceAll("\\b" + java.util.regex.Pattern.quote(declaration.name()) + "\\b", "<Decl>");
        }
        return result;
    }

    static String headline(Throwable e) {
        String message =
                e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        return e.getClass().getSimpleName() + ": " + normalise(excerpt(message, 160));
    }

    static String stackTrace(Throwable e) {
        StringBuilder text = new StringBuilder(e.toString()).append('\n');
        StackTraceElement[] trace = e.getStackTrace();
        for (int i = 0; i < Math.min(8, trace.length); i++) {
            text.append("    at ").append(trace[i]).append('\n');
        }
        if (e.getCause() != null && e.getCause() != e) {
            text.append("caused by ").append(stackTrace(e.getCause()));
        }
        return text.toString();
    }

    static String excerpt(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + " ... (" + (text.length() - max) + " more chars)";
    }

    private static Path temporaryRoot() {
        try {
            Path root = Files.createTempDirectory("nnc-accepted");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
