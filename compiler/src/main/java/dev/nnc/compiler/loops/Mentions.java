package dev.nnc.compiler.loops;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The names that statements read: the terms of their indices and bounds and the locals of their
 * values. The {@link Scheduler} asks it which {@link Stmt.Let lets} a part of a cut loop still
 * needs.
 */
final class Mentions {
    private final Set<String> names = new HashSet<>();

    private Mentions() {}

    static Set<String> of(List<Stmt> body) {
        Mentions mentions = new Mentions();
        mentions.block(body);
        return mentions.names;
    }

    private void block(List<Stmt> body) {
        body.forEach(this::statement);
    }

    private void statement(Stmt stmt) {
        if (stmt instanceof Stmt.Loop loop) {
            bound(loop.from());
            bound(loop.to());
            block(loop.body());
        } else if (stmt instanceof Stmt.Let let) {
            affine(let.value());
        } else if (stmt instanceof Stmt.Within within) {
            affine(within.position());
            block(within.body());
            block(within.otherwise());
        } else if (stmt instanceof Stmt.Split split) {
            bound(split.first());
            bound(split.end());
        } else if (stmt instanceof Stmt.Run run) {
            bound(run.from());
            bound(run.to());
            affine(run.row());
            affine(run.column());
            value(run.value());
        } else if (stmt instanceof Stmt.Declare declare) {
            value(declare.initial());
        } else if (stmt instanceof Stmt.Assign assign) {
            names.add(assign.name());
            value(assign.value());
        } else if (stmt instanceof Stmt.Store store) {
            place(store.place());
            value(store.value());
        } else if (stmt instanceof Stmt.StoreCell store) {
            affine(store.row());
            affine(store.column());
            value(store.value());
        } else if (stmt instanceof Stmt.ZeroIfInfinite zero) {
            names.add(zero.name());
        } else if (stmt instanceof Stmt.KeepFirstMaximum keep) {
            names.add(keep.position());
            names.add(keep.best());
            names.add(keep.candidate());
            affine(keep.at());
        } else if (stmt instanceof Stmt.KeepFirstEqual keep) {
            names.add(keep.position());
            names.add(keep.target());
            value(keep.candidate());
            affine(keep.at());
        } else if (stmt instanceof Stmt.IfNotNaN test) {
            names.add(test.name());
            block(test.body());
            block(test.otherwise());
        } else if (stmt instanceof Stmt.Product product) {
            bound(product.samples());
        } else if (stmt instanceof Stmt.OuterSum sum) {
            bound(sum.samples());
            sum.clearWhile().ifPresent(names::add);
        } else if (stmt instanceof Stmt.Activate activate) {
            affine(activate.row());
            Mentions inner = new Mentions();
            inner.value(activate.value());
            inner.names.remove(activate.variable());
            names.addAll(inner.names);
        }
    }

    private void value(Value v) {
        if (v instanceof Value.Local local) {
            names.add(local.name());
        } else if (v instanceof Value.Load load) {
            place(load.place());
        } else if (v instanceof Value.Elementwise e) {
            place(e.place());
        } else if (v instanceof Value.Cell cell) {
            affine(cell.row());
            affine(cell.column());
        } else if (v instanceof Value.Sum sum) {
            value(sum.left());
            value(sum.right());
        } else if (v instanceof Value.Product p) {
            value(p.left());
            value(p.right());
        } else if (v instanceof Value.Quotient q) {
            value(q.left());
            value(q.right());
        } else if (v instanceof Value.Difference d) {
            value(d.left());
            value(d.right());
        } else if (v instanceof Value.Maximum max) {
            value(max.left());
            value(max.right());
        } else if (v instanceof Value.Positive p) {
            value(p.test());
            value(p.then());
        } else if (v instanceof Value.Call call) {
            value(call.argument());
        } else if (v instanceof Value.Total total) {
            value(total.term());
        }
    }

    private void place(Place place) {
        if (place instanceof Place.At at) {
            affine(at.position());
        } else {
            names.add(((Place.Found) place).position());
        }
    }

    private void bound(Bound bound) {
        if (bound instanceof Bound.FirstFrom first) {
            affine(first.numerator());
        } else if (bound instanceof Bound.EndBy end) {
            affine(end.numerator());
        } else if (bound instanceof Bound.Named named) {
            names.add(named.name());
        }
    }

    private void affine(Affine a) {
        a.terms().forEach(t -> names.add(t.name()));
    }
}
