package dev.nnc.compiler.loops;

import dev.nnc.compiler.loops.Affine.Range;
import java.util.ArrayList;
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
 *   <li>a guard on an index that grows with its loop's variable becomes the loop's bounds;
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
        return block(nest, Map.of());
    }

    private static List<Stmt> block(List<Stmt> body, Map<String, Range> outer) {
        Map<String, Range> ranges = new HashMap<>(outer);
        List<Stmt> pending = new ArrayList<>(body);
        List<Stmt> out = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            Stmt stmt = pending.get(i);
            List<Stmt> rest = pending.subList(i + 1, pending.size());
            if (stmt instanceof Stmt.Loop loop
                    && loop.extent() == 1
                    && loop.isWhole()
                    && splices(loop.body(), out, rest)) {
                // What the body declares is out of scope for the rest, so only the body needs its ranges.
                out.addAll(block(new Substitution(loop.variable(), Affine.constant(0)).apply(loop.body()), ranges));
            } else if (stmt instanceof Stmt.Loop loop) {
                Map<String, Range> inner = new HashMap<>(ranges);
                inner.put(loop.variable(), new Range(0, loop.extent() - 1L));
                out.addAll(Jam.apply(narrowed(new Stmt.Loop(
                        loop.variable(), loop.extent(), loop.from(), loop.to(), block(loop.body(), inner)))));
            } else if (stmt instanceof Stmt.Let let && let.value().isConstant()) {
                List<Stmt> substituted = new Substitution(let.name(), let.value()).apply(List.copyOf(rest));
                rest.clear();
                rest.addAll(substituted);
            } else if (stmt instanceof Stmt.Let let) {
                let.value().range(ranges).ifPresent(r -> ranges.put(let.name(), r));
                out.add(let);
            } else if (stmt instanceof Stmt.Within within) {
                out.addAll(guard(within, ranges, out, rest));
            } else {
                out.add(stmt);
            }
        }
        return out;
    }

    private static List<Stmt> guard(
            Stmt.Within within, Map<String, Range> ranges, List<Stmt> before, List<Stmt> after) {
        boolean low = within.low();
        boolean high = within.high();
        Optional<Range> range = within.position().range(ranges);
        if (range.isPresent()) {
            low &= range.get().min() < 0;
            high &= range.get().max() >= within.extent();
        }
        if (!low && !high) {
            if (splices(within.body(), before, after)) {
                return block(within.body(), ranges);
            }
            // Kept as a block of its own, with a comparison that always holds.
            low = within.low();
            high = within.high();
        }
        return List.of(new Stmt.Within(within.position(), within.extent(), low, high, block(within.body(), ranges)));
    }

    /**
     * A loop whose body is lets and then a guard on an index that grows with the loop's variable
     * runs only where the guard holds: {@code for kx: let ix = ox·2 + kx - 1; if 0 <= ix < 28 ...}
     * becomes {@code for kx from max(0, 1 - ox·2) to min(kw, 29 - ox·2)}. The test per iteration,
     * a branch that goes either way along a padded row, becomes two bounds per loop.
     */
    private static Stmt.Loop narrowed(Stmt.Loop loop) {
        List<Stmt> body = loop.body();
        if (!loop.isWhole() || body.isEmpty() || !(body.get(body.size() - 1) instanceof Stmt.Within within)) {
            return loop;
        }
        Affine position = within.position();
        for (int i = body.size() - 2; i >= 0; i--) {
            if (!(body.get(i) instanceof Stmt.Let let)) {
                return loop;
            }
            position = position.substitute(let.name(), let.value());
        }
        int step = position.coefficient(loop.variable());
        if (step <= 0) {
            return loop;
        }
        // step·v + rest >= 0 from v = ⌈-rest / step⌉; step·v + rest < extent up to v = ⌊(extent - 1 - rest) / step⌋
        Affine rest = position.plus(loop.variable(), -step);
        Bound from = within.low() ? new Bound.FirstFrom(rest.times(-1), step).folded() : loop.from();
        Bound to = within.high()
                ? new Bound.EndBy(loop.extent(), rest.times(-1).plus(within.extent() - 1), step).folded()
                : loop.to();
        List<Stmt> narrowed = new ArrayList<>(body.subList(0, body.size() - 1));
        narrowed.addAll(within.body());
        return new Stmt.Loop(loop.variable(), loop.extent(), from, to, narrowed);
    }

    /**
     * Whether {@code body} can join the block of {@code before} and {@code after}: none of the
     * names it declares may be declared in that block already, nor anywhere after it, in nested
     * scopes too, since Java lets no local hide another.
     */
    private static boolean splices(List<Stmt> body, List<Stmt> before, List<Stmt> after) {
        Set<String> taken = new HashSet<>();
        before.forEach(s -> declaredName(s).ifPresent(taken::add));
        declaredAnywhere(after, taken);
        return body.stream().flatMap(s -> declaredName(s).stream()).noneMatch(taken::contains);
    }

    private static void declaredAnywhere(List<Stmt> body, Set<String> names) {
        for (Stmt s : body) {
            declaredName(s).ifPresent(names::add);
            if (s instanceof Stmt.Loop loop) {
                names.add(loop.variable());
                declaredAnywhere(loop.body(), names);
            } else if (s instanceof Stmt.Within within) {
                declaredAnywhere(within.body(), names);
            }
        }
    }

    private static Optional<String> declaredName(Stmt stmt) {
        if (stmt instanceof Stmt.Let let) {
            return Optional.of(let.name());
        }
        if (stmt instanceof Stmt.Declare declare) {
            return Optional.of(declare.name());
        }
        if (stmt instanceof Stmt.Position position) {
            return Optional.of(position.name());
        }
        return Optional.empty();
    }
}
