package dev.nnc.compiler.cli;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.OutputFiles;
import dev.nnc.compiler.onnx.OnnxExport;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/**
 * {@code nnc export-onnx FILE... [--network NAME] --parameters PARAMS [--precision float|double] -o
 * MODEL.onnx}: the prediction of a network as an ONNX model (opset {@value OnnxExport#OPSET}), with
 * the weights of a parameter file that the generated class's {@code save} wrote, in float unless
 * double is asked for. The model is written in one step, or not at
 * all: a construct ONNX cannot express is a diagnostic at the construct, weights that do not fit
 * the network an error naming the tensor.
 */
final class ExportOnnxCommand implements Command {
    @Override
    public String name() {
        return "export-onnx";
    }

    @Override
    public String arguments() {
        return "FILE... [--network NAME] --parameters PARAMS [--precision float|double] -o MODEL.onnx";
    }

    @Override
    public String summary() {
        return "write a network's prediction with trained weights as an ONNX model";
    }

    @Override
    public int run(List<String> arguments, PrintStream out, PrintStream err) {
        try {
            NetworkOptions options = NetworkOptions.parse(name(), arguments, "--parameters", true);
            Compiler.OnnxResult result = Compiler.exportOnnx(
                    SourceFiles.read(options.files(), Optional.empty()),
                    options.network(),
                    options.weights(),
                    options.precision());
            err.print(result.diagnostics().rendered());
            if (result.problem().isPresent()) {
                err.println("nnc export-onnx: " + result.problem().get());
                return Main.EXIT_ERRORS;
            }
            if (result.model().isEmpty()) {
                return Main.EXIT_ERRORS;
            }
            OutputFiles.writeAtomically(options.output(), result.model().get());
            out.printf(
                    "nnc: wrote %s (%,d bytes, ONNX opset %d); open it in Netron to see the network%n",
                    options.output(), result.model().get().length, OnnxExport.OPSET);
            return Main.EXIT_OK;
        } catch (UsageException e) {
            err.println("nnc export-onnx: " + e.getMessage());
            return Main.EXIT_USAGE;
        } catch (IOException e) {
            err.println("nnc export-onnx: cannot write " + e.getMessage());
            return Main.EXIT_ERRORS;
        }
    }
}
