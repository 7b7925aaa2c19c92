package dev.nnc.compiler.loops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.graph.Bindings;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.Origin;
import dev.nnc.compiler.graph.SpatialOp;
import dev.nnc.compiler.graph.Window;
import dev.nnc.compiler.semantic.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A convolution's products over its patches as the loop-nest stage names them: the expected IR of
 * the forward product, and the nests of a convolution and of the products of its two gradients run
 * by {@link NestEvaluator} against the graph's own evaluation of the ops (PyTorch's definitions),
 * over random windows: kernels, strides, paddings, dilations, 1-D and 2-D, by tap and by position.
 */
class ConvolutionProductsTest {

    @Test
    void aConvolutionByTapEndsInOneProductOfTheWeightAndThePatchesFromTheBias() {
        Convolution c = new Convolution(
                window(List.of(2, 2), List.of(1, 1), List.of(0, 0), List.of(1, 1)), Shape.of(1, 3, 3), 2);
        List<Stmt> nest = Loops.convolutionByTap(c.conv(), "patches");
        assertEquals(
                "product f < 2, o < 4: %3[f * 4 + o] = %2[f] + Σ k < 4: %1[f * 4 + k] patches[k][o]",
                lastLine(NestPrinter.print(nest)));
        List<Stmt> byPosition = Loops.convolutionByPosition(c.conv(), "positions", "columns");
        assertEquals(
                "product o < 4, f < 2: %3[f * 4 + o] = %2[f] + Σ k < 4: positions[o][k] columns[k][f]",
                lastLine(NestPrinter.print(byPosition)));
    }

    @Test
    void aConvolutionsNestComputesTheConvolutionByTapAndByPosition() {
        SplittableRandom random = new SplittableRandom(15);
        for (int trial = 0; trial < 60; trial++) {
            Convolution c = Convolution.random(random);
            double[] expected =
                    c.conv().op().evaluate(List.of(c.x, c.w, c.bias), c.conv().shape(), Bindings.of(Map.of()));
            for (boolean byPosition : new boolean[] {false, true}) {
                Map<String, double[][]> arrays = new HashMap<>();
                arrays.put(
                        "patches",
                        byPosition ? new double[c.outPlane()][c.depth()] : new double[c.depth()][c.outPlane()]);
                arrays.put("columns", byPosition ? c.weightColumns() : new double[0][0]);
                Map<Integer, double[][]> nodes =
                        c.values(new double[c.conv().shape().size()]);
                List<Stmt> nest = byPosition
                        ? Loops.convolutionByPosition(c.conv(), "patches", "columns")
                        : Loops.convolutionByTap(c.conv(), "patches");
                NestEvaluator.run(nest, nodes, arrays, 1);
                assertClose(expected, nodes.get(3)[0], c + (byPosition ? " by position" : " by tap"));
            }
        }
    }

