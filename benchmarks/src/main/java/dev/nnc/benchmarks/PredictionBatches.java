package dev.nnc.benchmarks;

/**
 * The inputs of the batched prediction benchmarks: {@link #GROUPS} batches of consecutive samples
 * of a problem's pool, each flat and row-major as {@code predict(xs, n, outs)} and ONNX Runtime's
 * {@code [n, inputs]} tensor read them.
 */
final class PredictionBatches {
    /** Batches cycled through, so that consecutive calls do not read the same inputs. */
    static final int GROUPS = 4;

    private PredictionBatches() {}

    static double[][] of(Problem problem, int batch) {
        SuiteData data = SuiteData.of(problem);
        int width = problem.inputSize();
        double[][] groups = new double[GROUPS][batch * width];
        for (int g = 0; g < GROUPS; g++) {
            for (int s = 0; s < batch; s++) {
                System.arraycopy(data.sample(g * batch + s), 0, groups[g], s * width, width);
            }
        }
        return groups;
    }
}
