package dev.nnc.samples.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionsSampleTest {

    @Test
    void generatedValuesAndGradientsMatchTheAnalyticFormulas() {
        List<Comparison> all = FunctionsSample.comparisons();
        assertEquals(4 * 3 + 3 + 3, all.size());
        for (Comparison c : all) {
            assertTrue(c.maxRelativeError() <= FunctionsSample.TOLERANCE, c::toString);
        }
    }

    @Test
    void everyFunctionIsCompared() {
        List<String> names = FunctionsSample.comparisons().stream()
                .map(Comparison::function)
                .distinct()
                .toList();
        assertEquals(List.of("Gauss", "F", "LogisticLoss", "Rosenbrock", "Chain"), names);
    }

    @Test
    void derivativeAndGradientAgree() {
        double[] grad = new double[1];
        for (double x : FunctionsSample.SCALAR_POINTS) {
            assertEquals(F.value(x), F.gradient(x, grad));
            assertEquals(F.derivative(x), grad[0]);
        }
    }

    @Test
    void theComparisonDetectsADifference() {
        Comparison wrong =
                new Comparison("G", new double[] {1}, 1.0, new double[] {2.0}, 1.0, new double[] {2.0 + 1e-9});
        assertTrue(wrong.maxRelativeError() > FunctionsSample.TOLERANCE);
    }
}
