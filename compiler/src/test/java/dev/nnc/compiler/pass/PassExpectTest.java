package dev.nnc.compiler.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.graph.BinaryOp;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.GraphBuilder;
import dev.nnc.compiler.graph.GraphPrinter;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.Origin;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.graph.TensorOp;
import dev.nnc.compiler.graph.UnaryOp;
import dev.nnc.compiler.semantic.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-pass expect tests: a small graph, one pass, the printed result. */
class PassExpectTest {
    private static final Shape S = Shape.scalar();
    private static final Shape V = Shape.vector(3);

    private static Graph value(GraphBuilder b, int node) {
        return b.build(List.of(new Output(Output.Kind.VALUE, "f", node)));
    }

    @Test
    void constantFoldingEvaluatesConstantOperandsAndBroadcasts() {
        GraphBuilder b = GraphBuilder.create();
        int x = b.apply(new LeafOp.Argument("x", V, 0));
        int two = b.constant(2, S);
        int half = b.constant(0.5, S);
        int one = b.multiply(two, half);
        int ones = b.broadcast(one, V);
        int log = b.apply(new UnaryOp.Log(), b.constant(0, S));
        Graph graph = value(b, b.add(b.multiply(x, ones), b.broadcast(log, V)));
        assertEquals("""
                %0 = argument x : [3]
                %1 = const 2 : scalar
                %2 = const 0.5 : scalar
                %3 = const 1 : scalar
                %4 = const 1 : [3]
                %5 = const 0 : scalar
                %6 = const -Infinity : scalar
                %7 = mul %0, %4 : [3]
                %8 = const -Infinity : [3]
                %9 = add %7, %8 : [3]
                value f = %9
                """, GraphPrinter.print(new ConstantFolding().apply(graph)));
    }

    @Test
    void simplifyRemovesIdentitiesAndFoldsTheSignIntoProductsButKeepsTimesZeroAndMinusItself() {
        GraphBuilder b = GraphBuilder.create();
        int x = b.apply(new LeafOp.Argument("x", S, 0));
        int y = b.apply(new LeafOp.Argument("y", S, 1));
        int plusZero = b.add(x, b.constant(0, S));
        int timesOne = b.multiply(plusZero, b.constant(1, S));
        int doubleNegation = b.negate(b.negate(timesOne));
        int timesZero = b.multiply(y, b.constant(0, S));
        int minusItself = b.subtract(y, y);
        int plusNegated = b.add(doubleNegation, b.negate(timesZero));
        Graph graph = value(b, b.add(plusNegated, minusItself));
        assertEquals("""
                %0 = argument x : scalar
                %1 = argument y : scalar
                %2 = sub %1, %1 : scalar
                %3 = const -0 : scalar
                %4 = mul %1, %3 : scalar
                %5 = add %0, %4 : scalar
                %6 = add %2, %5 : scalar
                value f = %6
                """, GraphPrinter.print(new DeadCode().apply(new Simplify().apply(graph))));
    }

    @Test
    void simplifyGathersConstantsOfSingleUseProductsAndFactors() {
        GraphBuilder b = GraphBuilder.create();
        int x = b.apply(new LeafOp.Argument("x", S, 0));
        int d = b.apply(new LeafOp.Argument("d", S, 1));
        int q = b.apply(new LeafOp.Argument("q", S, 2));
        int p = b.divide(b.constant(0.5, S), d);
        int sum = b.add(p, b.multiply(p, q));
        int product = b.multiply(b.constant(2, S), b.multiply(x, sum));
        Graph once = new DeadCode().apply(new Simplify().apply(value(b, product)));
        assertEquals("""
                %0 = argument x : scalar
                %1 = argument d : scalar
                %2 = argument q : scalar
                %3 = const 0.5 : scalar
                %4 = div %3, %1 : scalar
                %5 = const 1 : scalar
                %6 = add %2, %5 : scalar
                %7 = mul %4, %6 : scalar
                %8 = const 2 : scalar
                %9 = mul %0, %7 : scalar
                %10 = mul %8, %9 : scalar
                value f = %10
                """, GraphPrinter.print(once));
        assertEquals("""
                %0 = argument x : scalar
                %1 = argument d : scalar
                %2 = argument q : scalar
                %3 = const 1 : scalar
                %4 = add %2, %3 : scalar
                %5 = mul %0, %4 : scalar
                %6 = div %5, %1 : scalar
                value f = %6
                """, GraphPrinter.print(new DeadCode().apply(new Simplify().apply(once))));
    }

