package dev.nnc.compiler.loops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A dense layer's product over a tile as the loop-nest stage names it. */
class TileProductNestTest {

    @Test
    void aDenseLayersProductOverATileIsOneProductFromItsBias() {
        List<Stmt> nest = Loops.tileProduct(0, "columns", 2, Optional.of(1), 3, 2, 4);
        assertEquals("product b < m: %2 = %1[j] + %0 columns (3 x 2)\n", NestPrinter.print(nest));
        Map<Integer, double[][]> nodes = new HashMap<>();
        nodes.put(0, new double[][] {{1, 2, 3}, {-1, 0, 4}});
        nodes.put(1, new double[][] {{0.5, -0.5}});
        nodes.put(2, new double[2][2]);
        Map<String, double[][]> arrays = Map.of("columns", new double[][] {{1, 0}, {0, 1}, {2, -1}});
        NestEvaluator.run(nest, nodes, arrays, 2);
        assertEquals(List.of(7.5, -1.5), List.of(nodes.get(2)[0][0], nodes.get(2)[0][1]));
        assertEquals(List.of(7.5, -4.5), List.of(nodes.get(2)[1][0], nodes.get(2)[1][1]));
    }
}
