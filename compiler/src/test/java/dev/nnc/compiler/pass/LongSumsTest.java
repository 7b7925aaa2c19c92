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
 * the passes walk each sum once, so they stay linear, and simplify them in one round, like
 * terms combined and a factor that all terms share taken out of all of them at once.
 */
class LongSumsTest {
    private static final int TERMS = 100_000;

    /**
     * Generous for a linear walk of a few hundred thousand nodes (a few hundred milliseconds); a
     * quadratic one takes minutes. Measured in this thread's CPU time, so that other processes on
     * a busy machine do not count.
     */
    private static final long BUDGET_MILLIS = 1_000;

    /**
     * For a graph of a million nodes (value and gradient of 100,000 distinct terms), optimised
     * without a warm-up run (which would double the test's time): two rounds take about 15 s;
     * sixteen, as when factoring took one round per term, several minutes.
     */
    private static final long DISTINCT_BUDGET_MILLIS = 30_000;

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

    /**
     * {@code sum_i c_i sin(x + k_i) y} with every shift its own, and its gradient: no two terms
     * combine, every product of the value shares the factor {@code y}, and the gradient in
     * {@code y} shares every {@code c_i sin(x + k_i)} with the value.
     */
    private static Graph distinctTerms(int terms) {
        GraphBuilder b = GraphBuilder.create();
        LeafOp.Argument xLeaf = new LeafOp.Argument("x", Shape.scalar(), 0);
        LeafOp.Argument yLeaf = new LeafOp.Argument("y", Shape.scalar(), 1);
        int x = b.apply(xLeaf);
        int y = b.apply(yLeaf);
        int sum = -1;
        for (int i = 0; i < terms; i++) {
            int shifted = b.add(x, b.constant(i / 1000.0, Shape.scalar()));
            int term = b.multiply(
                    b.multiply(b.constant(1 + i % 13, Shape.scalar()), b.apply(new UnaryOp.Sin(), shifted)), y);
            sum = sum < 0 ? term : b.add(sum, term);
        }
        Graph graph = b.build(List.of(new Output(Output.Kind.VALUE, "f", sum)));
        return ReverseMode.differentiate(graph, Output.Kind.VALUE, List.of(xLeaf, yLeaf));
    }

    /** The rounds of {@link Passes#optimize} until the graph stops changing, the last included. */
    private static List<Graph> rounds(Graph graph) {
        List<Graph> rounds = new ArrayList<>();
        Graph current = new DeadCode().apply(graph);
        while (rounds.size() < 16) {
            Graph next = current;
            for (Pass pass : Passes.round()) {
                next = pass.apply(next);
            }
            rounds.add(next);
            if (next.equals(current)) {
                break;
            }
            current = next;
        }
        return rounds;
    }

    @Test
    void aHundredThousandDistinctTermsSharingAFactorAreFactoredInOneRound() {
        Graph graph = distinctTerms(TERMS);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        List<Graph> rounds = rounds(graph);
        long millis = (threads.getCurrentThreadCpuTime() - start) / 1_000_000;
        // One round factors y out of all the value's terms at once, the next changes nothing.
        assertEquals(2, rounds.size(), "rounds until the graph stopped changing");
        assertTrue(millis < DISTINCT_BUDGET_MILLIS, () -> "optimising took " + millis + " ms of CPU time");
        Graph optimized = rounds.get(rounds.size() - 1);
        Bindings at = Bindings.of(Map.of("x", new double[] {0.3}, "y", new double[] {-1.7}));
        Evaluator.Values want = Evaluator.evaluate(graph, at);
        Evaluator.Values got = Evaluator.evaluate(optimized, at);
        for (int o = 0; o < optimized.outputs().size(); o++) {
            double w = want.of(graph.outputs().get(o))[0];
            double g = got.of(optimized.outputs().get(o))[0];
            assertEquals(w, g, 1e-9 * TERMS, graph.outputs().get(o).name());
        }
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
