package dev.nnc.compiler.loops;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The control flow of a nest run in a test: loops, lets, guards, cuts and runs over the integers
 * they bind. What a statement writes is the subclass's: {@link NestRunner} records where, {@link
 * NestEvaluator} computes what.
 */
abstract class NestInterpreter {
    /** The integers in scope: loop variables, lets, the names a cut declares, a tile's count. */
    protected final Map<String, Integer> ints = new HashMap<>();

    protected final void block(List<Stmt> body) {
        body.forEach(this::statement);
    }

    private void statement(Stmt stmt) {
        if (stmt instanceof Stmt.Loop loop) {
            for (int v = bound(loop.from()); v < bound(loop.to()); v++) {
                ints.put(loop.variable(), v);
                block(loop.body());
            }
            ints.remove(loop.variable());
        } else if (stmt instanceof Stmt.Let let) {
            ints.put(let.name(), index(let.value()));
        } else if (stmt instanceof Stmt.Within within) {
            int p = index(within.position());
            boolean inside = (!within.low() || p >= 0) && (!within.high() || p < within.extent());
            block(inside ? within.body() : within.otherwise());
        } else if (stmt instanceof Stmt.Split split) {
            if (split.from() instanceof Bound.Named name) {
                ints.put(name.name(), Math.min(split.extent(), bound(split.first())));
            }
            if (split.to() instanceof Bound.Named name) {
                ints.put(name.name(), Math.max(bound(split.from()), bound(split.end())));
            }
        } else if (stmt instanceof Stmt.Run run) {
            for (int v = bound(run.from()); v < bound(run.to()); v++) {
                ints.put(run.variable(), v);
                write(run.array(), run.row(), run.column(), run.value());
            }
            ints.remove(run.variable());
        } else if (stmt instanceof Stmt.StoreCell cell) {
            write(cell.array(), cell.row(), cell.column(), cell.value());
        } else {
            other(stmt);
        }
    }

    /** {@code array[row][column] = value}, of a run or a cell store. */
    protected abstract void write(String array, Affine row, Affine column, Value value);

    /** Any statement that is neither control flow nor a write into a scratch row. */
    protected void other(Stmt stmt) {
        throw new IllegalArgumentException("not run here: " + stmt);
    }

    protected final int bound(Bound bound) {
        if (bound instanceof Bound.Fixed fixed) {
            return fixed.value();
        }
        if (bound instanceof Bound.Named named) {
            return ints.get(named.name());
        }
        if (bound instanceof Bound.FirstFrom first) {
            return Math.max(0, -Math.floorDiv(-index(first.numerator()), first.divisor()));
        }
        Bound.EndBy end = (Bound.EndBy) bound;
        return Math.min(end.extent(), Math.floorDiv(index(end.numerator()), end.divisor()) + 1);
    }

    protected final int index(Affine a) {
        int v = a.constant();
        for (Affine.Term t : a.terms()) {
            Integer known = ints.get(t.name());
            if (known == null) {
                throw new IllegalArgumentException("unknown name " + t.name() + " in " + a.text());
            }
            v += t.coefficient() * known;
        }
        return v;
    }
}
