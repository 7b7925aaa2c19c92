package dev.nnc.maven;

import dev.nnc.compiler.GeneratedFile;
import java.io.File;
import java.io.IOException;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.sonatype.plexus.build.incremental.BuildContext;

/**
 * The flow both goals share: find the specs, skip when nothing changed since the last run,
 * otherwise compile them all, report diagnostics, write the files whose bytes changed, remove the
 * files of specs that are gone, and remember what was done. The goals differ only in their
 * folders and in which source roots of the project they extend.
 */
public abstract class AbstractNncMojo extends AbstractMojo {
    /**
     * Patterns (Ant syntax, relative to the source directory) of the specs to compile. Default:
     * {@code **}{@code /*.nn}.
     */
    @Parameter
    private List<String> includes = new ArrayList<>();

    /** Patterns (Ant syntax, relative to the source directory) of files to leave out. */
    @Parameter
    private List<String> excludes = new ArrayList<>();

    /**
     * Java package of the classes of specs that have no {@code package} line. When not set, the
     * package follows the spec's folder under the source directory, as under {@code
     * src/main/java}: {@code com/acme/xor.nn} gives {@code com.acme}, and a spec directly in the
     * source directory goes to the unnamed package. A {@code package} line always wins.
     */
    @Parameter(property = "nnc.packageName")
    private String packageName;

    /** Skips the goal: no sources are generated and no source root is added. */
    @Parameter(property = "nnc.skip", defaultValue = "false")
    private boolean skip;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    @Parameter(defaultValue = "${mojoExecution}", readonly = true, required = true)
    private MojoExecution mojoExecution;

    private final BuildContext buildContext;

    /**
     * @param buildContext the IDE's view of the workspace in Eclipse m2e; on the command line, the
     *     file system
     */
    protected AbstractNncMojo(BuildContext buildContext) {
        this.buildContext = buildContext;
    }

    /** The folder holding the {@code .nn} specs. */
    protected abstract File sourceDirectory();

    /** The folder the generated {@code .java} files go to. */
    protected abstract File outputDirectory();

