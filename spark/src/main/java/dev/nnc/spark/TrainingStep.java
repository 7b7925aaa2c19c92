package dev.nnc.spark;

import dev.nnc.runtime.TrainableNetwork;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * The executor side of one step: a partition's sums over the rows it holds of the step's global
 * batch. Spark calls it once per partition (each partition is one {@link TrainingBlock}).
 */
final class TrainingStep implements Function2<GradientSum, TrainingBlock, GradientSum> {

    private static final long serialVersionUID = 1L;

    private final String runId;
    private final NetworkFactory<? extends TrainableNetwork> factory;
    private final Broadcast<double[]> parameters;
    private final Broadcast<double[]> buffers;
    private final long seed;
    private final int totalRows;
    private final int batchSize;
    private final Location location;

    /** Where in training a step is: 0-based epoch and batch, and the totals for messages. */
    record Location(int epoch, int epochs, int batch, int steps) implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        /** The 1-based step over the whole run: what dropout masks derive from. */
        long globalStep() {
            return (long) epoch * steps + batch + 1;
        }

        @Override
        public String toString() {
            return "epoch " + (epoch + 1) + "/" + epochs + ", step " + (batch + 1) + "/" + steps;
        }
    }

    TrainingStep(
            String runId,
            NetworkFactory<? extends TrainableNetwork> factory,
            Broadcast<double[]> parameters,
            Broadcast<double[]> buffers,
            long seed,
            int totalRows,
            int batchSize,
            Location location) {
        this.runId = runId;
        this.factory = factory;
        this.parameters = parameters;
        this.buffers = buffers;
        this.seed = seed;
        this.totalRows = totalRows;
        this.batchSize = batchSize;
        this.location = location;
    }

    @Override
    public GradientSum call(GradientSum sum, TrainingBlock block) {
        ExecutorState.Run run = ExecutorState.run(runId);
        EpochPlan plan = run.plan(block, seed, location.epoch(), totalRows);
        int first = location.batch() * batchSize;
        int from = plan.firstAtOrAfter(first);
        int to = plan.firstAtOrAfter(Math.min(first + batchSize, totalRows));
        if (from == to) {
            return sum;
        }
        Worker worker = run.borrow(factory);
        try {
            return sum.add(worker.compute(
                    block,
                    plan,
                    from,
                    to,
                    parameters.value(),
                    buffers == null ? null : buffers.value(),
                    seed,
                    location.globalStep()));
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    location + ", partition " + block.partition() + " (" + (to - from) + " rows of the batch): " + e,
                    e);
        } finally {
            run.giveBack(worker);
        }
    }
}
