package dev.nnc.compiler.loops;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs the integer part of a nest without enclosing names: which scratch array each cell store
 * or run writes, at which column, in order ({@code "in 3"}), or with {@link #writes} also the
 * row and what is written there ({@code "p[2][5] = %0[7]"}). Enough to check that a scheduled
 * nest does what the lowered one did, whatever cuts and runs it became.
 */
final class NestRunner extends NestInterpreter {
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

    @Override
    protected void write(String array, Affine row, Affine column, Value written) {
        if (!full) {
            visits.add(array + " " + index(column));
            return;
        }
        String what;
        if (written instanceof Value.Literal literal) {
            what = Double.toString(literal.value());
        } else if (written instanceof Value.Load load && load.place() instanceof Place.At at) {
            what = "%" + load.node() + "[" + index(at.position()) + "]";
        } else {
            throw new IllegalArgumentException("not run here: " + written);
        }
        visits.add(array + "[" + index(row) + "][" + index(column) + "] = " + what);
    }
}