    @Test
    void simplifyGathersTheConstantsOfABroadcastScalarProduct() {
        // The squared error's chain rule: 2 * (a * (broadcast(0.5 * w) * x)), w the sample weight.
        GraphBuilder b = GraphBuilder.create();
        int x = b.apply(new LeafOp.Argument("x", V, 0));
        int a = b.apply(new LeafOp.Argument("a", V, 1));
        int w = b.apply(new LeafOp.Argument("w", S, 2));
        int seed = b.broadcast(b.multiply(b.constant(0.5, S), w), V);
        int product = b.multiply(b.constant(2, V), b.multiply(a, b.multiply(seed, x)));
        Graph graph = value(b, product);
        assertEquals("""
                %0 = argument x : [3]
                %1 = argument a : [3]
                %2 = argument w : scalar
                %3 = broadcast %2 : [3]
                %4 = mul %0, %1 : [3]
                %5 = mul %3, %4 : [3]
                value f = %5
                """, GraphPrinter.print(new DeadCode().apply(new Simplify().apply(graph))));
    }

    @Test
    void simplifyComputesElementwiseOpsOfBroadcastsOnceOnTheScalarAndSumsThemByAProduct() {
        GraphBuilder b = GraphBuilder.create();
        int s = b.apply(new LeafOp.Argument("s", S, 0));
        int t = b.apply(new LeafOp.Argument("t", S, 1));
        int sum = b.add(b.broadcast(s, V), b.broadcast(t, V));
        Graph graph = value(b, b.apply(new TensorOp.Sum(), b.apply(new UnaryOp.Tanh(), sum)));
        assertEquals("""
                %0 = argument s : scalar
                %1 = argument t : scalar
                %2 = add %0, %1 : scalar
                %3 = tanh %2 : scalar
                %4 = const 3 : scalar
                %5 = mul %3, %4 : scalar
                value f = %5
                """, GraphPrinter.print(new DeadCode().apply(new Simplify().apply(graph))));
    }

    private static String simplified(Graph graph) {
        return GraphPrinter.print(new DeadCode().apply(new Simplify().apply(graph)));
    }

    @Test
    void simplifyTurnsASumOfSeventeenCopiesIntoOneProductInOneRound() {
        GraphBuilder b = GraphBuilder.create();
        int x = b.apply(new LeafOp.Argument("x", S, 0));
        int sum = x;
        for (int i = 1; i < 17; i++) {
            sum = b.add(sum, x);
        }
        assertEquals("""
                %0 = argument x : scalar
                %1 = const 17 : scalar
                %2 = mul %0, %1 : scalar
                value f = %2
                """, simplified(value(b, sum)));
    }

    @Test
    void simplifyCombinesLikeTermsOfOneSignAndConstantsKeepingTheOrderOfFirstOccurrence() {
        // 2x + y + 3x - x - x + 1 + y 2 - 4 -> 5x + 3y - 2x - 3
        GraphBuilder b = GraphBuilder.create();
        int x = b.apply(new LeafOp.Argument("x", S, 0));
        int y = b.apply(new LeafOp.Argument("y", S, 1));
        int sum = b.add(b.multiply(b.constant(2, S), x), y);
        sum = b.add(sum, b.multiply(b.constant(3, S), x));
        sum = b.subtract(b.subtract(sum, x), x);
        sum = b.add(sum, b.constant(1, S));
        sum = b.add(sum, b.multiply(y, b.constant(2, S)));
        sum = b.subtract(sum, b.constant(4, S));
        assertEquals("""
                %0 = argument x : scalar
                %1 = argument y : scalar
                %2 = const 2 : scalar
                %3 = mul %0, %2 : scalar
                %4 = const 3 : scalar
                %5 = const 5 : scalar
                %6 = mul %0, %5 : scalar
                %7 = mul %1, %4 : scalar
                %8 = add %6, %7 : scalar
                %9 = sub %8, %3 : scalar
                %10 = sub %9, %4 : scalar
                value f = %10
                """, simplified(value(b, sum)));
    }

