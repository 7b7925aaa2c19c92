package dev.nnc.compiler.codegen;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity with PyTorch for recurrent networks: the predictions, the loss and its gradient, and
 * five {@code trainStep}s (the loss before each update and the final parameters) of networks
 * built from {@code rnn}, {@code gru} and {@code lstm} agree with {@code torch.nn.RNN}, {@code
 * torch.nn.GRU}, {@code torch.nn.LSTM} and {@code torch.optim} from the same parameters, to 1e-9
 * in double.
 *
 * <p>The fixtures in {@code src/test/resources/recurrent-parity} come from {@code
 * src/test/python/recurrent_parity.py} (float64, seeded random inputs and parameters, batches
 * of five sequences), which also checks PyTorch's modules against the equations written out by
 * hand. Each holds the network on one line, the batch, the parameter layout and the initial
 * parameters in nnc's {@code PARAMETER_NAMES} order (PyTorch's names without the layer suffix
 * and its layouts: {@code h.weight_ih [G*units, F]}, {@code h.weight_hh [G*units, units]},
 * {@code h.bias_ih}, {@code h.bias_hh}, gates r, z, n and i, f, g, o), and PyTorch's results.
 * This test needs no Python ({@link ParityFixture}).
 *
 * <ul>
 *   <li>{@code rnn}: {@code x[6, 3]} through {@code rnn} with 4 units ({@code tanh}), the last
 *       state as the output, MSE, SGD with momentum.
 *   <li>{@code rnn_relu_sequences}: {@code x[5, 2]} through {@code rnn} with 3 units, {@code
 *       activation = relu} and {@code sequences = true}, {@code flatten}, {@code dense}, MSE,
 *       Adam.
 *   <li>{@code gru}: {@code x[7, 3]} through {@code gru} with 5 units, {@code dense}, {@code
 *       softmax} with cross-entropy, Adam.
 *   <li>{@code gru_sequences}: {@code x[4, 2]} through a stack: {@code gru} with 4 units and
 *       {@code sequences = true}, then {@code gru} with 5 units, {@code dense}, MSE, SGD with
 *       momentum.
 *   <li>{@code lstm}: {@code x[6, 2]} through {@code lstm} with 3 units, {@code dense}, MSE, SGD
 *       with momentum.
 *   <li>{@code lstm_sequences}: {@code x[5, 3]} through {@code lstm} with 4 units and {@code
 *       sequences = true}, {@code flatten}, {@code dense}, {@code softmax} with cross-entropy,
 *       Adam.
 *   <li>{@code gru_reset_before} and {@code lstm_gates_ifog}: the starts of {@code gru} and
 *       {@code lstm} computed with a deliberate mistake (the reset gate applied before the hidden
 *       product, as Keras' {@code reset_after=False}; the LSTM's gates read in the order i, f,
 *       o, g), which {@link #toleranceSeparatesPlausibleMistakes} uses to show that the
 *       tolerance would catch such a slip.
 * </ul>
 */
class RecurrentParityTest {
    /**
     * Absolute tolerance on predictions, losses, gradients and parameters. nnc and PyTorch
     * evaluate the same sums in different orders and their {@code tanh}, {@code exp} and sigmoid
     * may differ by an ulp; on values of order 1 over a few time steps that is a difference near
     * 1e-16 (measured with PyTorch 1.13: at most 4.5e-16 on any prediction, gradient element,
     * loss or parameter). A wrong gate rule moves the values by far more: the two mistake
     * fixtures are 0.04 to 0.23 from nnc (see {@link #toleranceSeparatesPlausibleMistakes}).
     */
    private static final double TOLERANCE = 1e-9;

    /** How far, at least, the mistake fixtures must be from nnc: well clear of the tolerance. */
    private static final double MISTAKE_DISTANCE = 1000 * TOLERANCE;

    private static final String DIRECTORY = "recurrent-parity";

    /** The deliberately wrong fixtures, each with the correct fixture it starts from. */
    private static final Map<String, String> MISTAKES = Map.of("gru_reset_before", "gru", "lstm_gates_ifog", "lstm");

    private static final Set<String> PARITY =
            Set.of("rnn", "rnn_relu_sequences", "gru", "gru_sequences", "lstm", "lstm_sequences");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rnn", "rnn_relu_sequences", "gru", "gru_sequences", "lstm", "lstm_sequences"})
    void predictionsMatchPyTorch(String name, TestReporter reporter) {
        ParityFixture.read(DIRECTORY, name).assertPredictionsMatch(TOLERANCE, reporter);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rnn", "rnn_relu_sequences", "gru", "gru_sequences", "lstm", "lstm_sequences"})
    void gradientMatchesPyTorch(String name, TestReporter reporter) {
        ParityFixture.read(DIRECTORY, name).assertGradientMatches(TOLERANCE, reporter);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rnn", "rnn_relu_sequences", "gru", "gru_sequences", "lstm", "lstm_sequences"})
    void fiveTrainStepsMatchPyTorch(String name, TestReporter reporter) {
        ParityFixture.read(DIRECTORY, name).assertTrainingMatches(TOLERANCE, reporter);
    }

    /**
     * The tolerance is tight enough to see a plausible slip in a cell: a GRU that resets the
     * state before the hidden product ({@code W_hn (r * h) + b_hn} instead of PyTorch's {@code r
     * * (W_hn h + b_hn)}), or an LSTM whose weight rows are read as the gates i, f, o, g instead
     * of i, f, g, o. Computed from the same start as the correct fixtures, they are far from what
     * nnc computes in the predictions, the gradient and the parameters after five steps.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gru_reset_before", "lstm_gates_ifog"})
    void toleranceSeparatesPlausibleMistakes(String name, TestReporter reporter) {
        ParityFixture.assertMistakeSeparated(DIRECTORY, name, MISTAKES.get(name), MISTAKE_DISTANCE, reporter);
    }

    /** No stale or unlisted fixture: every file is a parity case or a mistake. */
    @Test
    void everyFixtureIsUsed() {
        ParityFixture.assertFixturesAre(DIRECTORY, PARITY, MISTAKES.keySet(), "src/test/python/recurrent_parity.py");
    }
}
