package dev.nnc.maven;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.OutputFiles;
import dev.nnc.compiler.SourceInput;
import dev.nnc.compiler.onnx.OnnxExport;
import dev.nnc.compiler.semantic.Precision;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Writes the prediction of a network, with the weights of a parameter file that its generated
 * class's {@code save} wrote, as an ONNX model (opset 17), the same as
 * {@code nnc export-onnx}. Not bound to a phase: run it as {@code mvn nnc:export-onnx
 * -Dnnc.spec=src/main/nn/xor.nn -Dnnc.parameters=xor.params}, or bind an execution to a phase
 * after the one that trains. The model is written in one step, or not at all.
 */
@Mojo(name = "export-onnx", threadSafe = true)
public final class ExportOnnxMojo extends AbstractMojo {
    /** The {@code .nn} spec that declares the network. */
    @Parameter(property = "nnc.spec", required = true)
    File spec;

    /** The network to export; may be left out when the spec declares only one. */
    @Parameter(property = "nnc.network")
    String network;

    /** The parameter file with the weights (what the generated class's {@code save} writes). */
    @Parameter(property = "nnc.parameters", required = true)
    File parameters;

    /** Where the model goes. */
    @Parameter(property = "nnc.onnxFile", defaultValue = "${project.build.directory}/model.onnx", required = true)
    File onnxFile;

    /**
     * The type of every real value of the model: {@code float} (ONNX's FLOAT, what every runtime
     * implements for every operator) or {@code double} (keeps a double network exact, where the
     * runtime has the operators in double).
     */
    @Parameter(property = "nnc.onnxPrecision", defaultValue = "float")
    String precision = "float";

    /** Skips the goal. */
    @Parameter(property = "nnc.skip", defaultValue = "false")
    boolean skip;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("nnc: skipped (nnc.skip)");
            return;
        }
        Precision modelPrecision = switch (precision) {
            case "float" -> Precision.FLOAT;
            case "double" -> Precision.DOUBLE;
            default ->
                throw new MojoFailureException(
                        "nnc: precision (nnc.onnxPrecision) must be float or double, found '" + precision + "'");
        };
        byte[] text;
        try {
            text = Files.readAllBytes(spec.toPath());
        } catch (IOException e) {
            throw new MojoFailureException("nnc: cannot read the spec " + spec + ": " + e);
        }
        Compiler.OnnxResult result = Compiler.exportOnnx(
                List.of(new SourceInput(spec.getPath(), text, Optional.empty())),
                Optional.ofNullable(network),
                parameters.toPath(),
                modelPrecision);
        String rendered = result.diagnostics().rendered().stripTrailing();
        if (!rendered.isEmpty()) {
            if (result.diagnostics().hasErrors()) {
                getLog().error(rendered);
            } else {
                getLog().warn(rendered);
            }
        }
        if (result.problem().isPresent()) {
            throw new MojoFailureException("nnc: " + result.problem().get());
        }
        if (result.model().isEmpty()) {
            throw new MojoFailureException("nnc: the network cannot be exported to ONNX; see the errors above");
        }
        try {
            OutputFiles.writeAtomically(onnxFile.toPath(), result.model().get());
        } catch (IOException e) {
            throw new MojoExecutionException("nnc: cannot write " + onnxFile + ": " + e, e);
        }
        getLog().info("nnc: wrote " + onnxFile + " (ONNX opset " + OnnxExport.OPSET + ")");
    }
}
