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
import java.util.List;
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
    /** The prediction graph's loss differentiated: what {@code gradient} computes. */
    private final Graph differentiated;
    /** The training graph's loss differentiated: what {@code trainStep} follows. */
    private final Graph training;
    /** The buffers' values, flat in {@code BUFFER_NAMES} order; their starting values unless set. */
    private double[] buffers;

    NetworkReference(Declaration.Network network) {
        this.network = network;
        this.prediction = Lowering.lower(network, Lowering.Mode.PREDICTION);
        this.differentiated = network.isTrainable() ? ReverseMode.differentiateLoss(prediction, network) : null;
        this.training = network.isTrainable()
                ? ReverseMode.differentiateLoss(Lowering.lower(network, Lowering.Mode.TRAINING), network)
                : null;
        this.buffers = network.buffers().stream()
                .flatMapToDouble(b -> java.util.stream.DoubleStream.generate(b::initial)
                        .limit(b.shape().size()))
                .toArray();
    }

    /** The reference with the buffers at {@code values} (flat, {@code BUFFER_NAMES} order). */
    NetworkReference withBuffers(double[] values) {
        buffers = values.clone();
        return this;
    }

    /**
     * The training-mode mean loss, its gradient and the buffers' next values for a batch of
     * {@code n} rows, evaluated over the whole batch (batch statistics), dropout masks unbound.
     */
    record TrainingBatch(double loss, double[] gradient, double[] buffers) {}

    TrainingBatch trainingBatch(double[] parameters, double[] xs, double[] ys, int n) {
        List<Bindings> rows = new java.util.ArrayList<>();
        for (int row = 0; row < n; row++) {
            rows.add(bindings(parameters, xs, ys, row));
        }
        List<Evaluator.Values> values = Evaluator.evaluateBatch(training, rows);
        double loss = 0;
        double[] gradient = new double[network.parameterCount()];
        for (Evaluator.Values sample : values) {
            loss += sample.scalar(Output.Kind.LOSS);
            int offset = 0;
            for (Symbol.Param param : network.parameters()) {
                double[] g = sample.gradient(param.name());
                for (int i = 0; i < g.length; i++) {
                    gradient[offset + i] += g[i] / n;
                }
                offset += g.length;
            }
        }
        double[] next = new double[buffers.length];
        int offset = 0;
        for (dev.nnc.compiler.semantic.Buffer buffer : network.buffers()) {
            double[] value = values.get(0)
                    .of(training.output(Output.Kind.BUFFER, buffer.name()).orElseThrow());
            System.arraycopy(value, 0, next, offset, value.length);
            offset += value.length;
        }
        return new TrainingBatch(loss / n, gradient, next);
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
     * The mean over {@code n} rows of the per-sample gradient of the prediction graph's loss (no
     * dropout, running statistics), flat in parameter order: what {@code gradient} computes.
     */
    double[] meanGradient(double[] parameters, double[] xs, double[] ys, int n) {
        double[] mean = new double[network.parameterCount()];
        for (int row = 0; row < n; row++) {
            Evaluator.Values values = Evaluator.evaluate(differentiated, bindings(parameters, xs, ys, row));
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
        offset = 0;
        for (dev.nnc.compiler.semantic.Buffer buffer : network.buffers()) {
            int size = buffer.shape().size();
            values.put(buffer.name(), Arrays.copyOfRange(buffers, offset, offset + size));
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