    @Test
    void theInputGradientsProductsGiveThePatchGradientsOfTheWeightTimesTheOutputGradient() {
        SplittableRandom random = new SplittableRandom(16);
        for (int trial = 0; trial < 40; trial++) {
            Convolution c = Convolution.random(random);
            double[] dy = randoms(random, c.conv().shape().size());
            Node grad = c.inputGradient();
            Graph graph = c.graph(grad);
            int op = c.outPlane();
            int depth = c.depth();
            // By tap: grads[k][o] = Σ_f w[f][k] dy[f][o], the output gradient's planes as rows.
            Map<String, double[][]> arrays = new HashMap<>();
            arrays.put("rows", RowMajor.rows(dy, c.filters, op));
            arrays.put("grads", new double[depth][op]);
            Map<Integer, double[][]> nodes = new HashMap<>();
            nodes.put(0, new double[][] {dy});
            nodes.put(1, new double[][] {c.w});
            NestEvaluator.run(Loops.inputGradientsByTap(grad, graph, "rows", "grads", op), nodes, arrays, 1);
            double[] byTap = new double[depth * op];
            // By position: grads[o][k] = Σ_f dy[f][o] w[f][k], the weight's rows as rows.
            arrays.put("rows", RowMajor.rows(c.w, c.filters, depth));
            arrays.put("positions", new double[op][depth]);
            NestEvaluator.run(Loops.inputGradientsByPosition(grad, graph, "rows", "positions"), nodes, arrays, 1);
            double[] byPosition = new double[depth * op];
            for (int k = 0; k < depth; k++) {
                for (int o = 0; o < op; o++) {
                    double s = 0;
                    for (int f = 0; f < c.filters; f++) {
                        s += c.w[f * depth + k] * dy[f * op + o];
                    }
                    byTap[k * op + o] = s;
                    byPosition[k * op + o] = s;
                }
            }
            assertClose(byTap, flat(arrays.get("grads")), c + " by tap");
            assertClose(byPosition, flat(transpose(arrays.get("positions"))), c + " by position");
            // Over rows wider than the planes (the output gradient widened to the padded input's
            // rows): the same sums over every column of the rows.
            int width = op + 3;
            double[] wide = randoms(random, c.filters * width);
            arrays.put("rows", RowMajor.rows(wide, c.filters, width));
            arrays.put("grads", new double[depth][width]);
            NestEvaluator.run(Loops.inputGradientsByTap(grad, graph, "rows", "grads", width), nodes, arrays, 1);
            double[] overRows = new double[depth * width];
            for (int k = 0; k < depth; k++) {
                for (int j = 0; j < width; j++) {
                    for (int f = 0; f < c.filters; f++) {
                        overRows[k * width + j] += c.w[f * depth + k] * wide[f * width + j];
                    }
                }
            }
            assertClose(overRows, flat(arrays.get("grads")), c + " over rows of " + width);
        }
    }

    @Test
    void theWeightGradientsProductIsTheOutputGradientTimesThePatchesByPosition() {
        SplittableRandom random = new SplittableRandom(17);
        for (int trial = 0; trial < 40; trial++) {
            Convolution c = Convolution.random(random);
            double[] dy = randoms(random, c.conv().shape().size());
            Node grad = c.weightGradient();
            // The patches by position, as the convolution's own nest copies them.
            Map<String, double[][]> arrays = new HashMap<>();
            arrays.put("positions", new double[c.outPlane()][c.depth()]);
            arrays.put("rows", new double[c.filters][c.depth()]);
            Map<Integer, double[][]> nodes = new HashMap<>();
            nodes.put(0, new double[][] {dy});
            nodes.put(1, new double[][] {c.x});
            WindowGeometry g = WindowGeometry.of(c.window, c.input);
            List<Stmt> nest = new ArrayList<>(Loops.patches(g, 1, "positions", true));
            nest.addAll(Loops.weightGradientRows(grad, "positions", "rows"));
            NestEvaluator.run(nest, nodes, arrays, 1);
            double[] expected = grad.op().evaluate(List.of(dy, c.x), grad.shape(), Bindings.of(Map.of()));
            assertClose(expected, flat(arrays.get("rows")), c.toString());
        }
    }

    /** {@code %0 = x}, {@code %1 = weight}, {@code %2 = bias}, {@code %3 = conv}. */
    private record Convolution(Window window, Shape input, int filters, double[] x, double[] w, double[] bias) {

        Convolution(Window window, Shape input, int filters) {
            this(window, input, filters, new double[input.size()], new double[0], new double[filters]);
        }

