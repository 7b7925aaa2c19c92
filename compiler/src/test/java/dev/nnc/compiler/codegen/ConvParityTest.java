package dev.nnc.compiler.codegen;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity with PyTorch for convolutional networks: the predictions, the loss and its gradient,
 * and five {@code trainStep}s (the loss before each update and the final parameters) of a
 * conv1d and a conv2d network agree with {@code torch.nn} and {@code torch.optim} from the same
 * parameters, to 1e-9 in double.
 *
 * <p>The fixtures in {@code src/test/resources/conv-parity} come from {@code
 * src/test/python/conv_parity.py} (float64, seeded random inputs and parameters). Each holds
 * the network on one line, the batch of five samples, the parameter layout and the initial
 * parameters in nnc's {@code PARAMETER_NAMES} order (PyTorch's names and layouts: {@code
 * c.weight [F, C, kh, kw]}, {@code c.bias [F]}), and PyTorch's results. This test needs no
 * Python: it compiles the fixture's network, loads the fixture's parameters and compares
 * ({@link ParityFixture}).
 *
 * <ul>
 *   <li>{@code conv1d}: {@code x[2, 11]} through {@code conv1d} with stride 2, padding 2 and
 *       dilation 2, {@code tanh}, {@code avg_pool1d} with padding (PyTorch's {@code
 *       count_include_pad}) and {@code max_pool1d} with padding (PyTorch pads with minus
 *       infinity; the first window's maximum is negative for some channels), joined with {@code
 *       concat}, {@code flatten}, {@code global_avg_pool}, {@code global_max_pool}, {@code dense},
 *       MSE, SGD with momentum.
 *   <li>{@code conv2d}: {@code x[2, 7, 6]} through a {@code conv2d} with the asymmetric kernel
 *       {@code [3, 2]}, stride {@code [2, 1]}, padding {@code [1, 0]} and dilation {@code [1,
 *       2]}, {@code relu}, {@code max_pool2d} and {@code avg_pool2d} with padding, a second
 *       {@code conv2d} with the even kernel {@code [2, 3]} and {@code padding = same} (PyTorch
 *       pads the extra row at the bottom), {@code flatten}, {@code concat}, {@code dense}, {@code
 *       softmax} with cross-entropy, Adam.
 *   <li>{@code conv1d_exclude_pad} and {@code conv2d_flipped_kernel}: the same starts computed
 *       with a deliberate mistake ({@code count_include_pad=False}; a true convolution instead
 *       of PyTorch's cross-correlation), which {@link #toleranceSeparatesPlausibleMistakes} uses
 *       to show that the tolerance would catch such a slip.
 * </ul>
 */
class ConvParityTest {
    /**
     * Absolute tolerance on predictions, losses, gradients and parameters. nnc and PyTorch
     * evaluate the same sums in different orders (PyTorch's convolutions go through its own
     * kernels, nnc's through window loops), and {@code tanh} or {@code exp} may differ by an ulp;
     * each is a relative difference near 1e-16 on values of order 1 (measured with PyTorch 1.13:
     * at most 2.3e-16 on any prediction, gradient element, loss or parameter). A wrong rule
     * moves the values by far more: the two mistake fixtures are 0.09 to 0.64 away (see {@link
     * #toleranceSeparatesPlausibleMistakes}).
     */
    private static final double TOLERANCE = 1e-9;

    /** How far, at least, the mistake fixtures must be from nnc: well clear of the tolerance. */
    private static final double MISTAKE_DISTANCE = 1000 * TOLERANCE;

    private static final String DIRECTORY = "conv-parity";

    /** The deliberately wrong fixtures, each with the correct fixture it starts from. */
    private static final Map<String, String> MISTAKES =
            Map.of("conv1d_exclude_pad", "conv1d", "conv2d_flipped_kernel", "conv2d");

    private static final Set<String> PARITY = Set.of("conv1d", "conv2d");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv1d", "conv2d"})
    void predictionsMatchPyTorch(String name, TestReporter reporter) {
        ParityFixture.read(DIRECTORY, name).assertPredictionsMatch(TOLERANCE, reporter);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv1d", "conv2d"})
    void gradientMatchesPyTorch(String name, TestReporter reporter) {
        ParityFixture.read(DIRECTORY, name).assertGradientMatches(TOLERANCE, reporter);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv1d", "conv2d"})
    void fiveTrainStepsMatchPyTorch(String name, TestReporter reporter) {
        ParityFixture.read(DIRECTORY, name).assertTrainingMatches(TOLERANCE, reporter);
    }

    /**
     * The tolerance is tight enough to see a plausible slip: an average pool that divides an edge
     * window by the elements inside the signal ({@code count_include_pad=False}), or a true
     * convolution (the kernel rotated by 180 degrees) instead of PyTorch's cross-correlation.
     * Computed by PyTorch from the same start as the correct fixtures, they are far from what
     * nnc computes in the predictions, the gradient and the parameters after five steps.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv1d_exclude_pad", "conv2d_flipped_kernel"})
    void toleranceSeparatesPlausibleMistakes(String name, TestReporter reporter) {
        ParityFixture.assertMistakeSeparated(DIRECTORY, name, MISTAKES.get(name), MISTAKE_DISTANCE, reporter);
    }

    /** No stale or unlisted fixture: every file is a parity case or a mistake. */
    @Test
    void everyFixtureIsUsed() {
        ParityFixture.assertFixturesAre(DIRECTORY, PARITY, MISTAKES.keySet(), "src/test/python/conv_parity.py");
    }
}
