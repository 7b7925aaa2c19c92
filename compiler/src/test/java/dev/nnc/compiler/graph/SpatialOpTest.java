package dev.nnc.compiler.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.semantic.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference meaning of the window ops on small cases worked out by hand, as PyTorch defines them. */
class SpatialOpTest {
    private static final Bindings NONE = Bindings.of(java.util.Map.of());

    private static double[] evaluate(Op op, Shape out, double[]... args) {
        return op.evaluate(List.of(args), out, NONE);
    }

    @Test
    void outputSizesFollowPyTorchsFormula() {
        // floor((in + pb + pe - d (k - 1) - 1) / s) + 1
        Window window = new Window(List.of(3, 2), List.of(2, 3), List.of(1, 0), List.of(1, 1), List.of(2, 1));
        assertEquals(Shape.of(6, 3, 3), window.output(Shape.of(1, 7, 8), 6));
        assertEquals(0, Window.of(List.of(5), List.of(1)).outputSize(0, 4));
        assertEquals(false, Window.of(List.of(5), List.of(1)).fits(Shape.of(1, 4)));
    }

    @Test
    void convolutionIsACrossCorrelationWithZeroPadding() {
        Shape in = Shape.of(1, 3);
        Window window = new Window(List.of(2), List.of(1), List.of(1), List.of(0), List.of(1));
        // x = [1, 2, 3], w = [10, 1], bias 0.5, padded [0, 1, 2, 3]: y = [0*10+1, 1*10+2, 2*10+3] + 0.5
        double[] y = evaluate(
                new SpatialOp.Conv(window, in, true),
                Shape.of(1, 3),
                new double[] {1, 2, 3},
                new double[] {10, 1},
                new double[] {0.5});
        assertArrayEquals(new double[] {1.5, 12.5, 23.5}, y);
    }

    @Test
    void maxPoolSendsTheGradientToTheFirstMaximumInRowMajorOrder() {
        Shape in = Shape.of(1, 2, 2);
        Window window = Window.of(List.of(2, 2), List.of(2, 2));
        double[] x = {3, 3, 1, 3};
        double[] dx = evaluate(new SpatialOp.MaxPoolGrad(window, in), in, new double[] {7}, x, new double[] {3});
        assertArrayEquals(new double[] {7, 0, 0, 0}, dx);
    }

    @Test
    void aMaxPoolWindowWithANanGivesNanWhereverTheNanIs() {
        Shape in = Shape.of(1, 2, 4);
        Window window = Window.of(List.of(2, 2), List.of(2, 2));
        double[] x = {3, 1, Double.NaN, 2, 5, Double.NaN, 0, 4};
        double[] y = evaluate(new SpatialOp.MaxPool(window, in), Shape.of(1, 1, 2), x);
        assertArrayEquals(new double[] {Double.NaN, Double.NaN}, y);
    }

    @Test
    void maxPoolNeverPicksPadding() {
        Shape in = Shape.of(1, 2);
        Window window = new Window(List.of(2), List.of(2), List.of(1), List.of(1), List.of(1));
        double[] y = evaluate(new SpatialOp.MaxPool(window, in), Shape.of(1, 2), new double[] {-5, -7});
        assertArrayEquals(new double[] {-5, -7}, y);
    }

    @Test
    void averagePoolDividesByTheWholeWindowPaddingIncluded() {
        Shape in = Shape.of(1, 2);
        Window window = new Window(List.of(2), List.of(2), List.of(1), List.of(1), List.of(1));
        double[] y = evaluate(new SpatialOp.AvgPool(window, in), Shape.of(1, 2), new double[] {4, 6});
        assertArrayEquals(new double[] {2, 3}, y);
    }

    @Test
    void slicesAndConcatenationsMoveWholeRows() {
        double[] x = {1, 2, 3, 4, 5, 6};
        assertArrayEquals(new double[] {3, 4, 5, 6}, evaluate(new SpatialOp.Slice(1, 3), Shape.of(2, 2), x));
        assertArrayEquals(
                new double[] {0, 0, 1, 2, 0, 0},
                evaluate(new SpatialOp.Unslice(1, Shape.of(3, 2)), Shape.of(3, 2), new double[] {1, 2}));
        assertEquals(Shape.of(3, 2), new SpatialOp.Concat(2).shape(List.of(Shape.of(1, 2), Shape.of(2, 2))));
    }
}
