/**
 * The nnc Maven plugin: goals {@code generate} and {@code generate-test} compile the {@code .nn}
 * specifications of a project into Java sources that the same build then compiles.
 *
 * <p>In: a source root of {@code .nn} files and the plugin configuration. Out: {@code .java} files
 * under an output root that is added to the project's (test) compile source roots, an incremental
 * state under {@code target/maven-status/nnc/}, diagnostics in the build log and, in Eclipse, as
 * markers. {@link dev.nnc.maven.AbstractNncMojo} holds the flow; each other class does one step.
 */
package dev.nnc.maven;
