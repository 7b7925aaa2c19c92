package dev.nnc.compiler.loops;

import java.util.List;

/**
 * Replaces an integer name by an affine expression throughout statements: what running a loop
 * once, or inlining a constant {@link Stmt.Let}, does to its body. A well-formed nest never
 * declares a name that is already in scope (Java forbids it), so no scope hides the name.
 */
final class Substitution {
    private final String name;
    private final Affine value;

    Substitution(String name, Affine value) {
        this.name = name;
        this.value = value;
    }

    List<Stmt> apply(List<Stmt> body) {
        return body.stream().map(this::apply).toList();
    }

    Stmt apply(Stmt stmt) {
        if (stmt instanceof Stmt.Loop loop) {
            return new Stmt.Loop(
                    loop.variable(), loop.extent(), bound(loop.from()), bound(loop.to()), apply(loop.body()));
        }
        if (stmt instanceof Stmt.Let let) {
            return new Stmt.Let(let.name(), affine(let.value()));
        }
        if (stmt instanceof Stmt.Within within) {
            return new Stmt.Within(
                    affine(within.position()),
                    within.extent(),
                    within.low(),
                    within.high(),
                    apply(within.body()),
                    apply(within.otherwise()));
        }
        if (stmt instanceof Stmt.Split split) {
            // Not folded: a cut keeps declaring the names that the loops after it read.
            return new Stmt.Split(split.variable(), split.extent(), unfolded(split.first()), unfolded(split.end()));
        }
        if (stmt instanceof Stmt.Run run) {
            return new Stmt.Run(
                    run.variable(),
                    run.most(),
                    run.from(),
                    run.to(),
                    run.array(),
                    affine(run.row()),
                    affine(run.column()),
                    value(run.value()));
        }
        if (stmt instanceof Stmt.Declare declare) {
            return new Stmt.Declare(declare.name(), value(declare.initial()));
        }
        if (stmt instanceof Stmt.Assign assign) {
            return new Stmt.Assign(assign.name(), value(assign.value()));
        }
        if (stmt instanceof Stmt.Store store) {
            return new Stmt.Store(store.node(), place(store.place()), value(store.value()), store.accumulate());
        }
        if (stmt instanceof Stmt.StoreCell store) {
            return new Stmt.StoreCell(store.array(), affine(store.row()), affine(store.column()), value(store.value()));
        }
        if (stmt instanceof Stmt.Position || stmt instanceof Stmt.ZeroIfInfinite) {
            return stmt;
        }
        if (stmt instanceof Stmt.KeepFirstMaximum keep) {
            return new Stmt.KeepFirstMaximum(keep.position(), keep.best(), keep.candidate(), affine(keep.at()));
        }
        if (stmt instanceof Stmt.KeepFirstEqual keep) {
            return new Stmt.KeepFirstEqual(keep.position(), keep.target(), value(keep.candidate()), affine(keep.at()));
        }
        if (stmt instanceof Stmt.IfNotNaN test) {
            return new Stmt.IfNotNaN(test.name(), apply(test.body()), apply(test.otherwise()));
        }
        if (stmt instanceof Stmt.Product || stmt instanceof Stmt.OuterSum || stmt instanceof Stmt.PatchProduct) {
            // Its rows are the samples' and its bounds numbers or the tile's count: no index.
            return stmt;
        }
        if (stmt instanceof Stmt.Activate a) {
            // The run binds its own variable, which a well-formed nest never substitutes.
            return new Stmt.Activate(
                    a.variable(), a.array(), affine(a.row()), a.from(), a.count(), a.function(), value(a.value()));
        }
        throw new IllegalStateException("unknown statement " + stmt);
    }

    Value value(Value v) {
        if (v instanceof Value.Load load) {
            return new Value.Load(load.node(), place(load.place()));
        }
        if (v instanceof Value.Elementwise e) {
            return new Value.Elementwise(e.node(), place(e.place()));
        }
        if (v instanceof Value.Cell cell) {
            return new Value.Cell(cell.array(), affine(cell.row()), affine(cell.column()));
        }
        if (v instanceof Value.Sum sum) {
            return new Value.Sum(value(sum.left()), value(sum.right()));
        }
        if (v instanceof Value.Product p) {
            return new Value.Product(value(p.left()), value(p.right()));
        }
        if (v instanceof Value.Quotient q) {
            return new Value.Quotient(value(q.left()), value(q.right()));
        }
        if (v instanceof Value.Difference d) {
            return new Value.Difference(value(d.left()), value(d.right()));
        }
        if (v instanceof Value.Maximum max) {
            return new Value.Maximum(value(max.left()), value(max.right()));
        }
        if (v instanceof Value.Positive p) {
            return new Value.Positive(value(p.test()), value(p.then()));
        }
        if (v instanceof Value.Call call) {
            return new Value.Call(call.function(), value(call.argument()));
        }
        if (v instanceof Value.Total total) {
            // The axes bind their own variables, which a well-formed nest never substitutes.
            return new Value.Total(total.axes(), value(total.term()));
        }
        return v;
    }

    private Place place(Place place) {
        return place instanceof Place.At at ? Place.at(affine(at.position())) : place;
    }

    private Bound bound(Bound b) {
        if (b instanceof Bound.FirstFrom first) {
            return new Bound.FirstFrom(affine(first.numerator()), first.divisor()).folded();
        }
        if (b instanceof Bound.EndBy end) {
            return new Bound.EndBy(end.extent(), affine(end.numerator()), end.divisor()).folded();
        }
        return b;
    }

    private Bound unfolded(Bound b) {
        if (b instanceof Bound.FirstFrom first) {
            return new Bound.FirstFrom(affine(first.numerator()), first.divisor());
        }
        if (b instanceof Bound.EndBy end) {
            return new Bound.EndBy(end.extent(), affine(end.numerator()), end.divisor());
        }
        return b;
    }

    private Affine affine(Affine a) {
        return a.substitute(name, value);
    }
}
