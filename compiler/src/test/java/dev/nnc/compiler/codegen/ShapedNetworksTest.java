package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.testing.RandomSpecs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Networks and functions over shaped tensors, with every option of every window op away from
 * its default, and recurrent networks, held to the whole accepted-specs rule ({@link AcceptedRule}): javac with
 * {@code -Werror}, predictions and losses against the reference interpreter, gradients against
 * the reference and central differences in double, float classes against their double twins,
 * parameters round-tripped, a training step and a batch split across two threads.
 */
class ShapedNetworksTest {
    private static final String TRAINED = """
            target y[%d];
            output softmax(%s);
            loss cross_entropy(softmax(%s), y);
            optimizer adam(lr = 0.01);
            """;

    /** Name, body (before the target/loss lines), logits and classes. */
    private record Case(String name, String body, String logits, int classes) {
        String spec(String precision) {
            return "network " + name + " {\n" + precision + body + "\n" + TRAINED.formatted(classes, logits, logits)
                    + "}\n";
        }
    }

    private static final List<Case> CASES = List.of(
            new Case("Conv2dCnn", """
                    input x[1, 8, 8];
                    c1 = conv2d(x, 4, 3, padding = 1, activation = relu);
                    p1 = max_pool2d(c1, 2);
                    c2 = conv2d(p1, 6, 3, padding = 1, activation = relu);
                    p2 = max_pool2d(c2, 2);
                    f = flatten(p2);
                    o = dense(f, 5);
                    """, "o", 5),
            new Case("Conv2dOptions", """
                    input x[2, 7, 9];
                    c = conv2d(x, 3, [3, 2], stride = [2, 1], padding = [1, 0], dilation = [1, 2], activation = tanh);
                    a = avg_pool2d(c, [2, 3], stride = [1, 2], padding = 1);
                    o = dense(flatten(a), 4);
                    """, "o", 4),
            // A plane of 256 outputs from 9-tap patches: with the Vector API the weight gradient is
            // the dot products over the patches by tap (PatchProducts.dots, DoublePatchProducts.dots).
            new Case("Conv2dWidePlane", """
                    input x[1, 16, 16];
                    c = conv2d(x, 3, 3, padding = 1, activation = relu);
                    p = max_pool2d(c, 4);
                    o = dense(flatten(p), 3);
                    """, "o", 3),
            new Case("Conv2dSame", """
                    input x[1, 5, 6];
                    c = conv2d(x, 2, [4, 3], padding = same, bias = false, activation = sigmoid);
                    m = max_pool2d(c, 3, stride = 2, padding = 1);
                    o = dense(flatten(m), 3);
                    """, "o", 3),
            new Case("Conv1dSignal", """
                    input s[3, 12];
                    c = conv1d(s, 4, 3, stride = 2, padding = 2, dilation = 2, activation = relu);
                    m = max_pool1d(c, 3, stride = 1);
                    a = avg_pool1d(m, 2, padding = 1);
                    o = dense(flatten(a), 3);
                    """, "o", 3),
            new Case("GlobalPools", """
                    input x[2, 5, 5];
                    c = conv2d(x, 6, 3, activation = elu);
                    g = concat(global_avg_pool(c), global_max_pool(c));
                    o = dense(g, 3);
                    """, "o", 3),
            new Case("DeepSmallMaps", """
                    input x[3, 4, 4];
                    c1 = conv2d(x, 12, 3, activation = relu);
                    c2 = conv2d(c1, 5, 2, bias = false);
                    o = dense(flatten(c2), 3);
                    """, "o", 3),
            new Case("PaddedPastTheWindow", """
                    input x[2, 4, 4];
                    c = conv2d(x, 3, 2, padding = [2, 1], activation = tanh);
                    o = dense(flatten(c), 3);
                    """, "o", 3),
            new Case("Conv1dPastTheWindow", """
                    input s[2, 5];
                    c = conv1d(s, 3, 3, stride = 2, padding = 5, dilation = 2, bias = false);
                    o = dense(flatten(c), 3);
                    """, "o", 3),
            new Case("NoDense", """
                    input x[1, 6, 6];
                    c = conv2d(x, 3, 3, padding = same);
                    o = global_avg_pool(c);
                    """, "o", 3),
            new Case("RowsAndSlices", """
                    input x[4, 3, 3];
                    c = conv2d(concat(x[0:2], x[2:4]), 2, 2);
                    r = reshape(c, [2, 4]);
                    v = concat(r[1], r[0:2][0], flatten(x[3]));
                    o = dense(v, 2);
                    """, "o", 2),
            // Rows of patches of 16 outputs or more, whose runs of inputs are copied with
            // System.arraycopy: padded and not, from an input's slice (at an offset), from the
            // input's first row as a signal, and from a stored convolution.
            new Case("WideRowsCopied", """
                    input x[2, 4, 20];
                    a = conv2d(x[1:2], 2, 3, padding = 1, activation = relu);
                    b = conv1d(reshape(x[0], [4, 20]), 3, 3, dilation = 2);
                    c = conv2d(a, 2, [2, 3]);
                    o = dense(concat(flatten(c), flatten(b)), 3);
                    """, "o", 3),
            // Taps that reach past both ends of every output (a dilated window wider than a
            // one-column input, padded to the same size): their runs are empty.
            new Case("TapsPastTheEnds1d", """
                    input a[3, 1];
                    p = conv1d(a, 2, 4, padding = same, dilation = 2);
                    q = conv1d(a, 1, 4, padding = same, dilation = 2);
                    h = concat(p, q);
                    o = dense(concat(global_avg_pool(h), global_max_pool(h)), 2);
                    """, "o", 2),
            new Case("TapsPastTheEnds2d", """
                    input a[2, 3, 1];
                    p = conv2d(a, 2, [1, 4], padding = same, dilation = 2);
                    q = conv2d(a, 1, [1, 4], padding = same, dilation = 2);
                    h = concat(p, q);
                    o = dense(concat(flatten(h), global_max_pool(h)), 2);
                    """, "o", 2));

