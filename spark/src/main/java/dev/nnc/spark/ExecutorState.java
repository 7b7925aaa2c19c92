package dev.nnc.spark;

import dev.nnc.runtime.TrainableNetwork;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What an executor JVM keeps between the steps of a training run: idle workers (one network each,
 * so a thread borrows one for a step and no two threads share one; as many exist as tasks ran at
 * once, one per executor thread) and each partition's plan for the current epoch. Keyed by the
 * run, so that two runs in one SparkSession never share a network. Everything here can be rebuilt
 * from the task's inputs, so an executor that never saw the run, or lost it, still computes the
 * same step.
 */
final class ExecutorState {

    private static final Map<String, Run> RUNS = new ConcurrentHashMap<>();

    private ExecutorState() {}

    static Run run(String runId) {
        return RUNS.computeIfAbsent(runId, id -> new Run());
    }

    /** Drops a finished run's workers and plans from this JVM. */
    static void release(String runId) {
        RUNS.remove(runId);
    }

    /** One run's state in this JVM. */
    static final class Run {
        private final ConcurrentLinkedQueue<Worker> idle = new ConcurrentLinkedQueue<>();
        private final Map<Integer, EpochPlan> plans = new ConcurrentHashMap<>();

        /** An idle worker, or a new one of {@code factory}'s network. */
        Worker borrow(NetworkFactory<? extends TrainableNetwork> factory) {
            Worker worker = idle.poll();
            return worker != null ? worker : new Worker(factory.create());
        }

        void giveBack(Worker worker) {
            idle.add(worker);
        }

        /** The block's plan for {@code epoch}, built on first use. */
        EpochPlan plan(TrainingBlock block, long seed, int epoch, int totalRows) {
            return plans.compute(
                    block.partition(),
                    (partition, old) ->
                            old != null && old.epoch == epoch ? old : EpochPlan.of(block, seed, epoch, totalRows));
        }
    }
}
