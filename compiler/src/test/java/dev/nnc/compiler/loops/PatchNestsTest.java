package dev.nnc.compiler.loops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.graph.Window;
import dev.nnc.compiler.semantic.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The scheduled patch copies write what their lowering writes: every cell, in the same order,
 * the same input element or zero, over random windows (kernels, strides, paddings, dilations,
 * 1-D and 2-D, by tap and by position), so that the cuts, hoisted cuts and runs of the scheduler
 * change the form of the loops and nothing they do.
 */
class PatchNestsTest {

    @Test
    void scheduledPatchesWriteWhatTheLoweredOnesWrite() {
        SplittableRandom random = new SplittableRandom(32);
        for (int trial = 0; trial < 400; trial++) {
            boolean twoD = random.nextBoolean();
            int rank = twoD ? 2 : 1;
            int[] kernel = new int[rank];
            int[] stride = new int[rank];
            int[] padding = new int[rank];
            int[] dilation = new int[rank];
            int[] size = new int[rank];
            for (int a = 0; a < rank; a++) {
                kernel[a] = 1 + random.nextInt(3);
                stride[a] = 1 + random.nextInt(2);
                padding[a] = random.nextInt(4);
                dilation[a] = 1 + random.nextInt(2);
                int reach = dilation[a] * (kernel[a] - 1);
                size[a] = Math.max(1, reach + 1 - 2 * padding[a]) + random.nextInt(4);
            }
            Shape input =
                    twoD ? Shape.of(1 + random.nextInt(2), size[0], size[1]) : Shape.of(1 + random.nextInt(2), size[0]);
            Window window = new Window(list(kernel), list(stride), list(padding), list(padding), list(dilation));
            WindowGeometry g = WindowGeometry.of(window, input);
            for (boolean byPosition : new boolean[] {false, true}) {
                for (boolean tapsOutside : new boolean[] {false, true}) {
                    List<Stmt> lowered = WindowNests.patches(g, 0, "p", byPosition, tapsOutside);
                    List<Stmt> scheduled = Scheduler.schedule(lowered);
                    String where = g + (byPosition ? " by position" : " by tap")
                            + (tapsOutside ? ", taps outside" : ", outputs outside") + ":\n"
                            + NestPrinter.print(scheduled);
                    assertEquals(NestRunner.writes(lowered), NestRunner.writes(scheduled), where);
                }
            }
        }
    }

    private static List<Integer> list(int[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}
