package dev.nnc.compiler.pass;

import static dev.nnc.compiler.graph.Specs.argument;
import static dev.nnc.compiler.graph.Specs.call;
import static dev.nnc.compiler.graph.Specs.pow;
import static dev.nnc.compiler.graph.Specs.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.autodiff.ReverseMode;
import dev.nnc.compiler.graph.Bindings;
import dev.nnc.compiler.graph.Evaluator;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.GraphPrinter;
import dev.nnc.compiler.graph.Lowering;
import dev.nnc.compiler.graph.OpCount;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.graph.Specs;
import dev.nnc.compiler.semantic.Builtin;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Shape;
import dev.nnc.compiler.semantic.Symbol;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The lecture's target: {@code F(x) = sqrt(x^2 + exp(x^2))} with its derivative in at most 8
 * operations, {@code x (1 + b) / d} reusing {@code b = exp(x²)} and {@code d = F(x)}.
 */
class LectureFunctionTest {
    private static final Symbol.Argument X = argument("x", Shape.scalar(), 0);

    private static Declaration.Function f() {
        var square = pow(read(X), 2);
        return Specs.function("F", call(Builtin.SQRT, Specs.add(square, call(Builtin.EXP, square))), X);
    }

    private static Graph optimized() {
        Declaration.Function f = f();
        return Passes.optimize(ReverseMode.differentiateValue(Lowering.lower(f), f));
    }

    @Test
    void valueAndDerivativeTakeAtMostEightOperations() {
        Graph graph = optimized();
        OpCount count = OpCount.of(graph);
        assertEquals(4, count.forward(), GraphPrinter.print(graph));
        assertTrue(count.total() <= 8, () -> count + "\n" + GraphPrinter.print(graph));
    }

    @Test
    void derivativeIsXTimesOnePlusBOverD() {
        assertEquals("""
                %0 = argument x : scalar  // x
                %1 = mul %0, %0 : scalar
                %2 = exp %1 : scalar
                %3 = add %1, %2 : scalar
                %4 = sqrt %3 : scalar
                %5 = const 1 : scalar
                %6 = add %2, %5 : scalar
                %7 = mul %0, %6 : scalar
                %8 = div %7, %4 : scalar  // d_x
                value F = %4
                gradient x = %8
                """, GraphPrinter.print(optimized()));
    }

    @Test
    void optimizedDerivativeMatchesClosedForm() {
        Graph graph = optimized();
        for (double x : new double[] {-2, -0.5, 0, 0.3, 1.7}) {
            var values = Evaluator.evaluate(graph, Bindings.of(Map.of("x", new double[] {x})));
            double b = Math.exp(x * x);
            double d = Math.sqrt(x * x + b);
            assertEquals(d, values.scalar(Output.Kind.VALUE), 1e-15 * d);
            assertEquals(x * (1 + b) / d, values.gradient("x")[0], 1e-14 * Math.max(1, Math.abs(x * (1 + b) / d)));
        }
    }

    @Test
    void naiveReverseModeNeedsMore() {
        Declaration.Function f = f();
        Graph naive = new DeadCode().apply(ReverseMode.differentiateValue(Lowering.lower(f), f));
        assertTrue(OpCount.of(naive).total() > 8, () -> GraphPrinter.print(naive));
    }
}
