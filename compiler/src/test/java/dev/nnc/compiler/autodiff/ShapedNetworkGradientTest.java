package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.frontend.FrontEnd;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.SemanticChecker;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Whole-network gradient checks (G6) of networks written with convolutions, pools, reshapes,
 * slices and concatenations, from source through lowering and reverse mode.
 */
class ShapedNetworkGradientTest {
    private static Declaration.Network network(String body) {
        Diagnostics diagnostics = new Diagnostics();
        String text = "network N {\n" + body + "\n}";
        var unit = FrontEnd.parse("t.nn", text.getBytes(StandardCharsets.UTF_8), diagnostics)
                .unit()
                .flatMap(u -> SemanticChecker.check(u, Optional.empty(), diagnostics));
        assertFalse(diagnostics.hasErrors(), () -> diagnostics.sorted().toString());
        return (Declaration.Network) unit.orElseThrow().declarations().get(0);
    }

    @Test
    void aSmallCnn() {
        ExampleGradientTest.checkLossGradient(network("input x[1, 8, 8]; target y[10];"
                + " c = conv2d(x, 3, 3, padding = 1, activation = tanh); p = max_pool2d(c, 2);"
                + " d = conv2d(p, 2, [2, 3], stride = [1, 2], dilation = [2, 1], padding = 1);"
                + " a = dense(flatten(avg_pool2d(c, 3, stride = 2, padding = 1)), 10); b = dense(flatten(d), 10);"
                + " out = softmax(a + b);"
                + " output out; loss cross_entropy(out, y); optimizer adam;"));
    }

    @Test
    void signalsThroughConv1dSlicesConcatAndGlobalPools() {
        ExampleGradientTest.checkLossGradient(network("input x[2, 12]; target y[3];"
                + " c = conv1d(x, 4, 3, padding = same, dilation = 2, activation = softplus);"
                + " m = max_pool1d(c, 3, stride = 2, padding = 1);"
                + " j = concat(c[1:3], reshape(m, [2, 12]), reshape(x[0], [1, 12]), c[3:]);"
                + " g = concat(global_avg_pool(j), global_max_pool(m), global_avg_pool(reshape(c, [2, 2, 3, 4])));"
                + " out = dense(g, 3); output out; loss mse(out, y); optimizer sgd(lr = 0.1);"));
    }
}