    /**
     * Recurrent layers ({@code rnn} with both activations, {@code gru}, {@code lstm}; the last
     * state and every state; stacked, sliced, flattened, concatenated, after a convolution).
     */
    private static final List<Case> RECURRENT = List.of(
            new Case("RnnTanh", """
                    input x[5, 3];
                    h = rnn(x, 4);
                    o = dense(h, 3);
                    """, "o", 3),
            new Case("RnnReluSequences", """
                    input x[4, 2];
                    s = rnn(x, 3, activation = relu, sequences = true);
                    o = dense(flatten(s), 2);
                    """, "o", 2),
            new Case("GruLastState", """
                    input x[6, 3];
                    h = gru(x, 5);
                    o = dense(h, 3);
                    """, "o", 3),
            new Case("LstmLastState", """
                    input x[6, 2];
                    h = lstm(x, 4);
                    o = dense(h, 3);
                    """, "o", 3),
            new Case("StackedSequences", """
                    input x[5, 2];
                    s = lstm(x, 4, sequences = true);
                    r = rnn(s, 3, activation = relu, sequences = true);
                    g = gru(r, 4);
                    o = dense(concat(g, flatten(s[3:5])), 3);
                    """, "o", 3),
            new Case("OneStep", """
                    input x[1, 3];
                    g = gru(x, 2, sequences = true);
                    l = lstm(x, 2);
                    o = dense(concat(flatten(g), l), 2);
                    """, "o", 2),
            new Case("StatesUsedTwice", """
                    input x[4, 3];
                    s = gru(x, 3, sequences = true);
                    h = lstm(s, 3);
                    o = dense(concat(h, s[3], s[0]), 2);
                    """, "o", 2),
            // A layer's state straight into the loss: its forward and backward loops share the
            // one-sample kernel.
            new Case("StatesIntoTheLoss", """
                    input x[4, 3];
                    h = lstm(x, 3);
                    """, "h", 3),
            new Case("RowOfStatesIntoTheLoss", """
                    input x[5, 2];
                    s = rnn(x, 2, sequences = true);
                    g = gru(x, 2, sequences = true);
                    """, "s[3] + g[4]", 2),
            new Case("ConvThenGru", """
                    input x[2, 12];
                    c = conv1d(x, 4, 3, stride = 2, activation = relu);
                    h = gru(reshape(c, [5, 4]), 3);
                    o = dense(h, 2);
                    """, "o", 2));