    @Test
    void simplifyKeepsTermsThatCancelOrMeetAZeroCoefficientSinceInfinityMinusInfinityIsNaN() {
        GraphBuilder b = GraphBuilder.create();
        int x = b.apply(new LeafOp.Argument("x", S, 0));
        int y = b.apply(new LeafOp.Argument("y", S, 1));
        int cancels = b.subtract(b.add(x, y), x);
        int twiceLessOnce = b.subtract(b.multiply(b.constant(2, S), y), y);
        int zeroTimes = b.add(b.multiply(b.constant(0, S), x), x);
        Graph graph = b.build(List.of(
                new Output(Output.Kind.VALUE, "f", cancels),
                new Output(Output.Kind.VALUE, "g", twiceLessOnce),
                new Output(Output.Kind.VALUE, "h", zeroTimes)));
        assertEquals("""
                %0 = argument x : scalar
                %1 = argument y : scalar
                %2 = add %0, %1 : scalar
                %3 = sub %2, %0 : scalar
                %4 = const 2 : scalar
                %5 = mul %1, %4 : scalar
                %6 = sub %5, %1 : scalar
                %7 = const 0 : scalar
                %8 = mul %0, %7 : scalar
                %9 = add %0, %8 : scalar
                value f = %3
                value g = %6
                value h = %9
                """, GraphPrinter.print(Passes.optimize(graph)));
    }

    @Test
    void simplifyFoldsConstantSubexpressionsAsItBuildsSoOneRoundFinishes() {
        // p + p exp(0): exp(0) folds to 1, p 1 to p and p + p to 2p, all in one application.
        GraphBuilder b = GraphBuilder.create();
        int p = b.apply(new UnaryOp.Sin(), b.apply(new LeafOp.Argument("x", S, 0)));
        int sum = b.add(p, b.multiply(p, b.apply(new UnaryOp.Exp(), b.constant(0, S))));
        assertEquals("""
                %0 = argument x : scalar
                %1 = sin %0 : scalar
                %2 = const 2 : scalar
                %3 = mul %1, %2 : scalar
                value f = %3
                """, simplified(value(b, sum)));
    }

    @Test
    void simplifyRebuildsASumWithNothingToCombineNodeForNode() {
        GraphBuilder b = GraphBuilder.create();
        int x = b.apply(new LeafOp.Argument("x", S, 0));
        int y = b.apply(new LeafOp.Argument("y", S, 1));
        int z = b.apply(new LeafOp.Argument("z", S, 2));
        int sum = b.add(b.subtract(x, b.add(y, z)), b.add(b.apply(new UnaryOp.Sin(), x), y));
        Graph graph = value(b, sum);
        assertEquals(GraphPrinter.print(graph), simplified(graph));
    }

    @Test
    void commonSubexpressionsMergesEqualNodesInEitherOperandOrder() {
        Node x = new Node(0, new LeafOp.Argument("x", S, 0), List.of(), S, Origin.none());
        Node y = new Node(1, new LeafOp.Argument("y", S, 1), List.of(), S, Origin.none());
        Node first = new Node(2, new BinaryOp.Multiply(), List.of(0, 1), S, Origin.named("p"));
        Node second = new Node(3, new BinaryOp.Multiply(), List.of(1, 0), S, Origin.none());
        Node sin = new Node(4, new UnaryOp.Sin(), List.of(2), S, Origin.none());
        Node sinAgain = new Node(5, new UnaryOp.Sin(), List.of(3), S, Origin.none());
        Node sum = new Node(6, new BinaryOp.Add(), List.of(4, 5), S, Origin.none());
        Graph graph = new Graph(
                List.of(x, y, first, second, sin, sinAgain, sum), List.of(new Output(Output.Kind.VALUE, "f", 6)));
        assertEquals("""
                %0 = argument x : scalar
                %1 = argument y : scalar
                %2 = mul %0, %1 : scalar  // p
                %3 = sin %2 : scalar
                %4 = add %3, %3 : scalar
                value f = %4
                """, GraphPrinter.print(new CommonSubexpressions().apply(graph)));
    }

    @Test
    void deadCodeKeepsOnlyWhatOutputsNeed() {
        GraphBuilder b = GraphBuilder.create();
        int x = b.apply(new LeafOp.Argument("x", S, 0));
        int unused = b.apply(new LeafOp.Argument("unused", S, 1));
        b.apply(new UnaryOp.Exp(), unused);
        int kept = b.apply(new UnaryOp.Cos(), x);
        b.apply(new UnaryOp.Sin(), kept);
        assertEquals("""
                %0 = argument x : scalar
                %1 = cos %0 : scalar
                value f = %1
                """, GraphPrinter.print(new DeadCode().apply(value(b, kept))));
    }
}
