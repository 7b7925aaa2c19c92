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

    /** The loop jammed, with its leftovers, or the loop alone where it is not a table of sums. */
    static List<Stmt> apply(Loop outer) {
        Optional<Table> table = Table.of(outer);
        if (table.isEmpty()) {
            return List.of(outer);
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
            if (!outer.isWhole()
                    || outer.extent() < ROWS
                    || outer.body().size() != 1
                    || !(outer.body().get(0) instanceof Loop inner)
                    || !inner.isWhole()
                    || inner.extent() < COLUMNS
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