    /**
     * {@code layer_norm} over vectors, matrices and images, with {@code eps} given; {@code
     * embedding} of a scalar input, an input vector, a slice, an element and a reshape, small
     * enough to unroll and large enough to tile, one table looked up twice in a sample.
     */
    private static final List<Case> NORMALISED_AND_EMBEDDED = List.of(
            new Case("LayerNormVector", """
                    input x[5];
                    n = layer_norm(x);
                    o = dense(n, 3);
                    """, "o", 3),
            new Case("LayerNormHidden", """
                    input x[30];
                    h = dense(x, 24, activation = tanh);
                    n = layer_norm(h, eps = 0.01);
                    o = dense(n, 4);
                    """, "o", 4),
            new Case("LayerNormImage", """
                    input x[2, 5, 5];
                    c = conv2d(x, 3, 3, padding = 1);
                    n = layer_norm(c);
                    o = dense(flatten(n), 3);
                    """, "o", 3),
            new Case("EmbeddingScalar", """
                    input week;
                    input x[2];
                    e = embedding(week, 5, 3);
                    o = dense(concat(e, x), 2);
                    """, "o", 2),
            new Case("EmbeddingTokens", """
                    input tokens[6];
                    e = embedding(tokens, 7, 4);
                    n = layer_norm(e);
                    o = dense(flatten(n), 3);
                    """, "o", 3),
            new Case("EmbeddingViews", """
                    input x[3];
                    input grid[2, 3];
                    a = embedding(x[1:3], 4, 5);
                    b = embedding(x[0], 4, 2);
                    c = embedding(reshape(grid, [6]), 9, 2);
                    h = dense(concat(flatten(a), b, flatten(c)), 20, activation = relu);
                    o = dense(h, 3);
                    """, "o", 3),
            new Case("EmbeddingTiled", """
                    input ids[4];
                    input x[40];
                    e = embedding(ids, 50, 8);
                    h = dense(concat(flatten(e), x), 32, activation = tanh);
                    n = layer_norm(h);
                    o = dense(n, 5);
                    """, "o", 5));

    @Test
    void everyNormalisedOrEmbeddedNetworkKeepsTheAcceptedSpecsRule() {
        assertAccepted(NORMALISED_AND_EMBEDDED, "normalised");
    }

    @Test
    void everyShapedNetworkKeepsTheAcceptedSpecsRule() {
        assertAccepted(CASES, "shaped");
    }

    @Test
    void everyRecurrentNetworkKeepsTheAcceptedSpecsRule() {
        assertAccepted(RECURRENT, "recurrent");
    }

    private static void assertAccepted(List<Case> cases, String prefix) {
        List<AcceptedSpecs.Candidate> candidates = new ArrayList<>();
        for (Case c : cases) {
            for (String precision : List.of("", "precision float;\n")) {
                String unique = prefix + candidates.size();
                candidates.add(new AcceptedSpecs.Candidate(
                        -1, unique, new RandomSpecs.Spec(RandomSpecs.Kind.MIXED, c.name() + ".nn", c.spec(precision))));
            }
        }
        AcceptedSpecs.Outcome outcome = AcceptedSpecs.run(candidates);
        assertEquals(
                candidates.size(),
                outcome.accepted,
                () -> "check rejected specs: " + outcome.rejections + "\n" + outcome.report());
        assertEquals(outcome.accepted, outcome.compiled, outcome::report);
        assertTrue(outcome.defects.isEmpty(), outcome::report);
    }
}
