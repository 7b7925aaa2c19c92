package dev.nnc.compiler.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.frontend.FrontEnd;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.SemanticChecker;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Convolutions, pools, reshapes, slices and concatenations lowered from source into {@link SpatialOp}s. */
class SpatialLoweringTest {
    /** The network of {@code body}, checked by the front end and the semantic checker. */
    static Declaration.Network network(String body) {
        Diagnostics diagnostics = new Diagnostics();
        String text = "network N {\n" + body + "\n}";
        var unit = FrontEnd.parse("t.nn", text.getBytes(StandardCharsets.UTF_8), diagnostics)
                .unit()
                .flatMap(u -> SemanticChecker.check(u, Optional.empty(), diagnostics));
        assertFalse(diagnostics.hasErrors(), () -> diagnostics.sorted().toString());
        return (Declaration.Network) unit.orElseThrow().declarations().get(0);
    }

    private static Graph prediction(String body) {
        return Lowering.lower(network(body), Lowering.Mode.PREDICTION);
    }

    /** The values of {@code output} for the input {@code x = 0, 1, 2, ...}. */
    private static double[] outputFor(String shape, int size, String output) {
        Graph graph = prediction("input x" + shape + "; output " + output + ";");
        double[] x = IntStream.range(0, size).asDoubleStream().toArray();
        return Evaluator.evaluate(graph, Bindings.of(Map.of("x", x))).of(Output.Kind.PREDICTION);
    }

    @Test
    void lowersASmallCnnWithTheActivationOfTheConvolutionAsDensesIs() {
        assertEquals(
                """
                %0 = input x : [1, 8, 8]  // x
                %1 = param c.weight : [4, 1, 3, 3]  // c.weight
                %2 = param c.bias : [4]  // c.bias
                %3 = conv(k=3x3 s=1x1 p=1x1/1x1 d=1x1 bias) %0, %1, %2 : [4, 8, 8]
                %4 = relu %3 : [4, 8, 8]  // c
                %5 = max_pool(k=2x2 s=2x2 p=0x0/0x0 d=1x1) %4 : [4, 4, 4]  // p
                %6 = reshape[64] %5 : [64]  // f
                %7 = param out.weight : [10, 64]  // out.weight
                %8 = matvec %7, %6 : [10]
                %9 = param out.bias : [10]  // out.bias
                %10 = add %8, %9 : [10]
                %11 = softmax %10 : [10]  // out
                %12 = target y : [10]  // y
                %13 = softmax_cross_entropy %10, %12 : scalar
                prediction out = %11
                loss loss = %13
                """,
                GraphPrinter.print(prediction("input x[1, 8, 8]; target y[10];"
                        + " c = conv2d(x, 4, 3, padding = 1, activation = relu); p = max_pool2d(c, 2); f = flatten(p);"
                        + " out = softmax(dense(f, 10)); output out; loss cross_entropy(out, y); optimizer adam;")));
    }

    @Test
    void lowersConv1dWithoutBiasAveragePoolsAndSamePadding() {
        String printed = GraphPrinter.print(prediction("input x[3, 9];"
                + " c = conv1d(x, 2, 4, padding = same, dilation = 2, bias = false, activation = tanh);"
                + " a = avg_pool1d(c, 3, stride = 2, padding = 1); output a;"));
        assertTrue(printed.contains("conv(k=4 s=1 p=3/3 d=2) %0, %1 : [2, 9]"), printed);
        assertTrue(printed.contains("tanh %2 : [2, 9]  // c"), printed);
        assertTrue(printed.contains("avg_pool(k=3 s=2 p=1/1 d=1) %3 : [2, 5]  // a"), printed);
    }

    @Test
    void samePaddingWithAnEvenWindowPadsOneMoreAtTheEnd() {
        String printed = GraphPrinter.print(
                prediction("input x[1, 6, 6]; c = conv2d(x, 1, [2, 3], padding = same);" + " output c;"));
        assertTrue(printed.contains("conv(k=2x3 s=1x1 p=0x1/1x1 d=1x1 bias) %0, %1, %2 : [1, 6, 6]"), printed);
    }

    @Test
    void slicesRowsReshapesAndConcatenatesAlongTheFirstDimension() {
        // x = 0..23 as [2, 3, 4]: x[1] is 12..23, x[0:1] is 0..11.
        double[] row = outputFor("[2, 3, 4]", 24, "x[1]");
        assertArrayEquals(IntStream.range(12, 24).asDoubleStream().toArray(), row);
        double[] joined = outputFor("[2, 3, 4]", 24, "concat(x[1], reshape(x[0:1], [3, 4]))");
        double[] expected =
                IntStream.range(0, 24).map(i -> (i + 12) % 24).asDoubleStream().toArray();
        assertArrayEquals(expected, joined);
        String printed = GraphPrinter.print(prediction("input x[2, 3, 4]; output x[1];"));
        assertTrue(printed.contains("slice[1:2] %0 : [1, 3, 4]"), printed);
        assertTrue(printed.contains("reshape[3, 4] %1 : [3, 4]"), printed);
    }

    @Test
    void flatteningAVectorIsNoOp() {
        String printed = GraphPrinter.print(prediction("input v[5]; output flatten(v) * 2;"));
        assertFalse(printed.contains("reshape"), printed);
    }

    @Test
    void globalPoolsGiveOneValuePerChannel() {
        // Channel c of x = 0..23 as [2, 3, 4] holds 12c .. 12c + 11.
        assertArrayEquals(new double[] {5.5, 17.5}, outputFor("[2, 3, 4]", 24, "global_avg_pool(x)"), 1e-12);
        assertArrayEquals(new double[] {11, 23}, outputFor("[2, 3, 4]", 24, "global_max_pool(x)"));
        assertArrayEquals(new double[] {3, 7}, outputFor("[2, 4]", 8, "global_max_pool(x)"));
        assertArrayEquals(new double[] {11, 23}, outputFor("[2, 3, 2, 2]", 24, "global_max_pool(x)"));
        String printed = GraphPrinter.print(prediction("input x[2, 3, 4]; output global_avg_pool(x);"));
        assertTrue(printed.contains("channel_sum %0 : [2]"), printed);
    }
}
