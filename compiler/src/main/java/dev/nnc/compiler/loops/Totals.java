package dev.nnc.compiler.loops;

import dev.nnc.compiler.loops.Stmt.Assign;
import dev.nnc.compiler.loops.Stmt.Declare;
import dev.nnc.compiler.loops.Stmt.Loop;
import dev.nnc.compiler.loops.Stmt.Store;
import dev.nnc.compiler.loops.Value.Axis;
import dev.nnc.compiler.loops.Value.Literal;
import dev.nnc.compiler.loops.Value.Local;
import dev.nnc.compiler.loops.Value.Total;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The forms the {@link Scheduler} gives a {@link Total}. Every form adds the same terms in the
 * same order, so none changes a bit (but the sign of a zero total: the loops start from
 * {@code 0}, the unrolled chain from the first term).
 */
final class Totals {
    /** The accumulator of a total stored into an element that a loop indexes. */
    static final String ACCUMULATOR = "acc";

    private Totals() {}

    /**
     * The loop form of {@code stmt} if it is the store or declaration of a total: a local's total
     * adds into the local; a total stored at a fixed place adds in place; one stored where a loop
     * indexes adds into {@link #ACCUMULATOR}, stored once at the end, rather than into memory
     * every step.
     */
    static Optional<List<Stmt>> accumulated(Stmt stmt) {
        if (stmt instanceof Declare declare && declare.initial() instanceof Total total) {
            List<Stmt> out = new ArrayList<>();
            out.add(new Declare(declare.name(), new Literal(0)));
            out.add(loops(total, term -> new Assign(declare.name(), new Value.Sum(new Local(declare.name()), term))));
            return Optional.of(out);
        }
        if (stmt instanceof Store store && store.value() instanceof Total total && !store.accumulate()) {
            List<Stmt> out = new ArrayList<>();
            if (store.place() instanceof Place.At at && at.position().isConstant()) {
                out.add(new Store(store.node(), store.place(), new Literal(0), false));
                out.add(loops(total, term -> new Store(store.node(), store.place(), term, true)));
            } else {
                out.add(new Declare(ACCUMULATOR, new Literal(0)));
                out.add(loops(total, term -> new Assign(ACCUMULATOR, new Value.Sum(new Local(ACCUMULATOR), term))));
                out.add(new Store(store.node(), store.place(), new Local(ACCUMULATOR), false));
            }
            return Optional.of(out);
        }
        return Optional.empty();
    }

    /**
     * {@code t0 + t1 + ...}: the total's terms at every point of its axes, the last axis fastest,
     * added from the first.
     */
    static Value chain(Total total) {
        List<Value> terms = new ArrayList<>();
        points(total.axes(), 0, total.term(), terms);
        Value sum = terms.get(0);
        for (int t = 1; t < terms.size(); t++) {
            sum = new Value.Sum(sum, terms.get(t));
        }
        return sum;
    }

    /**
     * A row of totals whose terms run down columns, {@code for o: y[o] = Σ_k x[k][o]}, as sums
     * along rows: {@code for o: y[o] = 0; for k: for o: y[o] += x[k][o]}. The inner loop then
     * reads consecutive elements, which C2 vectorises (a column has a stride), and each total
     * still adds its terms in order from zero. Only where every element the terms read moves by
     * one with {@code o} and by more with {@code k}, and none is the stored node's.
     */
    static Optional<List<Stmt>> alongRows(Loop loop) {
        if (!loop.isWhole()
                || loop.body().size() != 1
                || !(loop.body().get(0) instanceof Store store)
                || store.accumulate()
                || !(store.value() instanceof Total total)
                || total.axes().size() != 1
                || !(store.place() instanceof Place.At at)
                || at.position().coefficient(loop.variable()) != 1) {
            return Optional.empty();
        }
        String o = loop.variable();
        Axis k = total.axes().get(0);
        List<Value.Load> loads = new ArrayList<>();
        if (!loadsOnly(total.term(), loads)
                || loads.isEmpty()
                || !loads.stream()
                        .allMatch(l -> l.node() != store.node()
                                && l.place() instanceof Place.At p
                                && p.position().coefficient(o) == 1
                                && p.position().coefficient(k.variable()) > 1)) {
            return Optional.empty();
        }
        return Optional.of(List.of(
                new Loop(o, loop.extent(), List.of(new Store(store.node(), store.place(), new Literal(0), false))),
                new Loop(
                        k.variable(),
                        k.extent(),
                        List.of(new Loop(
                                o,
                                loop.extent(),
                                List.of(new Store(store.node(), store.place(), total.term(), true)))))));
    }

    /** Whether {@code v} reads only loads and literals, and the loads it reads (into {@code loads}). */
    private static boolean loadsOnly(Value v, List<Value.Load> loads) {
        if (v instanceof Value.Load load) {
            loads.add(load);
            return true;
        }
        if (v instanceof Value.Sum s) {
            return loadsOnly(s.left(), loads) && loadsOnly(s.right(), loads);
        }
        if (v instanceof Value.Product p) {
            return loadsOnly(p.left(), loads) && loadsOnly(p.right(), loads);
        }
        return v instanceof Literal;
    }

    /** {@code step(term)} inside loops over the total's axes, the first outermost. */
    private static Stmt loops(Total total, Function<Value, Stmt> step) {
        Stmt body = step.apply(total.term());
        List<Axis> axes = total.axes();
        for (int a = axes.size() - 1; a >= 0; a--) {
            body = new Loop(axes.get(a).variable(), axes.get(a).extent(), List.of(body));
        }
        return body;
    }

    private static void points(List<Axis> axes, int axis, Value term, List<Value> terms) {
        if (axis == axes.size()) {
            terms.add(term);
            return;
        }
        Axis a = axes.get(axis);
        for (int v = 0; v < a.extent(); v++) {
            Value at = new Substitution(a.variable(), Affine.constant(v)).value(term);
            points(axes, axis + 1, at, terms);
        }
    }
}
