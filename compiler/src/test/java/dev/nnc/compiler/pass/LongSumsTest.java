package dev.nnc.compiler.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.autodiff.ReverseMode;
import dev.nnc.compiler.graph.Bindings;
import dev.nnc.compiler.graph.Evaluator;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.GraphBuilder;
import dev.nnc.compiler.graph.GraphPrinter;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.graph.UnaryOp;
import dev.nnc.compiler.semantic.Shape;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sums as long as the language accepts (docs/language.md: a function body of 100,000 terms):
 * the passes walk each sum once, so they stay linear, and simplify them in one round.
 */
class LongSumsTest {
    private static final int TERMS = 100_000;

    /**
     * Generous for a linear walk of a few hundred thousand nodes (a few hundred milliseconds); a
     * quadratic one takes minutes. Measured in this thread's CPU time, so that other processes on
     * a busy machine do not count.
     */
    private static final long BUDGET_MILLIS = 1_000;

    private static Graph optimizeWithinBudget(Graph graph) {
        Passes.optimize(graph); // once for the JIT, so that the budget measures the passes
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        Graph optimized = Passes.optimize(graph);
        long millis = (threads.getCurrentThreadCpuTime() - start) / 1_000_000;
        assertTrue(millis < BUDGET_MILLIS, () -> "optimising took " + millis + " ms of CPU time");
        return optimized;
    }

    @Test
    void aHundredThousandCopiesBecomeOneProductAndTheirGradientOneConstant() {
        GraphBuilder b = GraphBuilder.create();
        LeafOp.Argument leaf = new LeafOp.Argument("x", Shape.scalar(), 0);
        int x = b.apply(leaf);
        int sum = x;
        for (int i = 1; i < TERMS; i++) {
            sum = b.add(sum, x);
        }
        Graph graph = b.build(List.of(new Output(Output.Kind.VALUE, "f", sum)));
        Graph gradient = optimizeWithinBudget(ReverseMode.differentiate(graph, Output.Kind.VALUE, List.of(leaf)));
        assertEquals("""
                %0 = argument x : scalar
                %1 = const 100000 : scalar
                %2 = mul %0, %1 : scalar
                value f = %2
                gradient x = %1
                """, GraphPrinter.print(gradient));
    }

    @Test
    void aHundredThousandDistinctTermsWithRepeatsSimplifyInLinearTime() {
        // sin(a0) + a1 + ... + a999 + sin(a0) + a1 + ...: a thousand terms, each a hundred times.
        GraphBuilder b = GraphBuilder.create();
        List<LeafOp.Argument> leaves = new ArrayList<>();
        List<Integer> terms = new ArrayList<>();
        Map<String, double[]> values = new HashMap<>();
        for (int i = 0; i < 1_000; i++) {
            LeafOp.Argument leaf = new LeafOp.Argument("a" + i, Shape.scalar(), i);
            leaves.add(leaf);
            int term = b.apply(leaf);
            terms.add(i % 2 == 0 ? b.apply(new UnaryOp.Sin(), term) : term);
            values.put(leaf.name(), new double[] {i / 1000.0});
        }
        int sum = terms.get(0);
        for (int i = 1; i < TERMS; i++) {
            int term = terms.get(i % terms.size());
            sum = i % 7 == 3 ? b.subtract(sum, term) : b.add(sum, term);
        }
        Graph graph = b.build(List.of(new Output(Output.Kind.VALUE, "f", sum)));
        Graph differentiated = ReverseMode.differentiate(graph, Output.Kind.VALUE, leaves);
        Graph optimized = optimizeWithinBudget(differentiated);
        assertTrue(optimized.size() < 10_000, () -> optimized.size() + " nodes remain");
        Bindings at = Bindings.of(values);
        Evaluator.Values want = Evaluator.evaluate(differentiated, at);
        Evaluator.Values got = Evaluator.evaluate(optimized, at);
        for (int o = 0; o < optimized.outputs().size(); o++) {
            double w = want.of(differentiated.outputs().get(o))[0];
            double g = got.of(optimized.outputs().get(o))[0];
            assertEquals(
                    w,
                    g,
                    1e-9 * (1 + Math.abs(w)),
                    differentiated.outputs().get(o).name());
        }
    }
}
