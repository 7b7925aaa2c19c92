package dev.nnc.compiler.codegen;

import dev.nnc.compiler.autodiff.ReverseMode;
import dev.nnc.compiler.graph.Bindings;
import dev.nnc.compiler.graph.Evaluator;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.Lowering;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Symbol;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The reference evaluator's view of a network, with the flat array conventions of the generated
 * classes: the prediction of one row, and the mean loss and mean gradient over a batch of rows,
 * at given flat parameters. The graphs are unoptimised: the reference does not share the passes
 * with the code under test.
 */
final class NetworkReference {
    private final Declaration.Network network;
    private final Graph prediction;
    private final Graph training;

    NetworkReference(Declaration.Network network) {
        this.network = network;
        this.prediction = Lowering.lower(network, Lowering.Mode.PREDICTION);
        this.training = network.isTrainable()
                ? ReverseMode.differentiateLoss(Lowering.lower(network, Lowering.Mode.TRAINING), network)
                : null;
    }

    /** The output for row {@code row} of {@code xs}. */
    double[] predict(double[] parameters, double[] xs, int row) {
        double[] ys = new double[Math.max(1, network.targetSize()) * (row + 1)];
        return Evaluator.evaluate(prediction, bindings(parameters, xs, ys, row)).of(Output.Kind.PREDICTION);
    }

    /** The mean over {@code n} rows of the per-sample loss of the prediction graph (no dropout). */
    double meanLoss(double[] parameters, double[] xs, double[] ys, int n) {
        double sum = 0;
        for (int row = 0; row < n; row++) {
            sum += Evaluator.evaluate(prediction, bindings(parameters, xs, ys, row))
                    .scalar(Output.Kind.LOSS);
        }
        return sum / n;
    }

    /**
     * The mean over {@code n} rows of the per-sample gradient of the training graph, flat in
     * parameter order. Dropout masks are left unbound (the evaluator then keeps every unit).
     */
    double[] meanGradient(double[] parameters, double[] xs, double[] ys, int n) {
        double[] mean = new double[network.parameterCount()];
        for (int row = 0; row < n; row++) {
            Evaluator.Values values = Evaluator.evaluate(training, bindings(parameters, xs, ys, row));
            int offset = 0;
            for (Symbol.Param param : network.parameters()) {
                double[] g = values.gradient(param.name());
                for (int i = 0; i < g.length; i++) {
                    mean[offset + i] += g[i];
                }
                offset += g.length;
            }
        }
        for (int i = 0; i < mean.length; i++) {
            mean[i] /= n;
        }
        return mean;
    }

    private Bindings bindings(double[] parameters, double[] xs, double[] ys, int row) {
        Map<String, double[]> values = new HashMap<>();
        int offset = 0;
        for (Symbol.Param param : network.parameters()) {
            int size = param.shape().size();
            values.put(param.name(), Arrays.copyOfRange(parameters, offset, offset + size));
            offset += size;
        }
        int inputRow = row * network.inputSize();
        for (Symbol.Input input : network.inputs()) {
            int start = inputRow + input.offset();
            values.put(
                    input.name(),
                    Arrays.copyOfRange(xs, start, start + input.shape().size()));
        }
        int targetRow = row * network.targetSize();
        for (Symbol.Target target : network.targets()) {
            int start = targetRow + target.offset();
            values.put(
                    target.name(),
                    Arrays.copyOfRange(ys, start, start + target.shape().size()));
        }
        return Bindings.of(values);
    }
}
