package dev.nnc.samples.functions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Evaluates the functions of {@code functions.nn} (the lecture's differentiation examples) through
 * the generated classes and prints each value and derivative next to the analytic formula.
 */
public final class FunctionsSample {

    /** The largest relative difference between generated and analytic results that counts as equal. */
    static final double TOLERANCE = 1e-12;

    static final double[] SCALAR_POINTS = {-1.5, -0.3, 0.7, 2.0};
    static final double[][] ROSENBROCK_POINTS = {{-1.2, 1.0}, {0.5, 0.5}, {2.0, 3.0}};
    static final double[][] CHAIN_POINTS = {{0.5, 2.0}, {-1.0, 0.3}, {1.5, -0.7}};

    /** The formulas as printed; each is implemented in {@link #comparisons()}. */
    static final String[][] FORMULAS = {
        {"Gauss(x) = exp(x^2)", "d/dx = 2 x exp(x^2)"},
        {"F(x) = sqrt(x^2 + exp(x^2))", "d/dx = x (1 + exp(x^2)) / F(x)"},
        {"LogisticLoss(x) = log(1 + exp(-x))", "d/dx = -1 / (1 + exp(x))"},
        {
            "Rosenbrock(p) = (1 - p0)^2 + 100 (p1 - p0^2)^2",
            "d/dp0 = -2 (1 - p0) - 400 p0 (p1 - p0^2),  d/dp1 = 200 (p1 - p0^2)"
        },
        {"Chain(x, y) = (a + sin a) y with a = x y", "d/dx = y^2 (1 + cos a),  d/dy = a + sin a + a (1 + cos a)"},
    };

    private FunctionsSample() {}

    /** Every function at every point, generated and analytic. */
    static List<Comparison> comparisons() {
        List<Comparison> all = new ArrayList<>();
        double[] one = new double[1];
        double[] two = new double[2];
        for (double x : SCALAR_POINTS) {
            double e = Math.exp(x * x);
            all.add(new Comparison(
                    "Gauss", new double[] {x}, Gauss.value(x), new double[] {Gauss.derivative(x)}, e, new double[] {
                        2 * x * e
                    }));
            double f = Math.sqrt(x * x + e);
            all.add(new Comparison(
                    "F", new double[] {x}, F.value(x), new double[] {F.derivative(x)}, f, new double[] {x * (1 + e) / f
                    }));
            // log1p keeps the analytic value exact where exp(-x) is small.
            all.add(new Comparison(
                    "LogisticLoss",
                    new double[] {x},
                    LogisticLoss.gradient(x, one),
                    one,
                    Math.log1p(Math.exp(-x)),
                    new double[] {-1 / (1 + Math.exp(x))}));
        }
        for (double[] p : ROSENBROCK_POINTS) {
            double u = p[1] - p[0] * p[0];
            all.add(new Comparison(
                    "Rosenbrock",
                    p,
                    Rosenbrock.gradient(p, two),
                    two,
                    (1 - p[0]) * (1 - p[0]) + 100 * u * u,
                    new double[] {-2 * (1 - p[0]) - 400 * p[0] * u, 200 * u}));
        }
        for (double[] p : CHAIN_POINTS) {
            double x = p[0];
            double y = p[1];
            double a = x * y;
            all.add(new Comparison("Chain", p, Chain.gradient(x, y, two), two, (a + Math.sin(a)) * y, new double[] {
                y * y * (1 + Math.cos(a)), a + Math.sin(a) + a * (1 + Math.cos(a))
            }));
        }
        return all;
    }

    /** Prints one table per function: nnc's numbers, the formula's, and their relative difference. */
    public static void main(String[] args) {
        List<Comparison> all = comparisons();
        double worst = 0;
        for (String[] formula : FORMULAS) {
            String name = formula[0].substring(0, formula[0].indexOf('('));
            System.out.println(formula[0]);
            System.out.println("    " + formula[1]);
            System.out.printf(
                    Locale.ROOT, "    %-14s %-10s %22s %22s  %s%n", "point", "", "nnc", "formula", "rel. diff");
            for (Comparison c : all) {
                if (!c.function().equals(name)) {
                    continue;
                }
                String point = format(c.point());
                print(point, "value", c.value(), c.exactValue());
                String[] labels = c.gradient().length == 1 ? new String[] {"d/dx"} : gradientLabels(name);
                for (int i = 0; i < labels.length; i++) {
                    print("", labels[i], c.gradient()[i], c.exactGradient()[i]);
                }
                worst = Math.max(worst, c.maxRelativeError());
            }
            System.out.println();
        }
        System.out.printf(
                Locale.ROOT,
                "%d points; largest relative difference %.1e (tolerance %.0e)%n",
                all.size(),
                worst,
                TOLERANCE);
    }

    private static String[] gradientLabels(String function) {
        return function.equals("Rosenbrock") ? new String[] {"d/dp0", "d/dp1"} : new String[] {"d/dx", "d/dy"};
    }

    private static void print(String point, String what, double nnc, double formula) {
        System.out.printf(
                Locale.ROOT,
                "    %-14s %-10s %22.15g %22.15g  %.1e%n",
                point,
                what,
                nnc,
                formula,
                Comparison.relativeError(nnc, formula));
    }

    private static String format(double[] point) {
        StringBuilder sb = new StringBuilder();
        for (double v : point) {
            sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", v));
        }
        return point.length == 1 ? "x = " + sb : "(" + sb + ")";
    }
}
