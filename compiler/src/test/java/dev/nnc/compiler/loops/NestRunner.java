package dev.nnc.compiler.loops;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the integer part of a nest without enclosing names: which scratch array each cell store
 * or run writes, at which column, in order ({@code "in 3"}), or with {@link #writes} also the
 * row and what is written there ({@code "p[2][5] = %0[7]"}). Enough to check that a scheduled
 * nest does what the lowered one did, whatever cuts and runs it became.
 */
final class NestRunner {
    private final Map<String, Integer> ints = new HashMap<>();
    private final List<String> visits = new ArrayList<>();
    private final boolean full;

    private NestRunner(boolean full) {
        this.full = full;
    }

    static List<String> visits(List<Stmt> nest) {
        NestRunner runner = new NestRunner(false);
        runner.block(nest);
        return runner.visits;
    }

    /** Every cell written, in order: the array, its row and column, and the literal or load written. */
    static List<String> writes(List<Stmt> nest) {
        NestRunner runner = new NestRunner(true);
        runner.block(nest);
        return runner.visits;
    }

    private void block(List<Stmt> body) {
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
            ints.put(let.name(), value(let.value()));
        } else if (stmt instanceof Stmt.Within within) {
            int p = value(within.position());
            boolean inside = (!within.low() || p >= 0) && (!within.high() || p < within.extent());
            block(inside ? within.body() : within.otherwise());
        } else if (stmt instanceof Stmt.Split split) {
            int from = Math.min(split.extent(), bound(split.first()));
            if (split.from() instanceof Bound.Named name) {
                ints.put(name.name(), from);
            }
            if (split.to() instanceof Bound.Named name) {
                ints.put(name.name(), Math.max(bound(split.from()), bound(split.end())));
            }
        } else if (stmt instanceof Stmt.Run run) {
            for (int v = bound(run.from()); v < bound(run.to()); v++) {
                ints.put(run.variable(), v);
                visit(run.array(), run.row(), run.column(), run.value());
            }
            ints.remove(run.variable());
        } else if (stmt instanceof Stmt.StoreCell cell) {
            visit(cell.array(), cell.row(), cell.column(), cell.value());
        } else {
            throw new IllegalArgumentException("not run here: " + stmt);
        }
    }

    private void visit(String array, Affine row, Affine column, Value written) {
        if (!full) {
            visits.add(array + " " + value(column));
            return;
        }
        String what;
        if (written instanceof Value.Literal literal) {
            what = Double.toString(literal.value());
        } else if (written instanceof Value.Load load && load.place() instanceof Place.At at) {
            what = "%" + load.node() + "[" + value(at.position()) + "]";
        } else {
            throw new IllegalArgumentException("not run here: " + written);
        }
        visits.add(array + "[" + value(row) + "][" + value(column) + "] = " + what);
    }

    private int bound(Bound bound) {
        if (bound instanceof Bound.Fixed fixed) {
            return fixed.value();
        }
        if (bound instanceof Bound.Named named) {
            return ints.get(named.name());
        }
        if (bound instanceof Bound.FirstFrom first) {
            return Math.max(0, -Math.floorDiv(-value(first.numerator()), first.divisor()));
        }
        Bound.EndBy end = (Bound.EndBy) bound;
        return Math.min(end.extent(), Math.floorDiv(value(end.numerator()), end.divisor()) + 1);
    }

    private int value(Affine a) {
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
