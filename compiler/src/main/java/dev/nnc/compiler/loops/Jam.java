package dev.nnc.compiler.loops;

import dev.nnc.compiler.loops.Stmt.Assign;
import dev.nnc.compiler.loops.Stmt.Declare;
import dev.nnc.compiler.loops.Stmt.Loop;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Unroll-and-jam of a table of reductions: two loops ({@code a}, {@code b}) around a sum
 * ({@code s = init; for r: s = s + term; store s}) become blocks of {@link #ROWS} by about
 * {@link #COLUMNS} sums carried through one pass of the reduction loop, and the leftover rows and
 * columns blocks of their own. C2 does not vectorise a floating-point reduction (it would reorder the
 * sum), so a lone sum waits on its own latency every step; eight independent sums keep the adder
 * busy and share their loads (each {@code a}-operand serves four sums, each {@code b}-operand
 * two). Every sum still adds its terms in order from {@code init}: the bits do not change.
 */
final class Jam {
    static final int ROWS = 2;
    static final int COLUMNS = 4;
    /** The shortest reduction worth blocking: below it the loop overhead is the cost. */
    static final int MIN_REDUCTION = 16;

    private Jam() {}

    /**
     * The loop jammed, with its leftovers, where it is a table of sums or a row of sums, or the
     * loop alone where it is neither. A row that is the {@code sole} statement of a loop's body is
     * left as it is, for that loop: the two may be a table, which shares loads that a row cannot.
     */
    static List<Stmt> apply(Loop outer, boolean sole) {
        Optional<Table> table = Table.of(outer);
        if (table.isEmpty()) {
            if (outer.body().size() == 1 && outer.body().get(0) instanceof Loop inner) {
                // A row left by the scheduler for this loop, which is no table: jammed inside it.
                Optional<Table> row = Table.row(inner);
                if (row.isPresent()) {
                    return List.of(
                            new Loop(outer.variable(), outer.extent(), outer.from(), outer.to(), row(row.get())));
                }
            }
            return sole ? List.of(outer) : Table.row(outer).map(Jam::row).orElse(List.of(outer));
        }
        Table t = table.get();
        int rowCount = t.outer.extent();
        int columnCount = t.inner.extent();
        int columnFactor = columnFactor(columnCount);
        int rows = rowCount - rowCount % ROWS;
        int columns = columnCount - columnCount % columnFactor;
        List<Stmt> out = new ArrayList<>();
        out.add(blocks(t, new Span(0, rows, ROWS), new Span(0, columns, columnFactor)));
        if (columns < columnCount) {
            out.add(blocks(t, new Span(0, rows, ROWS), new Span(columns, columnCount, 1)));
        }
        if (rows < rowCount) {
            out.add(blocks(t, new Span(rows, rowCount, 1), new Span(0, columns, columnFactor)));
            if (columns < columnCount) {
                out.add(blocks(t, new Span(rows, rowCount, 1), new Span(columns, columnCount, 1)));
            }
        }
        return out;
    }

    /**
     * How many columns a block takes: {@link #COLUMNS}, or a neighbour of it that divides the
     * columns, so that no column is left over to run as a lone sum at the full latency of its adds
     * (LeNet-5's first convolution has 25 weights per filter: five blocks of five).
     */
    private static int columnFactor(int columns) {
        for (int factor : new int[] {COLUMNS, COLUMNS + 1, COLUMNS - 1}) {
            if (columns % factor == 0) {
                return factor;
            }
        }
        return COLUMNS;
    }

    /**
     * A row of sums, {@code for a: { s = init; for r: s = s + term; store(s) }}: blocks of {@link
     * #COLUMNS} sums (5 or 3 where that divides the row) carried through one pass of the reduction,
     * and the leftover sums one at a time. Each sum's adds wait on the one before; a block keeps
     * that many chains in flight (a convolution's bias gradient, one sum over a plane per filter,
     * waited on every add).
     */
    private static List<Stmt> row(Table t) {
        int count = t.inner.extent();
        int factor = columnFactor(count);
        int blocked = count - count % factor;
        List<Stmt> out = new ArrayList<>();
        if (blocked > 0) {
            out.add(alone(blocks(t, new Span(0, 1, 1), new Span(0, blocked, factor))));
        }
        if (blocked < count) {
            out.add(alone(blocks(t, new Span(0, 1, 1), new Span(blocked, count, 1))));
        }
        return out;
    }

    /** The loop inside the table's outer loop of one iteration, whose variable nothing reads. */
    private static Stmt alone(Stmt blocks) {
        return ((Loop) blocks).body().get(0);
    }

    /** Indices {@code from} to {@code to} of a loop, in blocks of {@code factor}. */
    private record Span(int from, int to, int factor) {}

    /**
     * The sums of rows {@code rows} by columns {@code columns}, a block of {@code rows.factor} by
     * {@code columns.factor} sums at a time; a factor of 1 runs the table's own loop over its span.
     */
    private static Stmt blocks(Table t, Span rows, Span columns) {
        String a = t.outer.variable();
        String b = t.inner.variable();
        String rowVariable = rows.factor() == 1 ? a : a + "Block";
        String columnVariable = columns.factor() == 1 ? b : b + "Block";
        List<Stmt> declarations = new ArrayList<>();
        List<Stmt> steps = new ArrayList<>();
        List<Stmt> stores = new ArrayList<>();
        for (int i = 0; i < rows.factor(); i++) {
            for (int j = 0; j < columns.factor(); j++) {
                String sum = rows.factor() * columns.factor() == 1 ? t.sum : t.sum + i + j;
                Substitution rowAt = new Substitution(a, position(rowVariable, rows, i));
                Substitution columnAt = new Substitution(b, position(columnVariable, columns, j));
                Declare init = (Declare) columnAt.apply(rowAt.apply(t.init));
                declarations.add(new Declare(sum, init.initial()));
                Assign step = (Assign) columnAt.apply(rowAt.apply(t.step));
                Value term = ((Value.Sum) step.value()).right();
                steps.add(new Assign(sum, new Value.Sum(new Value.Local(sum), term)));
                stores.add(t.withSum(columnAt.apply(rowAt.apply(t.store)), sum));
            }
        }
        List<Stmt> body = new ArrayList<>(declarations);
        body.add(new Loop(t.reduction.variable(), t.reduction.extent(), steps));
        body.addAll(stores);
        return loop(rowVariable, rows, List.of(loop(columnVariable, columns, body)));
    }

    /** Where element {@code offset} of the current block of {@code span} is: {@code block·factor + from + offset}. */
    private static Affine position(String variable, Span span, int offset) {
        if (span.factor() == 1) {
            return Affine.of(variable);
        }
        return Affine.of(variable).times(span.factor()).plus(span.from() + offset);
    }

    private static Loop loop(String variable, Span span, List<Stmt> body) {
        if (span.factor() == 1) {
            return new Loop(variable, span.to(), new Bound.Fixed(span.from()), new Bound.Fixed(span.to()), body);
        }
        return new Loop(variable, (span.to() - span.from()) / span.factor(), body);
    }

    /**
     * {@code for a: for b: { s = init; for r: s = s + term; store(s) }}, both loops whole and the
     * reduction the only thing that touches {@code s}.
     */
    private record Table(Loop outer, Loop inner, String sum, Declare init, Loop reduction, Assign step, Stmt store) {
        static Optional<Table> of(Loop outer) {
            return of(outer, ROWS, COLUMNS);
        }

        /** A table of at least {@code minRows} rows of at least {@code minColumns} sums. */
        private static Optional<Table> of(Loop outer, int minRows, int minColumns) {
            if (!outer.isWhole()
                    || outer.extent() < minRows
                    || outer.body().size() != 1
                    || !(outer.body().get(0) instanceof Loop inner)
                    || !inner.isWhole()
                    || inner.extent() < minColumns
                    || inner.body().size() != 3
                    || !(inner.body().get(0) instanceof Declare init)
                    || !(inner.body().get(1) instanceof Loop reduction)
                    || !reduction.isWhole()
                    || reduction.extent() < MIN_REDUCTION
                    || reduction.body().size() != 1
                    || !(reduction.body().get(0) instanceof Assign step)
                    || !step.name().equals(init.name())
                    || !(step.value() instanceof Value.Sum sum)
                    || !sum.left().equals(new Value.Local(init.name()))
                    || !storesOnly(inner.body().get(2), init.name())) {
                return Optional.empty();
            }
            return Optional.of(new Table(
                    outer,
                    inner,
                    init.name(),
                    init,
                    reduction,
                    step,
                    inner.body().get(2)));
        }

        /**
         * {@code for a: { s = init; for r: s = s + term; store(s) }} as a table of one row: its
         * outer loop a loop of one iteration (which the scheduler then removes) around {@code a}.
         */
        static Optional<Table> row(Loop loop) {
            String once = loop.variable() + "Row";
            if (Mentions.of(List.of(loop)).contains(once)) {
                return Optional.empty();
            }
            return of(new Loop(once, 1, List.of(loop)), 1, 2);
        }

        /** Whether {@code stmt} stores the sum {@code sum} and nothing else. */
        private static boolean storesOnly(Stmt stmt, String sum) {
            Value.Local local = new Value.Local(sum);
            return stmt instanceof Stmt.Store store && store.value().equals(local)
                    || stmt instanceof Stmt.StoreCell cell && cell.value().equals(local);
        }

        /** {@code store} (one of the table's stores, its place substituted) storing {@code sum} instead. */
        Stmt withSum(Stmt store, String name) {
            Value.Local local = new Value.Local(name);
            if (store instanceof Stmt.Store s) {
                return new Stmt.Store(s.node(), s.place(), local, s.accumulate());
            }
            Stmt.StoreCell cell = (Stmt.StoreCell) store;
            return new Stmt.StoreCell(cell.array(), cell.row(), cell.column(), local);
        }
    }
}
