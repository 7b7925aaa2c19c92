package dev.nnc.spark;

import dev.nnc.runtime.TrainableNetwork;

/**
 * One network instance on an executor and its scratch arrays, reused across steps: computes a
 * partition's share of a step.
 */
final class Worker {

    private final TrainableNetwork network;
    private final DropoutReseeder reseeder;
    private final double[] gradient;
    private final double[] bufferValues;
    private double[] xs = new double[0];
    private double[] ys = new double[0];

    Worker(TrainableNetwork network) {
        this.network = network;
        this.reseeder = DropoutReseeder.of(network);
        this.gradient = new double[network.parameterCount()];
        this.bufferValues = network.bufferCount() == 0 ? null : new double[network.bufferCount()];
    }

    /**
     * The gradient, loss and running-statistics sums over the rows {@code from..to-1} (in epoch
     * order) of {@code block}, with the driver's parameters and buffers: {@code trainingGradient}
     * on those rows (dropout applied, this partition's batch statistics used), its mean times the
     * row count.
     */
    GradientSum compute(
            TrainingBlock block,
            EpochPlan plan,
            int from,
            int to,
            double[] parameters,
            double[] bufferState,
            long seed,
            long step) {
        if (reseeder != null) {
            reseeder.reseed(network, seed, step, block.partition());
        }
        network.setParameters(parameters);
        if (bufferValues != null) {
            network.setBuffers(bufferState);
        }
        int rows = to - from;
        int inputs = network.inputSize();
        int targets = network.targetSize();
        if (xs.length < rows * inputs) {
            xs = new double[rows * inputs];
            ys = new double[rows * targets];
        }
        for (int k = from; k < to; k++) {
            int row = plan.row(k);
            System.arraycopy(block.features(), row * inputs, xs, (k - from) * inputs, inputs);
            System.arraycopy(block.targets(), row * targets, ys, (k - from) * targets, targets);
        }
        double loss = network.trainingGradient(xs, ys, rows, gradient);
        GradientSum sum = new GradientSum();
        sum.gradient = scaled(gradient, rows);
        if (bufferValues != null) {
            network.getBuffers(bufferValues);
            sum.buffers = scaled(bufferValues, rows);
        }
        sum.loss = loss * rows;
        sum.count = rows;
        return sum;
    }

    private static double[] scaled(double[] values, int factor) {
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i] * factor;
        }
        return result;
    }
}
