package dev.nnc.compiler.graph;

import static dev.nnc.compiler.graph.Specs.add;
import static dev.nnc.compiler.graph.Specs.call;
import static dev.nnc.compiler.graph.Specs.mul;
import static dev.nnc.compiler.graph.Specs.pow;
import static dev.nnc.compiler.graph.Specs.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.semantic.Builtin;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Shape;
import dev.nnc.compiler.semantic.Symbol;
import dev.nnc.compiler.semantic.Term;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LoweringTest {
    @Test
    void lowersDenseLayersAndFusesSigmoidIntoBinaryCrossEntropy() {
        assertEquals("""
                %0 = input x : [2]  // x
                %1 = param hidden.weight : [4, 2]  // hidden.weight
                %2 = matvec %1, %0 : [4]
                %3 = param hidden.bias : [4]  // hidden.bias
                %4 = add %2, %3 : [4]
                %5 = tanh %4 : [4]  // hidden
                %6 = param out.weight : [1, 4]  // out.weight
                %7 = matvec %6, %5 : [1]
                %8 = param out.bias : [1]  // out.bias
                %9 = add %7, %8 : [1]
                %10 = sigmoid %9 : [1]  // out
                %11 = target y : [1]  // y
                %12 = exp_neg_abs %9 : [1]
                %13 = sigmoid_binary_cross_entropy %9, %11, %12 : scalar
                loss loss = %13
                """, GraphPrinter.print(Lowering.lower(Examples.xor(), Lowering.Mode.TRAINING)));
    }

    @Test
    void fusesSoftmaxIntoCrossEntropyAndAppliesDropoutOnlyWhileTraining() {
        String training = GraphPrinter.print(Lowering.lower(Examples.iris(), Lowering.Mode.TRAINING));
        assertTrue(training.contains("dropout_mask h1drop.mask 0.1 : [16]"), training);
        assertTrue(training.contains("softmax_cross_entropy"), training);
        String prediction = GraphPrinter.print(Lowering.lower(Examples.iris(), Lowering.Mode.PREDICTION));
        assertTrue(!prediction.contains("dropout_mask"), prediction);
        assertTrue(prediction.contains("prediction probs = "), prediction);
    }

    @Test
    void lowersIntegerPowersToProductsBySquaring() {
        Symbol.Argument x = Specs.argument("x", Shape.scalar(), 0);
        Declaration.Function f = Specs.function("P", add(pow(read(x), 5), pow(read(x), -2)), x);
        assertEquals("""
                %0 = argument x : scalar  // x
                %1 = mul %0, %0 : scalar
                %2 = mul %1, %1 : scalar
                %3 = mul %0, %2 : scalar
                %4 = const 1 : scalar
                %5 = div %4, %1 : scalar
                %6 = add %3, %5 : scalar
                value P = %6
                """, GraphPrinter.print(Lowering.lower(f)));
    }

    @Test
    void lowersLogOfSoftmaxToLogSoftmax() {
        Symbol.Argument z = Specs.argument("z", Shape.vector(3), 0);
        Term log = call(Builtin.LOG, call(Builtin.SOFTMAX, read(z)));
        Declaration.Function f = Specs.function("L", call(Builtin.SUM, log), z);
        String printed = GraphPrinter.print(Lowering.lower(f));
        assertTrue(printed.contains("log_softmax %0"), printed);
        double value = Evaluator.evaluate(Lowering.lower(f), Bindings.of(Map.of("z", new double[] {1000, 0, -1000})))
                .scalar(Output.Kind.VALUE);
        assertTrue(Double.isFinite(value), "log(softmax) of spread logits must stay finite: " + value);
    }

    /**
     * 50 000 chained definitions (over 100 000 nodes with the adjoints): lowering, differentiation
     * and passes must not recurse.
     */
    @Test
    void handlesFiftyThousandChainedDefinitions() {
        Symbol.Argument x = Specs.argument("x", Shape.scalar(), 0);
        List<Symbol.Definition> locals = new ArrayList<>();
        Term previous = read(x);
        for (int i = 0; i < 50_000; i++) {
            Term next = i % 2 == 0 ? call(Builtin.SIN, previous) : add(mul(Specs.lit(0.5), previous), read(x));
            Symbol.Definition local = Specs.define("v" + i, next);
            locals.add(local);
            previous = read(local);
        }
        Declaration.Function f =
                new Declaration.Function("Deep", Specs.span(), Optional.empty(), List.of(x), locals, previous);
        Graph graph = Lowering.lower(f);
        Graph differentiated = dev.nnc.compiler.pass.Passes.optimize(
                dev.nnc.compiler.autodiff.ReverseMode.differentiateValue(graph, f));
        var values = Evaluator.evaluate(differentiated, Bindings.of(Map.of("x", new double[] {0.3})));
        assertTrue(Double.isFinite(values.gradient("x")[0]));
        assertTrue(differentiated.size() > 100_000);
    }
}
