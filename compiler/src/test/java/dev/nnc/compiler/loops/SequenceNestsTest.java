package dev.nnc.compiler.loops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.graph.Bindings;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.Op;
import dev.nnc.compiler.graph.Origin;
import dev.nnc.compiler.graph.SequenceOp;
import dev.nnc.compiler.semantic.Shape;
import dev.nnc.compiler.semantic.Term.Recurrent.Cell;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The nests of the recurrences: the expected IR of a GRU's step, and every cell's nest run over a
 * tile of samples against the reference evaluator's recurrence and backpropagation through time.
 */
class SequenceNestsTest {
    private static final int STEPS = 3;
    private static final int UNITS = 2;

    @Test
    void aGrusStepIsOneProductOfTheTileThenItsGatesThenItsUnits() {
        Graph graph = forwardGraph(Cell.GRU, 2);
        assertEquals(
                """
                for b from 0 to m
                  fill u from 0 to 2: states[b][u] = 0
                for t < 2
                  product b < m: gateSums[b] = %2[j] + states[b] columns (2 x 6)
                  for b from 0 to m
                    for g from 0 to 4: gateSums[b][g] = sigmoid((%0[t * 6 + g] + gateSums[b][g]))
                    for u from 0 to 2: candidates[0][u] = tanh((%0[t * 6 + u + 4] + (gateSums[b][u] * gateSums[b][u + 4])))
                    for u < 2
                      z = gateSums[b][u + 2]
                      n = candidates[0][u]
                      states[b][u] = (((1 - z) * n) + (z * states[b][u]))
                      %3[t * 2 + u] = states[b][u]
                """,
                NestPrinter.print(Loops.recurrence(graph.node(3), graph, context("columns", 4, block -> block == 0))));
    }

    @Test
    void aOneSampleKernelLosesItsLoopsOverTheSamplesAndRunsTimeBackwards() {
        Graph graph = backwardGraph(Cell.RNN_RELU, 2);
        assertEquals("""
                fill u from 0 to 2: carries[0][u] = 0
                for back < 2
                  let t = 1 - back
                  for u < 2
                    d = (%0[t * 2 + u] + carries[0][u])
                    a = (%1[t * 2 + u] > 0 ? d : 0)
                    %3[t * 2 + u] = a
                    gateGrads[0][u] = a
                    passedOn[0][u] = 0
                  for g < 2
                    %3[t * 2 + g + 4] = gateGrads[0][g]
                  product b < 1: carries[b] = passedOn[b] + gateGrads[b] rows (2 x 2)
                """, NestPrinter.print(Loops.recurrence(graph.node(3), graph, context("rows", 1, block -> true))));
    }