        static Convolution random(SplittableRandom random) {
            boolean twoD = random.nextBoolean();
            int rank = twoD ? 2 : 1;
            List<Integer> kernel = new ArrayList<>();
            List<Integer> stride = new ArrayList<>();
            List<Integer> padding = new ArrayList<>();
            List<Integer> dilation = new ArrayList<>();
            int[] size = new int[rank];
            for (int a = 0; a < rank; a++) {
                kernel.add(1 + random.nextInt(3));
                stride.add(1 + random.nextInt(2));
                padding.add(random.nextInt(3));
                dilation.add(1 + random.nextInt(2));
                int reach = dilation.get(a) * (kernel.get(a) - 1);
                size[a] = Math.max(1, reach + 1 - 2 * padding.get(a)) + random.nextInt(4);
            }
            int channels = 1 + random.nextInt(3);
            Shape input = twoD ? Shape.of(channels, size[0], size[1]) : Shape.of(channels, size[0]);
            Window window = ConvolutionProductsTest.window(kernel, stride, padding, dilation);
            int filters = 1 + random.nextInt(4);
            Shape weight = window.weight(filters, channels);
            return new Convolution(
                    window,
                    input,
                    filters,
                    randoms(random, input.size()),
                    randoms(random, weight.size()),
                    randoms(random, filters));
        }

        Node conv() {
            SpatialOp.Conv op = new SpatialOp.Conv(window, input, true);
            Shape weight = window.weight(filters, input.dim(0));
            return new Node(
                    3, op, List.of(0, 1, 2), op.shape(List.of(input, weight, Shape.vector(filters))), Origin.none());
        }

        /** {@code %0 = dy}, {@code %1 = weight}, {@code %2} the input gradient. */
        Node inputGradient() {
            return new Node(2, new SpatialOp.ConvInputGrad(window, input), List.of(0, 1), input, Origin.none());
        }

        /** {@code %0 = dy}, {@code %1 = x}, {@code %2} the weight gradient. */
        Node weightGradient() {
            return new Node(
                    2,
                    new SpatialOp.ConvWeightGrad(window, input),
                    List.of(0, 1),
                    window.weight(filters, input.dim(0)),
                    Origin.none());
        }

        /** A graph in which node 0 is the output gradient and node 1 the weight, for {@code grad}. */
        Graph graph(Node grad) {
            Shape out = conv().shape();
            Shape weight = window.weight(filters, input.dim(0));
            Node dy = new Node(0, new LeafOp.Input("dy", out, 0), List.of(), out, Origin.none());
            Node w = new Node(1, new LeafOp.Param("c.weight", weight), List.of(), weight, Origin.none());
            return new Graph(List.of(dy, w, grad), List.of());
        }

        int outPlane() {
            return conv().shape().size() / filters;
        }

        int depth() {
            return w.length / filters;
        }

        /** The weight's columns as rows, {@code [C kh kw][F]}. */
        double[][] weightColumns() {
            return RowMajor.columns(w, filters, depth());
        }

        Map<Integer, double[][]> values(double[] output) {
            Map<Integer, double[][]> nodes = new HashMap<>();
            nodes.put(0, new double[][] {x});
            nodes.put(1, new double[][] {w});
            nodes.put(2, new double[][] {bias});
            nodes.put(3, new double[][] {output});
            return nodes;
        }

        @Override
        public String toString() {
            return "conv of " + input + " by " + filters + " filters, " + window;
        }
    }

    private static Window window(
            List<Integer> kernel, List<Integer> stride, List<Integer> padding, List<Integer> dilation) {
        return new Window(kernel, stride, padding, padding, dilation);
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    private static double[] randoms(SplittableRandom random, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = random.nextDouble() * 2 - 1;
        }
        return out;
    }

    private static double[][] transpose(double[][] m) {
        double[][] out = new double[m[0].length][m.length];
        for (int r = 0; r < m.length; r++) {
            for (int c = 0; c < m[0].length; c++) {
                out[c][r] = m[r][c];
            }
        }
        return out;
    }

    private static double[] flat(double[][] rows) {
        return java.util.Arrays.stream(rows)
                .flatMapToDouble(java.util.Arrays::stream)
                .toArray();
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12 * (1 + Math.abs(expected[i])), what + ", element " + i);
        }
    }
}