    /** Adds {@code root} to the source roots this goal feeds (main or test). */
    protected abstract void addSourceRoot(MavenProject project, String root);

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("nnc: skipped (nnc.skip)");
            return;
        }
        Path basedir = project.getBasedir().toPath();
        Path sourceRoot = sourceDirectory().toPath();
        Path outputRoot = outputDirectory().toPath();
        Path stateDirectory = Path.of(project.getBuild().getDirectory(), "maven-status", "nnc")
                .resolve(mojoExecution.getGoal())
                .resolve(mojoExecution.getExecutionId());
        SourceScanner scanner = new SourceScanner(buildContext, basedir);
        IncrementalState previous = IncrementalState.read(stateDirectory);

        List<SpecSource> specs = scanner.scan(sourceRoot, includes, excludes);
        if (specs.isEmpty()) {
            getLog().info("nnc: no .nn sources in " + scanner.displayName(sourceRoot));
            removeAllOutputs(previous, new OutputRoot(outputRoot, buildContext), stateDirectory);
            return;
        }
        addSourceRoot(project, outputRoot.toString());
        if (buildContext.isIncremental() && !buildContext.hasDelta(sourceRoot.toFile())) {
            getLog().debug("nnc: the IDE reports no change under " + sourceRoot);
            return;
        }
        OutputWriter writer = outputWriter();
        Map<SpecSource, byte[]> contents = read(specs);
        IncrementalState current =
                new IncrementalState(configuration(scanner, sourceRoot, writer), hashes(contents), Map.of());
        if (current.hasSameInputs(previous) && previous.outputsIntact(outputRoot)) {
            getLog().info("nnc: nothing changed since the last build (" + count(specs.size(), "spec") + "), "
                    + scanner.displayName(outputRoot) + " is up to date");
            return;
        }
        List<GeneratedFile> files = new SpecCompiler(getLog(), buildContext, packageName).compile(contents);
        OutputRoot output = new OutputRoot(outputRoot, buildContext);
        OutputRoot.Written written = output.write(files, writer);
        int removed = output.remove(previous.staleOutputs(written.hashes().keySet()));
        saveState(new IncrementalState(current.config(), current.inputs(), written.hashes()), stateDirectory);
        getLog().info(String.format(
                Locale.ROOT,
                "nnc: %s from %s in %s (%d written, %d unchanged, %d removed)",
                count(files.size(), "class"),
                count(specs.size(), "spec"),
                scanner.displayName(outputRoot),
                written.written(),
                files.size() - written.written(),
                removed));
    }

    /** The settings that shape the output; a change to any of them regenerates everything. */
    private Map<String, String> configuration(SourceScanner scanner, Path sourceRoot, OutputWriter writer) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("compiler", CompilerVersion.current());
        config.put("sourceDirectory", scanner.displayName(sourceRoot));
        config.put("includes", String.join(",", includes));
        config.put("excludes", String.join(",", excludes));
        config.put("packageName", Optional.ofNullable(packageName).orElse(""));
        config.put("outputEncoding", writer.charset().name());
        return config;
    }

    /**
     * The writer for generated Java, in the project's source encoding. The specs themselves are
     * always UTF-8, as the language defines; the warning says so when the project uses another.
     */
    private OutputWriter outputWriter() throws MojoFailureException {
        String encoding = project.getProperties().getProperty("project.build.sourceEncoding");
        OutputWriter writer;
        try {
            writer = OutputWriter.forProjectEncoding(encoding);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new MojoFailureException(
                    "nnc: project.build.sourceEncoding '" + encoding + "' is not a known charset");
        }
        if (encoding != null && !writer.charset().equals(StandardCharsets.UTF_8)) {
            getLog().warn("nnc: .nn files are always read as UTF-8; generated Java is written in the project's "
                    + writer.charset().name() + ", with \\u escapes for characters it cannot hold");
        }
        return writer;
    }

    private static Map<SpecSource, byte[]> read(List<SpecSource> specs) throws MojoFailureException {
        Map<SpecSource, byte[]> contents = new LinkedHashMap<>();
        for (SpecSource spec : specs) {
            try {
                contents.put(spec, Files.readAllBytes(spec.file()));
            } catch (IOException e) {
                throw new MojoFailureException("nnc: cannot read " + spec.file() + ": " + e, e);
            }
        }
        return contents;
    }

    private static Map<String, String> hashes(Map<SpecSource, byte[]> contents) {
        Map<String, String> hashes = new LinkedHashMap<>();
        contents.forEach((spec, bytes) -> hashes.put(spec.relativePath(), IncrementalState.sha256(bytes)));
        return hashes;
    }

    /** With no specs left, whatever earlier runs generated is stale, and so is the state. */
    private void removeAllOutputs(IncrementalState previous, OutputRoot output, Path stateDirectory)
            throws MojoExecutionException {
        int removed = output.remove(previous.outputs().keySet());
        if (removed > 0) {
            getLog().info("nnc: removed " + count(removed, "generated file") + " of deleted specs");
        }
        try {
            IncrementalState.delete(stateDirectory);
        } catch (IOException e) {
            throw new MojoExecutionException("nnc: cannot delete " + stateDirectory + ": " + e, e);
        }
    }

    private static void saveState(IncrementalState state, Path stateDirectory) throws MojoExecutionException {
        try {
            state.write(stateDirectory);
        } catch (IOException e) {
            throw new MojoExecutionException("nnc: cannot write " + stateDirectory + ": " + e, e);
        }
    }

    private static String count(long n, String noun) {
        String plural = noun.endsWith("s") ? noun + "es" : noun + "s";
        return n + " " + (n == 1 ? noun : plural);
    }
}
