package dev.nnc.compiler.loops;

import dev.nnc.compiler.loops.Affine.Range;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a lowered nest into the one the emitter writes, without changing a single rounding:
 *
 * <ul>
 *   <li>a loop of one iteration is replaced by its body with the variable at 0 (a 1-D window is a
 *       2-D one of height 1, and its row loops vanish here);
 *   <li>a {@link Stmt.Let} of a constant is inlined;
 *   <li>each comparison of a {@link Stmt.Within} that the ranges of the enclosing loops prove is
 *       dropped, and the guard with it when both are: an unpadded pool tests nothing, a padded
 *       one tests only the sides its padding reaches;
 *   <li>a guard on an index that grows with its loop's variable becomes the loop's bounds, and
 *       where the guard has an {@code otherwise} the loop is cut in three ({@link Stmt.Split}):
 *       before, inside and after the range where it holds;
 *   <li>a cut that reads nothing a loop sets moves out of the loop;
 *   <li>a loop that stores a literal or consecutive elements of a node into a run of a scratch
 *       row becomes a {@link Stmt.Run}, which the emitter may write as one call;
 *   <li>a {@link Value.Total} becomes an accumulator and loops over its axes: into a local, in
 *       place at a fixed place, or into {@code acc} stored once where a loop indexes the store;
 *       a row of totals read down columns is summed along rows instead ({@link Totals});
 *   <li>a table of sums (two loops around a reduction) is unrolled and jammed into blocks of
 *       eight independent sums ({@link Jam}).
 * </ul>
 *
 * A body is spliced into its parent only where none of the names it declares is declared again
 * in the parent; otherwise the statement stays as it is, which is correct if not as short.
 */
final class Scheduler {
    private Scheduler() {}

    static List<Stmt> schedule(List<Stmt> nest) {
        return block(nest, Map.of(), false, true);
    }

