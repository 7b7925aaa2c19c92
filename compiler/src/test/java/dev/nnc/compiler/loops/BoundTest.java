package dev.nnc.compiler.loops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A guard narrowed into a loop's bounds visits exactly the iterations the guard let through. */
class BoundTest {

    @Test
    void narrowedBoundsVisitExactlyTheGuardedIterations() {
        for (int step = 1; step <= 3; step++) {
            for (int rest = -9; rest <= 9; rest++) {
                for (int extent = 1; extent <= 6; extent++) {
                    for (int limit = 1; limit <= 8; limit++) {
                        List<Integer> guarded = new ArrayList<>();
                        for (int v = 0; v < extent; v++) {
                            int position = step * v + rest;
                            if (position >= 0 && position < limit) {
                                guarded.add(v);
                            }
                        }
                        int from = value(new Bound.FirstFrom(Affine.constant(-rest), step).folded());
                        int to = value(new Bound.EndBy(extent, Affine.constant(limit - 1 - rest), step).folded());
                        List<Integer> narrowed = new ArrayList<>();
                        for (int v = from; v < to; v++) {
                            narrowed.add(v);
                        }
                        String where = "step " + step + ", rest " + rest + ", extent " + extent + ", limit " + limit;
                        assertEquals(guarded, narrowed, where);
                    }
                }
            }
        }
    }

    @Test
    void aCutLoopRunsItsBodyExactlyWhereTheGuardHoldsAndItsOtherwiseEverywhereElse() {
        // for v < extent: if 0 <= step·v + rest < limit then "in" else "out", cut by the scheduler
        // with rest an outer loop's variable, then run for each of its values.
        for (int step = 1; step <= 3; step++) {
            for (int offset = -9; offset <= 9; offset++) {
                for (int extent = 1; extent <= 6; extent++) {
                    for (int limit = 1; limit <= 8; limit++) {
                        Affine position =
                                Affine.of("v").times(step).plus("r", 1).plus(offset);
                        Stmt in = new Stmt.StoreCell("in", Affine.constant(0), Affine.of("v"), new Value.Literal(1));
                        Stmt out = new Stmt.StoreCell("out", Affine.constant(0), Affine.of("v"), new Value.Literal(1));
                        Stmt.Loop loop = new Stmt.Loop(
                                "v", extent, List.of(Stmt.Within.orElse(position, limit, List.of(in), List.of(out))));
                        List<Stmt> cut = Scheduler.schedule(List.of(new Stmt.Loop("r", 3, List.of(loop))));
                        List<String> expected = new ArrayList<>();
                        for (int r = 0; r < 3; r++) {
                            for (int v = 0; v < extent; v++) {
                                int p = step * v + r + offset;
                                expected.add((p >= 0 && p < limit ? "in " : "out ") + v);
                            }
                        }
                        String where = "step " + step + ", offset " + offset + ", extent " + extent + ", limit " + limit
                                + ":\n" + NestPrinter.print(cut);
                        assertEquals(expected, NestRunner.visits(cut), where);
                    }
                }
            }
        }
    }

    @Test
    void readsAsJavaWhereItDependsOnAnOuterLoop() {
        Affine rest = Affine.of("kx").times(-1).plus(2);
        assertEquals("Math.max(0, 2 - kx)", new Bound.FirstFrom(rest, 1).text());
        assertEquals("Math.max(0, Math.floorDiv(3 - kx, 2))", new Bound.FirstFrom(rest, 2).text());
        assertEquals("Math.min(14, 3 - kx)", new Bound.EndBy(14, rest, 1).text());
        assertEquals("Math.min(14, Math.floorDiv(2 - kx, 2) + 1)", new Bound.EndBy(14, rest, 2).text());
    }

    private static int value(Bound bound) {
        return ((Bound.Fixed) bound).value();
    }
}