    @Test
    void aPredictionKeepsOnlyTheStatesOfItsTrace() {
        Graph graph = forwardGraph(Cell.LSTM, STEPS);
        String printed = NestPrinter.print(Loops.recurrence(graph.node(3), graph, context("columns", 1, b -> b == 0)));
        // Blocks 1 to 6 of the [7, 3, 2] trace start at 6, 12, ... 36.
        assertFalse(printed.contains("%3[t * 2 + u + "), printed);
        assertTrue(printed.contains("%3[t * 2 + u] = states[0][u]"), printed);
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void theForwardNestComputesTheReferenceTraceForEverySampleOfATile(Cell cell) {
        int samples = 3;
        Random random = new Random(cell.ordinal() + 7L);
        Graph graph = forwardGraph(cell, STEPS);
        Node node = graph.node(3);
        int rows = cell.gates() * UNITS;
        double[] w = randoms(random, rows * UNITS);
        double[] bias = randoms(random, rows);
        double[][] p = new double[samples][];
        for (int b = 0; b < samples; b++) {
            p[b] = randoms(random, STEPS * rows);
        }
        Map<String, double[][]> arrays = new HashMap<>();
        arrays.put("columns", RowMajor.columns(w, rows, UNITS));
        Map<Integer, double[][]> nodes = new HashMap<>();
        nodes.put(0, p);
        nodes.put(2, new double[][] {bias});
        nodes.put(3, new double[samples][node.shape().size()]);
        List<Stmt> nest = Loops.recurrence(node, graph, scratch("columns", samples, arrays, block -> true));

        NestEvaluator.run(nest, nodes, arrays, samples);

        for (int b = 0; b < samples; b++) {
            double[] expected = node.op().evaluate(List.of(p[b], w, bias), node.shape(), Bindings.of(Map.of()));
            assertClose(expected, nodes.get(3)[b], cell + " sample " + b);
        }
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void theBackwardNestComputesTheReferenceAdjointsForEverySampleOfATile(Cell cell) {
        int samples = 3;
        Random random = new Random(cell.ordinal() + 70L);
        Graph graph = backwardGraph(cell, STEPS);
        Node node = graph.node(3);
        int rows = cell.gates() * UNITS;
        Shape traceShape = graph.node(1).shape();
        double[] w = randoms(random, rows * UNITS);
        double[][] adjoint = new double[samples][];
        double[][] trace = new double[samples][];
        for (int b = 0; b < samples; b++) {
            // Every block of the adjoint nonzero: each gate's adjoint enters where it was made.
            adjoint[b] = randoms(random, traceShape.size());
            double[] p = randoms(random, STEPS * rows);
            double[] bias = randoms(random, rows);
            trace[b] = new SequenceOp.Recurrence(cell, STEPS, UNITS)
                    .evaluate(List.of(p, w, bias), traceShape, Bindings.of(Map.of()));
        }
        Map<String, double[][]> arrays = new HashMap<>();
        arrays.put("rows", RowMajor.rows(w, rows, UNITS));
        Map<Integer, double[][]> nodes = new HashMap<>();
        nodes.put(0, adjoint);
        nodes.put(1, trace);
        nodes.put(3, new double[samples][node.shape().size()]);
        List<Stmt> nest = Loops.recurrence(node, graph, scratch("rows", samples, arrays, block -> true));

        NestEvaluator.run(nest, nodes, arrays, samples);

        for (int b = 0; b < samples; b++) {
            double[] expected =
                    node.op().evaluate(List.of(adjoint[b], trace[b], w), node.shape(), Bindings.of(Map.of()));
            assertClose(expected, nodes.get(3)[b], cell + " sample " + b);
        }
    }

    /** {@code %0 = p [T, G H]}, {@code %1 = W_hh}, {@code %2 = b_hh}, {@code %3} the recurrence. */
    private static Graph forwardGraph(Cell cell, int steps) {
        int rows = cell.gates() * UNITS;
        Node p = new Node(0, read("p", Shape.matrix(steps, rows)), List.of(), Shape.matrix(steps, rows), Origin.none());
        Node w = param(1, "h.weight_hh", Shape.matrix(rows, UNITS));
        Node b = param(2, "h.bias_hh", Shape.vector(rows));
        SequenceOp.Recurrence op = new SequenceOp.Recurrence(cell, steps, UNITS);
        Node r = new Node(3, op, List.of(0, 1, 2), op.shape(List.of(p.shape(), w.shape(), b.shape())), Origin.none());
        return new Graph(List.of(p, w, b, r), List.of());
    }

    /** {@code %0 = dtrace}, {@code %1 = trace}, {@code %2 = W_hh}, {@code %3} backpropagation through time. */
    private static Graph backwardGraph(Cell cell, int steps) {
        int rows = cell.gates() * UNITS;
        Shape trace = Shape.of(SequenceOp.traced(cell), steps, UNITS);
        Node dtrace = new Node(0, read("dtrace", trace), List.of(), trace, Origin.none());
        Node values = new Node(1, read("trace", trace), List.of(), trace, Origin.none());
        Node w = param(2, "h.weight_hh", Shape.matrix(rows, UNITS));
        SequenceOp.RecurrenceGrad op = new SequenceOp.RecurrenceGrad(cell, steps, UNITS);
        Node grad = new Node(3, op, List.of(0, 1, 2), op.shape(List.of(trace, trace, w.shape())), Origin.none());
        return new Graph(List.of(dtrace, values, w, grad), List.of());
    }

    /** A context whose scratch arrays are named as asked; over a tile of {@code m} when {@code most > 1}. */
    private static Loops.Recurrence context(String weight, int most, java.util.function.IntPredicate kept) {
        return new Loops.Recurrence(
                weight,
                most > 1 ? new Bound.Named("m") : new Bound.Fixed(1),
                most,
                (name, rows, columns) -> name,
                kept);
    }

    /** A context whose scratch arrays are allocated into {@code arrays}. */
    private static Loops.Recurrence scratch(
            String weight, int most, Map<String, double[][]> arrays, java.util.function.IntPredicate kept) {
        return new Loops.Recurrence(
                weight,
                new Bound.Named("m"),
                most,
                (name, rows, columns) -> {
                    arrays.put(name, new double[rows][columns]);
                    return name;
                },
                kept);
    }

    private static Node param(int id, String name, Shape shape) {
        return new Node(id, new LeafOp.Param(name, shape), List.of(), shape, Origin.none());
    }

    private static Op read(String name, Shape shape) {
        return new LeafOp.Input(name, shape, 0);
    }

    private static double[] randoms(Random random, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = random.nextDouble() * 2 - 1;
        }
        return out;
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > 1e-13 * Math.max(1, Math.abs(expected[i]))) {
                wrong.add(i + ": " + expected[i] + " != " + actual[i]);
            }
        }
        assertTrue(wrong.isEmpty(), () -> what + ": " + wrong);
    }
}
