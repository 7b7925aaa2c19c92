package dev.nnc.compiler.graph;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * Central finite differences on the reference evaluator (RELIABILITY.md G1): eps = 1e-6 unless a
 * domain needs a smaller step, pass when {@code |a - n| <= 1e-5 + 1e-3 |n|}.
 */
public final class GradientOracle {
    public static final double EPS = 1e-6;

    private GradientOracle() {}

    /** d(scalar output of kind {@code kind})/d(element {@code index} of leaf {@code name}). */
    public static double numeric(Graph forward, Output.Kind kind, Bindings at, String name, int index, double h) {
        double[] value = at.values().get(name).clone();
        double x = value[index];
        value[index] = x + h;
        double up = Evaluator.evaluate(forward, at.with(name, value.clone())).scalar(kind);
        value[index] = x - h;
        double down = Evaluator.evaluate(forward, at.with(name, value.clone())).scalar(kind);
        return (up - down) / (2 * h);
    }

    public static boolean close(double analytic, double numeric) {
        return Math.abs(analytic - numeric) <= 1e-5 + 1e-3 * Math.abs(numeric);
    }

    /**
     * Checks every element of the gradient of each leaf in {@code leaves}, skipping the elements
     * that {@code skip} (leaf name, element index) rejects; returns how many were checked.
     */
    public static int check(
            Graph forward,
            Graph differentiated,
            Output.Kind kind,
            Bindings at,
            Iterable<String> leaves,
            BiPredicate<String, Integer> skip) {
        Evaluator.Values values = Evaluator.evaluate(differentiated, at);
        int checked = 0;
        for (String leaf : leaves) {
            double[] gradient = values.gradient(leaf);
            double[] point = at.values().get(leaf);
            for (int i = 0; i < gradient.length; i++) {
                if (skip.test(leaf, i)) {
                    continue;
                }
                // A step far below |x| keeps log, sqrt and powers inside their domain (and their
                // truncation error small) at x = 1e-8.
                double h = point[i] == 0 ? EPS : Math.min(EPS, Math.abs(point[i]) * 1e-3);
                double n = numeric(forward, kind, at, leaf, i, h);
                int element = i;
                assertTrue(
                        close(gradient[i], n),
                        () -> "d/d" + leaf + "[" + element + "] at " + point[element] + ": analytic "
                                + gradient[element] + ", numeric " + n + "\n" + GraphPrinter.print(differentiated));
                checked++;
            }
        }
        return checked;
    }

    /** Bindings from alternating names and values. */
    public static Bindings bind(Object... namesAndValues) {
        Map<String, double[]> map = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], (double[]) namesAndValues[i + 1]);
        }
        return Bindings.of(map);
    }
}
