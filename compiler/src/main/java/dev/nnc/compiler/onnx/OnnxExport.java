package dev.nnc.compiler.onnx;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.onnx.OnnxProto.Tensor;
import dev.nnc.compiler.onnx.OnnxProto.ValueInfo;
import dev.nnc.compiler.semantic.Buffer;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Precision;
import dev.nnc.compiler.semantic.Symbol;
import dev.nnc.compiler.semantic.Term;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ONNX back end's one entry point: a checked network and its weights in, the bytes of an ONNX
 * model of its prediction out (what the generated class's {@code predict} computes, output
 * activation included, dropout left out).
 *
 * <p>The model imports the default domain at opset {@value #OPSET}, the first with {@code
 * LayerNormalization}, so that {@code layer_norm} is one node. Each spec input is a graph input of
 * the same name with a leading dimension {@code batch}; the output is named after the spec's
 * output and shaped {@code [batch, *shape]}. Every parameter and buffer is an initializer named as
 * nnc and PyTorch name it, in PyTorch's layout. All real values (inputs, initializers, constants,
 * the output) are float unless the export is asked for double, whatever the network's own
 * precision: float is what ONNX runtimes implement for every operator, double keeps a double
 * network's weights and arithmetic exact where the runtime implements the operators in double.
 */
public final class OnnxExport {
    /** The operator set of the default ONNX domain that exported models import. */
    public static final int OPSET = 17;

    /** The name of the leading, dynamic dimension of every graph input and output. */
    public static final String BATCH = "batch";

    private OnnxExport() {}

    /**
     * The tensors the weights of {@code network} consist of, in the order of its parameter files:
     * its parameters, then its buffers (batch_norm's running statistics).
     */
    public static List<Weights.Slot> slots(Declaration.Network network) {
        List<Weights.Slot> slots = new ArrayList<>();
        for (Symbol.Param param : network.parameters()) {
            slots.add(new Weights.Slot(param.name(), param.shape().dimensions()));
        }
        for (Buffer buffer : network.buffers()) {
            slots.add(new Weights.Slot(buffer.name(), buffer.shape().dimensions(), true));
        }
        return List.copyOf(slots);
    }

    /**
     * The ONNX model of {@code network}'s prediction with {@code weights} as its initializers, or
     * empty after reporting into {@code diagnostics} every construct that has no ONNX form.
     *
     * @param producerVersion the nnc version written into the model
     * @throws Weights.WeightsException if {@code weights} lacks a tensor of the network, has one of
     *     another shape, or has one the network does not have
     */
    public static Optional<byte[]> export(
            Declaration.Network network, Weights weights, String producerVersion, Diagnostics diagnostics)
            throws Weights.WeightsException {
        return export(network, weights, producerVersion, Precision.FLOAT, diagnostics);
    }

    /**
     * {@link #export(Declaration.Network, Weights, String, Diagnostics)} with every real value of
     * the model in {@code precision}: ONNX's FLOAT or DOUBLE.
     */
    public static Optional<byte[]> export(
            Declaration.Network network,
            Weights weights,
            String producerVersion,
            Precision precision,
            Diagnostics diagnostics)
            throws Weights.WeightsException {
        List<Weights.Tensor> tensors = weights.matching(slots(network));
        int elementType = precision == Precision.DOUBLE ? OnnxProto.DOUBLE : OnnxProto.FLOAT;
        Nodes nodes = new Nodes(elementType);
        Map<String, GraphExport.Value> inputs = new LinkedHashMap<>();
        List<ValueInfo> inputInfos = new ArrayList<>();
        for (Symbol.Input input : network.inputs()) {
            nodes.reserve(input.name());
            inputs.put(input.name(), new GraphExport.Value(input.name(), input.shape(), true));
            inputInfos.add(new ValueInfo(
                    input.name(), elementType, Optional.of(BATCH), input.shape().dimensions()));
        }
        List<Tensor> initializers = new ArrayList<>();
        for (Weights.Tensor tensor : tensors) {
            nodes.reserve(tensor.name());
            initializers.add(Tensor.reals(tensor.name(), tensor.shape(), tensor.values(), elementType));
        }
        String outputName =
                network.output() instanceof Term.Read read ? read.symbol().name() : "output";
        String output;
        try {
            output = GraphExport.export(nodes, inputs, network, outputName);
        } catch (GraphExport.Unsupported e) {
            diagnostics.report(DiagnosticCode.EXPORT_UNSUPPORTED, e.span(), e.construct(), e.getMessage());
            return Optional.empty();
        }
        initializers.addAll(nodes.constants());
        OnnxProto.Graph graph = new OnnxProto.Graph(
                network.name(),
                nodes.nodes(),
                initializers,
                inputInfos,
                List.of(new ValueInfo(
                        output,
                        elementType,
                        Optional.of(BATCH),
                        network.output().shape().dimensions())),
                network.doc().orElse(""));
        OnnxProto.Model model = new OnnxProto.Model(
                OnnxProto.IR_VERSION,
                "nnc",
                producerVersion,
                "The prediction of network " + network.name() + " ("
                        + network.span().file() + ")",
                graph,
                List.of(new OnnxProto.OperatorSetId("", OPSET)));
        return Optional.of(model.toByteArray());
    }
}
