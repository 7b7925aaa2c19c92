package dev.nnc.compiler.cli;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.OutputFiles;
import dev.nnc.compiler.onnx.OnnxExport;
import dev.nnc.compiler.onnx.OnnxWeights;
import dev.nnc.compiler.onnx.Weights;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.runtime.ParameterFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code nnc import-onnx FILE... [--network NAME] --model MODEL.onnx -o PARAMS}: the initializers of
 * an ONNX model (PyTorch's {@code torch.onnx.export}, say) matched by name to a network's parameters
 * and buffers, written as the parameter file its generated class {@code load}s. Initializers the
 * network has no tensor for are ignored; a missing or misshaped one is an error naming it.
 */
final class ImportOnnxCommand implements Command {
    @Override
    public String name() {
        return "import-onnx";
    }

    @Override
    public String arguments() {
        return "FILE... [--network NAME] --model MODEL.onnx -o PARAMS";
    }

    @Override
    public String summary() {
        return "write the weights of an ONNX model as a network's parameter file";
    }

    @Override
    public int run(List<String> arguments, PrintStream out, PrintStream err) {
        try {
            NetworkOptions options = NetworkOptions.parse(name(), arguments, "--model");
            Compiler.NetworkResult checked =
                    Compiler.checkNetwork(SourceFiles.read(options.files(), Optional.empty()), options.network());
            err.print(checked.diagnostics().rendered());
            if (checked.problem().isPresent()) {
                err.println("nnc import-onnx: " + checked.problem().get());
                return Main.EXIT_ERRORS;
            }
            if (checked.network().isEmpty()) {
                return Main.EXIT_ERRORS;
            }
            Declaration.Network network = checked.network().get();
            List<Weights.Slot> slots = OnnxExport.slots(network);
            List<Weights.Tensor> tensors;
            try (InputStream in = Files.newInputStream(options.weights())) {
                tensors = OnnxWeights.matching(OnnxWeights.readTensors(in), slots);
            } catch (NoSuchFileException e) {
                err.println("nnc import-onnx: cannot read '" + options.weights() + "': no such file");
                return Main.EXIT_ERRORS;
            } catch (IOException e) {
                err.println("nnc import-onnx: '" + options.weights() + "': " + e.getMessage());
                return Main.EXIT_ERRORS;
            }
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            ParameterFile.write(
                    file,
                    network.name(),
                    tensors.stream().map(Weights.Tensor::name).toList(),
                    tensors.stream()
                            .map(t -> t.shape().stream()
                                    .mapToInt(Integer::intValue)
                                    .toArray())
                            .toList(),
                    tensors.stream()
                            .flatMapToDouble(t -> Arrays.stream(t.values()))
                            .toArray());
            OutputFiles.writeAtomically(options.output(), file.toByteArray());
            out.printf(
                    "nnc: wrote %s: %d tensors of %s from %s%n",
                    options.output(), tensors.size(), network.name(), options.weights());
            return Main.EXIT_OK;
        } catch (UsageException e) {
            err.println("nnc import-onnx: " + e.getMessage());
            return Main.EXIT_USAGE;
        } catch (IOException e) {
            err.println("nnc import-onnx: cannot write " + e.getMessage());
            return Main.EXIT_ERRORS;
        }
    }
}
