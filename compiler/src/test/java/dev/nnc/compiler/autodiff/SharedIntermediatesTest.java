package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.graph.Examples;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.GraphPrinter;
import dev.nnc.compiler.graph.Lowering;
import dev.nnc.compiler.graph.Specs;
import dev.nnc.compiler.pass.Passes;
import dev.nnc.compiler.semantic.Builtin;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Shape;
import dev.nnc.compiler.semantic.Symbol;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The stable formulas of fused ops are built from nodes that CSE sees, so the loss and its
 * gradient share their intermediates: one {@code exp(-|z|)} per logit in a training graph with
 * {@code binary_cross_entropy(sigmoid(z), y)}, read by the loss and by the gradient's sigmoid;
 * one per element for {@code softplus} and its derivative.
 */
class SharedIntermediatesTest {
    @Test
    void sigmoidBinaryCrossEntropyAndItsGradientReadOneExponential() {
        var xor = Examples.xor();
        Graph training =
                Passes.optimize(ReverseMode.differentiateLoss(Lowering.lower(xor, Lowering.Mode.TRAINING), xor));
        String printed = GraphPrinter.print(training);
        assertEquals(1, count(printed, "= exp_neg_abs "), printed);
        assertEquals(0, count(printed, "= sigmoid "), printed);
        Matcher exp = Pattern.compile("%(\\d+) = exp_neg_abs (%\\d+)").matcher(printed);
        assertTrue(exp.find(), printed);
        String e = "%" + exp.group(1);
        String z = exp.group(2);
        assertEquals(1, count(printed, "= sigmoid_binary_cross_entropy " + z + ", "), printed);
        assertEquals(1, count(printed, ", " + e + " : scalar"), printed);
        assertEquals(1, count(printed, "= sigmoid_from_exp " + z + ", " + e + " "), printed);
    }

    @Test
    void softplusAndItsDerivativeReadOneExponential() {
        Symbol.Argument x = Specs.argument("x", Shape.vector(3), 0);
        Declaration.Function f =
                Specs.function("F", Specs.call(Builtin.SUM, Specs.call(Builtin.SOFTPLUS, Specs.read(x))), x);
        String printed = GraphPrinter.print(Passes.optimize(ReverseMode.differentiateValue(Lowering.lower(f), f)));
        assertEquals(1, count(printed, "= exp_neg_abs "), printed);
        assertEquals(1, count(printed, "= softplus_from_exp "), printed);
        assertEquals(1, count(printed, "= sigmoid_from_exp "), printed);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }
}
