package dev.nnc.runtime;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Compares {@link TrainableNetwork#gradient} with central finite differences of {@link
 * TrainableNetwork#loss}, one parameter at a time:
 *
 * <pre>
 * numeric_i = (loss(p + eps e_i) - loss(p - eps e_i)) / (2 eps)
 * passes   iff |analytic_i - numeric_i| <= atol + rtol * |numeric_i|   for every checked i
 * </pre>
 *
 * <p>The defaults (eps 1e-6, atol 1e-5, rtol 1e-3) are PyTorch's {@code gradcheck} tolerances and
 * assume a double-precision network; check a float network by comparing it with its double twin
 * instead. Networks with more than {@link Options#maxParameters()} parameters are checked on a
 * seeded random subset. The network's parameters are restored afterwards, even on failure.
 */
public final class GradientCheck {

    private GradientCheck() {}

    /**
     * Settings of a check.
     *
     * @param eps the finite-difference step
     * @param atol the absolute tolerance
     * @param rtol the tolerance relative to the numeric derivative
     * @param maxParameters check all parameters up to this many, otherwise a random subset of this
     *     size
     * @param seed the seed that chooses the subset
     */
    public record Options(double eps, double atol, double rtol, int maxParameters, long seed) {

        /** Validates the settings. */
        public Options {
            if (!(eps > 0) || !(atol >= 0) || !(rtol >= 0) || maxParameters < 1) {
                throw new IllegalArgumentException("expected eps > 0, atol >= 0, rtol >= 0, maxParameters >= 1, found "
                        + eps + ", " + atol + ", " + rtol + ", " + maxParameters);
            }
        }

        /** eps 1e-6, atol 1e-5, rtol 1e-3, at most 2,000 parameters, seed 0. */
        public static Options defaults() {
            return new Options(1e-6, 1e-5, 1e-3, 2_000, 0);
        }

        /** These options with another finite-difference step. */
        public Options withEps(double eps) {
            return new Options(eps, atol, rtol, maxParameters, seed);
        }

        /** These options with other tolerances. */
        public Options withTolerances(double atol, double rtol) {
            return new Options(eps, atol, rtol, maxParameters, seed);
        }

        /** These options with another subset size and seed. */
        public Options withSubset(int maxParameters, long seed) {
            return new Options(eps, atol, rtol, maxParameters, seed);
        }
    }

    /**
     * The outcome of a check. The worst parameter is the one that exceeds its tolerance by the
     * largest factor, i.e. maximises {@code |analytic - numeric| / (atol + rtol * |numeric|)}.
     *
     * @param passed whether every checked parameter is within tolerance
     * @param checked how many parameters were checked
     * @param maxAbsError the largest {@code |analytic - numeric|}
     * @param maxRelError the largest {@code |analytic - numeric| / max(|analytic|, |numeric|)} (0
     *     where both are 0)
     * @param worstParameter the name of the tensor holding the worst parameter
     * @param worstIndex the row-major index of the worst parameter within its tensor
     * @param worstAnalytic the analytic derivative of the worst parameter
     * @param worstNumeric the numeric derivative of the worst parameter
     */
    public record Result(
            boolean passed,
            int checked,
            double maxAbsError,
            double maxRelError,
            String worstParameter,
            int worstIndex,
            double worstAnalytic,
            double worstNumeric) {

        /** A one-line summary, e.g. for an assertion message. */
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "gradient check %s over %d parameters: max abs error %.3e, max rel error %.3e;"
                            + " worst %s[%d]: analytic %.9g, numeric %.9g",
                    passed ? "passed" : "FAILED",
                    checked,
                    maxAbsError,
                    maxRelError,
                    worstParameter,
                    worstIndex,
                    worstAnalytic,
                    worstNumeric);
        }
    }

    /** Checks with {@link Options#defaults()}. */
    public static Result check(TrainableNetwork network, double[] xs, double[] ys, int n) {
        return check(network, xs, ys, n, Options.defaults());
    }

    /**
     * Checks the gradient of the mean loss over {@code n} samples at the network's current
     * parameters.
     *
     * @throws IllegalArgumentException if the network rejects the arguments or has no parameters
     */
    public static Result check(TrainableNetwork network, double[] xs, double[] ys, int n, Options options) {
        int count = network.parameterCount();
        if (count < 1) {
            throw new IllegalArgumentException("network '" + network.name() + "' has no parameters to check");
        }
        double[] parameters = new double[count];
        network.getParameters(parameters);
        double[] analytic = new double[count];
        network.gradient(xs, ys, n, analytic);

        int[] indices = chooseIndices(count, options);
        double eps = options.eps();
        double maxAbs = 0;
        double maxRel = 0;
        double worstRatio = -1;
        int worst = indices[0];
        double worstNumeric = Double.NaN;
        boolean passed = true;
        try {
            for (int i : indices) {
                double original = parameters[i];
                parameters[i] = original + eps;
                network.setParameters(parameters);
                double plus = network.loss(xs, ys, n);
                parameters[i] = original - eps;
                network.setParameters(parameters);
                double minus = network.loss(xs, ys, n);
                parameters[i] = original;
                double numeric = (plus - minus) / (2 * eps);

                double abs = Math.abs(analytic[i] - numeric);
                double scale = Math.max(Math.abs(analytic[i]), Math.abs(numeric));
                double rel = scale == 0 ? 0 : abs / scale;
                double allowed = options.atol() + options.rtol() * Math.abs(numeric);
                // Written so that NaN in either derivative fails the check and becomes the worst.
                boolean ok = abs <= allowed;
                double ratio = ok ? abs / allowed : Double.POSITIVE_INFINITY;
                passed &= ok;
                maxAbs = Math.max(maxAbs, Double.isNaN(abs) ? Double.POSITIVE_INFINITY : abs);
                maxRel = Math.max(maxRel, Double.isNaN(rel) ? Double.POSITIVE_INFINITY : rel);
                if (ratio > worstRatio) {
                    worstRatio = ratio;
                    worst = i;
                    worstNumeric = numeric;
                }
            }
        } finally {
            network.setParameters(parameters);
        }
        List<String> names = network.parameterNames();
        List<int[]> shapes = network.parameterShapes();
        int tensor = 0;
        int start = 0;
        while (start + size(shapes.get(tensor)) <= worst) {
            start += size(shapes.get(tensor));
            tensor++;
        }
        return new Result(
                passed,
                indices.length,
                maxAbs,
                maxRel,
                names.get(tensor),
                worst - start,
                analytic[worst],
                worstNumeric);
    }

    private static int[] chooseIndices(int count, Options options) {
        if (count <= options.maxParameters()) {
            int[] all = new int[count];
            for (int i = 0; i < count; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] order = Datasets.shuffledIndices(count, new SeededRandom(options.seed()));
        int[] subset = Arrays.copyOf(order, options.maxParameters());
        // Ascending order walks the parameters like a full check would, which keeps results easy to follow.
        Arrays.sort(subset);
        return subset;
    }

    private static int size(int[] shape) {
        int size = 1;
        for (int dim : shape) {
            size *= dim;
        }
        return size;
    }
}
