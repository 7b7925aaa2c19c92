package dev.nnc.compiler.loops;

/**
 * A bound of a {@link Stmt.Loop}: a number, or where a guard that the {@link Scheduler} moved
 * into the loop's bounds starts or stops holding, as a function of the enclosing loops.
 */
public sealed interface Bound {

    record Fixed(int value) implements Bound {}

    /** An {@code int} local that a {@link Stmt.Split} declares. */
    record Named(String name) implements Bound {}

    /**
     * {@code max(0, ⌈numerator / divisor⌉)}: the first {@code v} with {@code divisor·v ≥
     * numerator}, the loop's own start at the least.
     */
    record FirstFrom(Affine numerator, int divisor) implements Bound {
        public FirstFrom {
            if (divisor <= 0) {
                throw new IllegalArgumentException("divisor " + divisor);
            }
        }
    }

    /**
     * {@code min(extent, ⌊numerator / divisor⌋ + 1)}: one past the last {@code v} with {@code
     * divisor·v ≤ numerator}, the loop's own end at the most.
     */
    record EndBy(int extent, Affine numerator, int divisor) implements Bound {
        public EndBy {
            if (divisor <= 0) {
                throw new IllegalArgumentException("divisor " + divisor);
            }
        }
    }

    /**
     * The bound as it prints, a Java expression of {@code int}s: {@code Math.max(0, 1 - ox * 2)}.
     * The code generator writes its own form, which names {@code Math} so that a generated class
     * called {@code Math} cannot capture it.
     */
    default String text() {
        if (this instanceof FirstFrom first) {
            Affine n = first.numerator();
            String ceiling = first.divisor() == 1
                    ? n.text()
                    : "Math.floorDiv(" + n.plus(first.divisor() - 1).text() + ", " + first.divisor() + ")";
            return "Math.max(0, " + ceiling + ")";
        }
        if (this instanceof EndBy end) {
            String past = end.divisor() == 1
                    ? end.numerator().plus(1).text()
                    : "Math.floorDiv(" + end.numerator().text() + ", " + end.divisor() + ") + 1";
            return "Math.min(" + end.extent() + ", " + past + ")";
        }
        if (this instanceof Named named) {
            return named.name();
        }
        return Integer.toString(((Fixed) this).value());
    }

    /** The bound as an index where it is one: a number or a name; empty for a computed bound. */
    default java.util.Optional<Affine> index() {
        if (this instanceof Fixed fixed) {
            return java.util.Optional.of(Affine.constant(fixed.value()));
        }
        if (this instanceof Named named) {
            return java.util.Optional.of(Affine.of(named.name()));
        }
        return java.util.Optional.empty();
    }

    /** The bound's value where its numerator is a constant; otherwise the bound itself. */
    default Bound folded() {
        if (this instanceof FirstFrom first && first.numerator().isConstant()) {
            return new Fixed(Math.max(0, -Math.floorDiv(-first.numerator().constant(), first.divisor())));
        }
        if (this instanceof EndBy end && end.numerator().isConstant()) {
            return new Fixed(
                    Math.min(end.extent(), Math.floorDiv(end.numerator().constant(), end.divisor()) + 1));
        }
        return this;
    }
}
