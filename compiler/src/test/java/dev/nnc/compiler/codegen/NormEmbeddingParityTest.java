package dev.nnc.compiler.codegen;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity with PyTorch for {@code layer_norm} and {@code embedding}: the predictions, the loss and
 * its gradient, and five {@code trainStep}s (the loss before each update and the final
 * parameters) agree with {@code torch.nn.LayerNorm}, {@code torch.nn.Embedding} and {@code
 * torch.optim} from the same parameters, to 1e-9 in double.
 *
 * <p>The fixtures in {@code src/test/resources/norm-embedding-parity} come from {@code
 * src/test/python/norm_embedding_parity.py} (float64, seeded inputs and parameters, batches of
 * five), which also checks PyTorch's layer norm against its definition written out by hand,
 * and the ids' rows against the embedding's gradient (zero exactly in the rows no id names).
 * This test needs no Python ({@link ParityFixture}).
 *
 * <ul>
 *   <li>{@code hidden_norm}: {@code dense} 6 to 5 with {@code tanh}, {@code layer_norm}, {@code
 *       dense} to 3, MSE, Adam.
 *   <li>{@code matrix_norm}: {@code layer_norm(x, eps = 0.01)} over a {@code [3, 4]} input whose
 *       values sit near 100 (a one-pass variance would cancel), {@code dense} with {@code
 *       softmax} and cross-entropy, SGD with momentum.
 *   <li>{@code tokens}: {@code embedding} of four ids per sample (repeated within samples, one
 *       row never named) into a {@code [6, 3]} table, concatenated with two other inputs, two
 *       {@code dense} layers, MSE, SGD with momentum.
 *   <li>{@code week_norm}: {@code embedding} of a scalar id, concatenated with three inputs,
 *       {@code layer_norm} of the whole, {@code dense} with {@code softmax} and cross-entropy,
 *       Adam.
 * </ul>
 */
class NormEmbeddingParityTest {
    /**
     * Absolute tolerance on predictions, losses, gradients and parameters: the contract's 1e-9.
     * nnc and PyTorch sum in different orders; on values of order 1 that is a difference near
     * 1e-15 (the test reports the largest difference it sees).
     */
    private static final double TOLERANCE = 1e-9;

    private static final String DIRECTORY = "norm-embedding-parity";

    private static final Set<String> PARITY = Set.of("hidden_norm", "matrix_norm", "tokens", "week_norm");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hidden_norm", "matrix_norm", "tokens", "week_norm"})
    void predictionsMatchPyTorch(String name, TestReporter reporter) {
        ParityFixture.read(DIRECTORY, name).assertPredictionsMatch(TOLERANCE, reporter);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hidden_norm", "matrix_norm", "tokens", "week_norm"})
    void gradientMatchesPyTorch(String name, TestReporter reporter) {
        ParityFixture.read(DIRECTORY, name).assertGradientMatches(TOLERANCE, reporter);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hidden_norm", "matrix_norm", "tokens", "week_norm"})
    void fiveTrainStepsMatchPyTorch(String name, TestReporter reporter) {
        ParityFixture.read(DIRECTORY, name).assertTrainingMatches(TOLERANCE, reporter);
    }

    /** No stale or unlisted fixture. */
    @Test
    void everyFixtureIsUsed() {
        ParityFixture.assertFixturesAre(DIRECTORY, PARITY, Set.of(), "src/test/python/norm_embedding_parity.py");
    }
}
