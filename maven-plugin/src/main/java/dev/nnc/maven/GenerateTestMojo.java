package dev.nnc.maven;

import java.io.File;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.sonatype.plexus.build.incremental.BuildContext;

/**
 * Generates Java sources from the {@code .nn} specs of the test source set and adds them to the
 * test compile source roots: for networks that only tests use. Runs in {@code
 * generate-test-sources}, with the same incremental behaviour as {@code generate}.
 */
@Mojo(name = "generate-test", defaultPhase = LifecyclePhase.GENERATE_TEST_SOURCES, threadSafe = true)
public final class GenerateTestMojo extends AbstractNncMojo {
    /**
     * Folder of the test {@code .nn} specs. Read as UTF-8, whatever {@code
     * project.build.sourceEncoding} says: the language defines its files as UTF-8.
     */
    @Parameter(property = "nnc.testSourceDirectory", defaultValue = "${project.basedir}/src/test/nn", required = true)
    private File sourceDirectory;

    /**
     * Folder the generated {@code .java} files go to, added to the test compile source roots.
     * Only files this goal wrote are ever deleted from it.
     */
    @Parameter(
            property = "nnc.testOutputDirectory",
            defaultValue = "${project.build.directory}/generated-test-sources/nn",
            required = true)
    private File outputDirectory;

    @Inject
    public GenerateTestMojo(BuildContext buildContext) {
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
        project.addTestCompileSourceRoot(root);
    }
}
