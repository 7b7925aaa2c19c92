package dev.nnc.maven;

import java.io.File;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.sonatype.plexus.build.incremental.BuildContext;

/**
 * Generates Java sources from the {@code .nn} specs of the main source set and adds them to the
 * compile source roots. Runs in {@code generate-sources}; an unchanged source tree regenerates
 * nothing, and the classes of deleted specs are removed.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public final class GenerateMojo extends AbstractNncMojo {
    /**
     * Folder of the {@code .nn} specs. Read as UTF-8, whatever {@code project.build.sourceEncoding}
     * says: the language defines its files as UTF-8.
     */
    @Parameter(property = "nnc.sourceDirectory", defaultValue = "${project.basedir}/src/main/nn", required = true)
    private File sourceDirectory;

    /**
     * Folder the generated {@code .java} files go to, added to the compile source roots. Only
     * files this goal wrote are ever deleted from it.
     */
    @Parameter(
            property = "nnc.outputDirectory",
            defaultValue = "${project.build.directory}/generated-sources/nn",
            required = true)
    private File outputDirectory;

    @Inject
    public GenerateMojo(BuildContext buildContext) {
        super(buildContext);
    }

    @Override
    protected File sourceDirectory() {
        return sourceDirectory;
    }

    @Override
    protected File outputDirectory() {
        return outputDirectory;
    }

    @Override
    protected void addSourceRoot(MavenProject project, String root) {
        project.addCompileSourceRoot(root);
    }
}
