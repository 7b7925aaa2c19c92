package dev.nnc.compiler.loops;

import java.util.List;

/**
 * A statement of a loop nest. Names are scoped as in Java: a loop's variable and the names its
 * body declares live until the end of the body.
 */
public sealed interface Stmt {

    /**
     * {@code for (int variable = from; variable < to; variable++) body}, with {@code variable}
     * always in {@code [0, extent)}: the lowering runs it over all of that, the {@link Scheduler}
     * may narrow it to where a guard holds.
     */
    record Loop(String variable, int extent, Bound from, Bound to, List<Stmt> body) implements Stmt {
        public Loop {
            body = List.copyOf(body);
        }

        /** Over the whole extent. */
        public Loop(String variable, int extent, List<Stmt> body) {
            this(variable, extent, new Bound.Fixed(0), new Bound.Fixed(extent), body);
        }

        /** Whether it runs over its whole extent. */
        public boolean isWhole() {
            return from.equals(new Bound.Fixed(0)) && to.equals(new Bound.Fixed(extent));
        }
    }

    /** {@code int name = value}, never reassigned: a name for an index that reads better. */
    record Let(String name, Affine value) implements Stmt {}

    /**
     * Runs {@code body} only where {@code 0 <= position < extent}: a tap that may fall into the
     * padding. {@code low} and {@code high} say which of the two comparisons is still needed; the
     * lowering asks for both, and the {@link Scheduler} drops what the loop bounds prove.
     */
    record Within(Affine position, int extent, boolean low, boolean high, List<Stmt> body) implements Stmt {
        public Within {
            if (!low && !high) {
                throw new IllegalArgumentException("a guard with no comparison");
            }
            body = List.copyOf(body);
        }

        public static Within of(Affine position, int extent, List<Stmt> body) {
            return new Within(position, extent, true, true, body);
        }
    }

    /** Declares a numeric local: {@code T name = initial}. */
    record Declare(String name, Value initial) implements Stmt {}

    /** {@code name = value}, for a local of {@link Declare}. */
    record Assign(String name, Value value) implements Stmt {}

    /** {@code node[index] = value}, or {@code +=} when {@code accumulate}. */
    record Store(int node, Place place, Value value, boolean accumulate) implements Stmt {}

    /** {@code array[row][column] = value}, into a scratch array of rows (see {@link Value.Cell}). */
    record StoreCell(String array, Affine row, Affine column, Value value) implements Stmt {}

    /** Declares a position found at run time, {@code int name = -1}: none found yet. */
    record Position(String name) implements Stmt {}

    /**
     * Keeps the first maximum seen: where {@code position} is still unset or {@code candidate}
     * (a local) is greater than {@code best}, {@code best} takes it and {@code position} takes
     * {@code at}. A NaN is never greater, so it is never kept (unless it is the first).
     */
    record KeepFirstMaximum(String position, String best, String candidate, Affine at) implements Stmt {}
}
