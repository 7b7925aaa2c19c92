package dev.nnc.compiler.loops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A weight's gradient over a tile as the loop-nest stage names it. */
class TileOuterSumNestTest {

    private static final double[][] DY = {{1, 2}, {-1, 0.5}};
    private static final double[][] X = {{3, 0, -2}, {1, 4, 0.25}};

    /** dW = Σ_b dy[b] x[b]^T of a weight [2, 3], by columns: column c of dW is row c of the array. */
    private static double[][] denseGradient() {
        double[][] byColumns = new double[3][2];
        for (int c = 0; c < 3; c++) {
            for (int r = 0; r < 2; r++) {
                byColumns[c][r] = DY[0][r] * X[0][c] + DY[1][r] * X[1][c];
            }
        }
        return byColumns;
    }

    @Test
    void aDenseLayersWeightGradientIsOneOuterSumThatClearsOnTheFirstTile() {
        List<Stmt> nest = Loops.tileOuterSum(
                0, 1, new Stmt.OuterSum.Sums("d_w", false), 1, 2, 3, 4, Optional.of("freshGradient"));
        assertEquals(
                "outer sum b < m: d_w[c] += %1[c] %0 (3 x 2), cleared first while freshGradient\n",
                NestPrinter.print(nest));

        double[][] fresh = run(nest, 1, new double[][] {{9, 9}, {9, 9}, {9, 9}});
        assertArrayEquals(denseGradient(), fresh);

        double[][] added = run(nest, 0, new double[][] {{1, 0}, {0, 1}, {2, 2}});
        double[][] expected = denseGradient();
        expected[0][0] += 1;
        expected[1][1] += 1;
        expected[2][0] += 2;
        expected[2][1] += 2;
        assertArrayEquals(expected, added);
    }

    @Test
    void aProductOverASamplesRowsSumsEveryTermOfEverySampleIntoAFlatGradient() {
        // g[i][j] += Σ_b Σ_t u[b][t][i] v[b][t][j] of a weight [2, 3] stored flat: the scalars are
        // u's rows ([terms][2]), the rows v's ([terms][3]).
        List<Stmt> nest = Loops.tileOuterSum(1, 0, new Stmt.OuterSum.Sums("g", true), 2, 3, 2, 4, Optional.empty());
        assertEquals("outer sum b < m: t < 2: g[c * 3...] += %0[t][c] %1[t] (2 x 3)\n", NestPrinter.print(nest));
        double[][] u = {{1, 2, 3, 4}, {0.5, -1, 2, 0}};
        double[][] v = {{1, 0, -1, 2, 2, 2}, {3, 1, 0, -2, 0.5, 1}};
        Map<Integer, double[][]> nodes = new HashMap<>();
        nodes.put(0, u);
        nodes.put(1, v);
        double[][] g = {{0, 0, 0, 0, 0, 10}};
        NestEvaluator.run(nest, nodes, Map.of("g", g), 2);
        double[] expected = new double[6];
        expected[5] = 10;
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 2; t++) {
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 3; j++) {
                        expected[i * 3 + j] += u[b][t * 2 + i] * v[b][t * 3 + j];
                    }
                }
            }
        }
        assertArrayEquals(expected, g[0], 1e-15);
    }

    /** The nest after a declaration of its flag, over the two samples, adding to {@code start}. */
    private static double[][] run(List<Stmt> nest, double flag, double[][] start) {
        Map<Integer, double[][]> nodes = new HashMap<>();
        nodes.put(0, DY);
        nodes.put(1, X);
        List<Stmt> withFlag = new ArrayList<>();
        withFlag.add(new Stmt.Declare("freshGradient", new Value.Literal(flag)));
        withFlag.addAll(nest);
        NestEvaluator.run(withFlag, nodes, Map.of("d_w", start), 2);
        return start;
    }
}