    /**
     * The nest with every loop run out, each iteration its body with the variable a number:
     * straight-line code, one statement per element, and every {@link Value.Total} one sum from its
     * first term. Declarations only outside every loop, where nothing declares them again.
     */
    static List<Stmt> unrolled(List<Stmt> nest) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt stmt : nest) {
            if (stmt instanceof Stmt.Declare declare) {
                out.add(new Stmt.Declare(declare.name(), chained(declare.initial())));
            } else if (stmt instanceof Stmt.Assign || stmt instanceof Stmt.ZeroIfInfinite) {
                out.add(stmt);
            } else {
                out.addAll(unrolledInLoop(stmt));
            }
        }
        return out;
    }

    private static List<Stmt> unrolledInLoop(Stmt stmt) {
        if (!declaredNames(stmt).isEmpty()) {
            throw new IllegalArgumentException("cannot unroll a declaration: " + stmt);
        }
        if (stmt instanceof Stmt.Loop loop) {
            if (!loop.isWhole()) {
                throw new IllegalArgumentException("cannot unroll a narrowed loop: " + loop);
            }
            List<Stmt> out = new ArrayList<>();
            for (int v = 0; v < loop.extent(); v++) {
                for (Stmt s : new Substitution(loop.variable(), Affine.constant(v)).apply(loop.body())) {
                    out.addAll(unrolledInLoop(s));
                }
            }
            return out;
        }
        if (stmt instanceof Stmt.Store store) {
            return List.of(new Stmt.Store(store.node(), store.place(), chained(store.value()), store.accumulate()));
        }
        if (stmt instanceof Stmt.StoreCell || stmt instanceof Stmt.Assign) {
            return List.of(stmt);
        }
        throw new IllegalArgumentException("cannot unroll " + stmt);
    }

    private static Value chained(Value v) {
        return v instanceof Value.Total total ? Totals.chain(total) : v;
    }

    private static List<Stmt> block(List<Stmt> body, Map<String, Range> outer) {
        return block(body, outer, false, false);
    }

    /**
     * {@code body} scheduled; {@code loopBody} when it is the body of a loop, whose only statement,
     * a row of sums, is left for that loop to jam: the two may be a table. At the {@code top} of a
     * nest, whose scope the method's other statements share (another nest may declare the same
     * sums), a loop of one iteration is spliced only where its body declares nothing.
     */
    private static List<Stmt> block(List<Stmt> body, Map<String, Range> outer, boolean loopBody, boolean top) {
        Map<String, Range> ranges = new HashMap<>(outer);
        List<Stmt> pending = new ArrayList<>(body);
        List<Stmt> out = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            Stmt stmt = pending.get(i);
            Optional<List<Stmt>> total = stmt instanceof Stmt.Loop l ? Totals.alongRows(l) : Totals.accumulated(stmt);
            if (total.isPresent()) {
                // Scheduled in its place: a total at a fixed place only shows once the loops of
                // one iteration around it have gone.
                pending.addAll(i + 1, total.get());
                continue;
            }
            List<Stmt> rest = pending.subList(i + 1, pending.size());
            if (stmt instanceof Stmt.Loop loop && loop.extent() == 1 && loop.isWhole()) {
                // The body is scheduled before the question, since loops of one iteration inside
                // it may bring their declarations up to it. What it declares is out of scope for
                // the rest, so only the body needs its ranges.
                List<Stmt> once =
                        block(new Substitution(loop.variable(), Affine.constant(0)).apply(loop.body()), ranges);
                boolean declares =
                        once.stream().anyMatch(st -> !declaredNames(st).isEmpty());
                if (!(top && declares) && splices(once, out, rest)) {
                    out.addAll(once);
                } else {
                    out.add(new Stmt.Loop(loop.variable(), 1, once));
                }
            } else if (stmt instanceof Stmt.Loop loop) {
                Map<String, Range> inner = new HashMap<>(ranges);
                inner.put(loop.variable(), new Range(0, loop.extent() - 1L));
                for (Stmt part : narrowed(
                        new Stmt.Loop(
                                loop.variable(),
                                loop.extent(),
                                loop.from(),
                                loop.to(),
                                block(loop.body(), inner, true, false)),
                        ranges)) {
                    out.addAll(
                            part instanceof Stmt.Loop l
                                    ? jammed(hoisted(l, out, rest), ranges, loopBody && body.size() == 1, top)
                                    : List.of(part));
                }
            } else if (stmt instanceof Stmt.Let let && let.value().isConstant()) {
                List<Stmt> substituted = new Substitution(let.name(), let.value()).apply(List.copyOf(rest));
                rest.clear();
                rest.addAll(substituted);
            } else if (stmt instanceof Stmt.Let let) {
                let.value().range(ranges).ifPresent(r -> ranges.put(let.name(), r));
                out.add(let);
            } else if (stmt instanceof Stmt.Within within) {
                out.addAll(guard(within, ranges, out, rest));
            } else if (stmt instanceof Stmt.IfNotNaN test) {
                out.add(new Stmt.IfNotNaN(test.name(), block(test.body(), ranges), block(test.otherwise(), ranges)));
            } else {
                out.add(stmt);
            }
        }
        return out;
    }

    /**
     * {@code loop} unrolled and jammed where it is a table of sums ({@link Jam}), the blocks
     * scheduled in turn: a table of two rows is one block of rows, whose loop runs once.
     */
    private static List<Stmt> jammed(Stmt.Loop loop, Map<String, Range> ranges, boolean sole, boolean top) {
        List<Stmt> blocks = Jam.apply(loop, sole);
        return blocks.equals(List.of(loop)) ? blocks : block(blocks, ranges, false, top);
    }

    /**
     * {@code loop} without the {@link Stmt.Split}s of its body that read nothing the loop sets,
     * which join {@code out} before it: a row's cut depends on the tap, not on the row.
     */
    private static Stmt.Loop hoisted(Stmt.Loop loop, List<Stmt> out, List<Stmt> rest) {
        List<Stmt> body = new ArrayList<>();
        Set<String> set = new HashSet<>(Set.of(loop.variable()));
        for (Stmt s : loop.body()) {
            if (s instanceof Stmt.Split split
                    && Collections.disjoint(Mentions.of(List.of(split)), set)
                    && splices(List.of(split), out, rest)) {
                out.add(split);
            } else {
                body.add(s);
                set.addAll(declaredNames(s));
            }
        }
        return body.size() == loop.body().size()
                ? loop
                : new Stmt.Loop(loop.variable(), loop.extent(), loop.from(), loop.to(), body);
    }

    private static List<Stmt> guard(
            Stmt.Within within, Map<String, Range> ranges, List<Stmt> before, List<Stmt> after) {
        boolean low = within.low();
        boolean high = within.high();
        Optional<Range> range = within.position().range(ranges);
        if (range.isPresent()) {
            Range r = range.get();
            boolean never = r.max() < 0 || r.min() >= within.extent();
            boolean always = r.min() >= 0 && r.max() < within.extent();
            if (never && splices(within.otherwise(), before, after)) {
                return block(within.otherwise(), ranges);
            }
            if (always && splices(within.body(), before, after)) {
                return block(within.body(), ranges);
            }
            // Where a branch cannot join the block, the guard stays whole, its comparisons settled or not.
            if (!never && !always) {
                low &= r.min() < 0;
                high &= r.max() >= within.extent();
            }
        }
        return List.of(new Stmt.Within(
                within.position(),
                within.extent(),
                low,
                high,
                block(within.body(), ranges),
                block(within.otherwise(), ranges)));
    }

    /**
     * A loop whose body is lets and then a guard on an index that grows with the loop's variable
     * runs only where the guard holds: {@code for kx: let ix = ox·2 + kx - 1; if 0 <= ix < 28 ...}
     * becomes {@code for kx from max(0, 1 - ox·2) to min(kw, 29 - ox·2)}. The test per iteration,
     * a branch that goes either way along a padded row, becomes two bounds per loop. A guard with
     * an {@code otherwise} (a patch's zeros) cuts the loop in three instead, at the two places a
     * {@link Stmt.Split} computes: the otherwise before, the body between, the otherwise after.
     * Each loop that results is then a {@link Stmt.Run} where it is one.
     */
    private static List<Stmt> narrowed(Stmt.Loop loop, Map<String, Range> ranges) {
        List<Stmt> body = loop.body();
        if (!loop.isWhole() || body.isEmpty() || !(body.get(body.size() - 1) instanceof Stmt.Within within)) {
            return List.of(run(loop));
        }
        Affine position = within.position();
        List<Stmt> lets = body.subList(0, body.size() - 1);
        for (int i = lets.size() - 1; i >= 0; i--) {
            if (!(lets.get(i) instanceof Stmt.Let let)) {
                return List.of(run(loop));
            }
            position = position.substitute(let.name(), let.value());
        }
        int step = position.coefficient(loop.variable());
        if (step <= 0) {
            return List.of(run(loop));
        }
        // step·v + rest >= 0 from v = ⌈-rest / step⌉; step·v + rest < extent up to v = ⌊(extent - 1 - rest) / step⌋
        Affine rest = position.plus(loop.variable(), -step);
        Bound first = within.low() ? new Bound.FirstFrom(rest.times(-1), step).folded() : loop.from();
        Bound end = within.high()
                ? new Bound.EndBy(loop.extent(), rest.times(-1).plus(within.extent() - 1), step).folded()
                : loop.to();
        List<Stmt> inside = new ArrayList<>(lets);
        inside.addAll(within.body());
        if (within.otherwise().isEmpty()) {
            return List.of(run(new Stmt.Loop(loop.variable(), loop.extent(), first, end, inside)));
        }
        return split(loop, first, end, inside, used(lets, within.otherwise()), ranges);
    }

    /**
     * {@code loop} cut at {@code first} and {@code end} into the otherwise before, {@code inside}
     * between and the otherwise after; a bound that is a number needs no name, and a part that
     * is empty for every enclosing iteration is left out.
     */
    private static List<Stmt> split(
            Stmt.Loop loop, Bound first, Bound end, List<Stmt> inside, List<Stmt> outside, Map<String, Range> ranges) {
        int extent = loop.extent();
        String v = loop.variable();
        List<Stmt> out = new ArrayList<>();
        Stmt.Split cut = new Stmt.Split(v, extent, first, end);
        if (!cut.names().isEmpty()) {
            out.add(cut);
        }
        Bound from = cut.from();
        Bound to = cut.to();
        Bound zero = new Bound.Fixed(0);
        Bound whole = new Bound.Fixed(extent);
        // The longest each part can be, over the enclosing loops' ranges: the zeros at the ends
        // of a padded row are a few elements, whatever the row's length.
        long before = extent;
        long after = extent;
        if (first instanceof Bound.FirstFrom f) {
            Optional<Range> n = f.numerator().range(ranges);
            if (n.isPresent()) {
                before = Math.max(0, Math.min(extent, -Math.floorDiv(-n.get().max(), f.divisor())));
            }
        }
        if (end instanceof Bound.EndBy e) {
            Optional<Range> n = e.numerator().range(ranges);
            if (n.isPresent()) {
                after = extent
                        - Math.max(0, Math.min(extent, Math.floorDiv(n.get().min(), e.divisor()) + 1));
            }
        }
        List<Stmt.Loop> parts = List.of(
                new Stmt.Loop(v, extent, zero, from, outside),
                new Stmt.Loop(v, extent, from, to, inside),
                new Stmt.Loop(v, extent, to, whole, outside));
        long[] most = {before, extent, after};
        for (int i = 0; i < parts.size(); i++) {
            Stmt.Loop part = parts.get(i);
            if (!part.from().equals(part.to()) && most[i] > 0) {
                out.add(run(part, (int) most[i]));
            }
        }
        return out;
    }

    /** The lets among {@code lets} that {@code body} needs, and then {@code body}. */
    private static List<Stmt> used(List<Stmt> lets, List<Stmt> body) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : lets) {
            Stmt.Let let = (Stmt.Let) s;
            List<Stmt> later = new ArrayList<>(lets.subList(lets.indexOf(s) + 1, lets.size()));
            later.addAll(body);
            if (Mentions.of(later).contains(let.name())) {
                out.add(let);
            }
        }
        out.addAll(body);
        return out;
    }

    /**
     * A loop whose body is lets and one store into a scratch row along its columns, of a literal
     * or of a node's consecutive elements, as a {@link Stmt.Run}; any other loop as it is.
     */
    private static Stmt run(Stmt.Loop loop) {
        return run(loop, loop.extent());
    }

    /** {@link #run(Stmt.Loop)} of a loop that runs at most {@code most} times. */
    private static Stmt run(Stmt.Loop loop, int most) {
        List<Stmt> body = loop.body();
        String v = loop.variable();
        if (loop.from().index().isEmpty()
                || loop.to().index().isEmpty()
                || body.isEmpty()
                || !(body.get(body.size() - 1) instanceof Stmt.StoreCell store)) {
            return loop;
        }
        List<Stmt> unlet = List.of(store);
        for (int i = body.size() - 2; i >= 0; i--) {
            if (!(body.get(i) instanceof Stmt.Let let)) {
                return loop;
            }
            unlet = new Substitution(let.name(), let.value()).apply(unlet);
        }
        Stmt.StoreCell cell = (Stmt.StoreCell) unlet.get(0);
        boolean consecutive = cell.value() instanceof Value.Literal
                || cell.value() instanceof Value.Load load
                        && load.place() instanceof Place.At at
                        && at.position().coefficient(v) == 1;
        if (!consecutive || cell.row().coefficient(v) != 0 || cell.column().coefficient(v) != 1) {
            return loop;
        }
        return new Stmt.Run(v, most, loop.from(), loop.to(), cell.array(), cell.row(), cell.column(), cell.value());
    }

    /**
     * Whether {@code body} can join the block of {@code before} and {@code after}: none of the
     * names it declares may be declared in that block already, nor anywhere after it, in nested
     * scopes too, since Java lets no local hide another.
     */
    private static boolean splices(List<Stmt> body, List<Stmt> before, List<Stmt> after) {
        Set<String> taken = new HashSet<>();
        before.forEach(s -> taken.addAll(declaredNames(s)));
        declaredAnywhere(after, taken);
        return body.stream().flatMap(s -> declaredNames(s).stream()).noneMatch(taken::contains);
    }

    private static void declaredAnywhere(List<Stmt> body, Set<String> names) {
        for (Stmt s : body) {
            names.addAll(declaredNames(s));
            if (s instanceof Stmt.Loop loop) {
                names.add(loop.variable());
                declaredAnywhere(loop.body(), names);
            } else if (s instanceof Stmt.Within within) {
                declaredAnywhere(within.body(), names);
                declaredAnywhere(within.otherwise(), names);
            } else if (s instanceof Stmt.IfNotNaN test) {
                declaredAnywhere(test.body(), names);
                declaredAnywhere(test.otherwise(), names);
            } else if (s instanceof Stmt.Run run) {
                names.add(run.variable());
            } else if (s instanceof Stmt.Activate activate) {
                names.add(activate.variable());
            }
        }
    }

    private static List<String> declaredNames(Stmt stmt) {
        if (stmt instanceof Stmt.Let let) {
            return List.of(let.name());
        }
        if (stmt instanceof Stmt.Declare declare) {
            return List.of(declare.name());
        }
        if (stmt instanceof Stmt.Position position) {
            return List.of(position.name());
        }
        if (stmt instanceof Stmt.Split split) {
            return split.names();
        }
        return List.of();
    }
}
