package dev.nnc.compiler.loops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An integer expression affine in named integers (loop variables and {@link Stmt.Let lets}):
 * {@code Σ coefficient·name + constant}, the only kind of index the loop nests use outside a
 * data-dependent position. Terms keep the order they were added in, so an index reads as it was
 * built ({@code c * 784 + iy * 28 + ix}); like terms combine and zero terms vanish.
 */
public record Affine(List<Term> terms, int constant) {

    /** {@code coefficient · name}. */
    public record Term(String name, int coefficient) {}

    public Affine {
        terms = List.copyOf(terms);
    }

    public static Affine constant(int value) {
        return new Affine(List.of(), value);
    }

    public static Affine of(String name) {
        return new Affine(List.of(new Term(name, 1)), 0);
    }

    public boolean isConstant() {
        return terms.isEmpty();
    }

    public Affine plus(Affine other) {
        List<Term> sum = new ArrayList<>(terms);
        for (Term t : other.terms) {
            add(sum, t);
        }
        return new Affine(sum, constant + other.constant);
    }

    public Affine plus(int value) {
        return new Affine(terms, constant + value);
    }

    /** {@code this + coefficient · name}. */
    public Affine plus(String name, int coefficient) {
        return plus(of(name).times(coefficient));
    }

    public Affine times(int factor) {
        if (factor == 0) {
            return constant(0);
        }
        return new Affine(
                terms.stream()
                        .map(t -> new Term(t.name(), t.coefficient() * factor))
                        .toList(),
                constant * factor);
    }

    /** The coefficient of {@code name}, 0 where it does not occur. */
    public int coefficient(String name) {
        return terms.stream()
                .filter(t -> t.name().equals(name))
                .mapToInt(Term::coefficient)
                .sum();
    }

    /** Whether {@code name} occurs in this expression. */
    public boolean uses(String name) {
        return terms.stream().anyMatch(t -> t.name().equals(name));
    }

    /** This expression with {@code name} replaced by {@code value}. */
    public Affine substitute(String name, Affine value) {
        Affine result = constant(constant);
        for (Term t : terms) {
            result = result.plus(
                    t.name().equals(name)
                            ? value.times(t.coefficient())
                            : of(t.name()).times(t.coefficient()));
        }
        return result;
    }

    /**
     * The smallest and largest values over the ranges of its names, or empty when some name's
     * range is unknown (a position found at run time).
     */
    public Optional<Range> range(Map<String, Range> known) {
        long min = constant;
        long max = constant;
        for (Term t : terms) {
            Range r = known.get(t.name());
            if (r == null) {
                return Optional.empty();
            }
            long a = r.min() * t.coefficient();
            long b = r.max() * t.coefficient();
            min += Math.min(a, b);
            max += Math.max(a, b);
        }
        return Optional.of(new Range(min, max));
    }

    /**
     * {@code c * 784 + iy * 28 + ix - 1}: terms in the order they were built, a Java expression
     * of {@code int}s as it stands.
     */
    public String text() {
        StringBuilder s = new StringBuilder();
        // A positive constant leads where the first term is negative: 1 - oy, not -oy + 1.
        boolean constantFirst = constant > 0 && !terms.isEmpty() && terms.get(0).coefficient() < 0;
        if (constantFirst) {
            s.append(constant);
        }
        for (Term t : terms) {
            int magnitude = Math.abs(t.coefficient());
            if (s.length() > 0) {
                s.append(t.coefficient() < 0 ? " - " : " + ");
            } else if (t.coefficient() < 0) {
                s.append('-');
            }
            s.append(t.name());
            if (magnitude != 1) {
                s.append(" * ").append(magnitude);
            }
        }
        if (s.length() == 0) {
            return Integer.toString(constant);
        }
        if (constant != 0 && !constantFirst) {
            s.append(constant < 0 ? " - " : " + ").append(Math.abs(constant));
        }
        return s.toString();
    }

    private static void add(List<Term> terms, Term term) {
        for (int i = 0; i < terms.size(); i++) {
            Term t = terms.get(i);
            if (t.name().equals(term.name())) {
                int coefficient = t.coefficient() + term.coefficient();
                if (coefficient == 0) {
                    terms.remove(i);
                } else {
                    terms.set(i, new Term(t.name(), coefficient));
                }
                return;
            }
        }
        if (term.coefficient() != 0) {
            terms.add(term);
        }
    }

    /** The values an integer takes, both ends included. */
    public record Range(long min, long max) {
        /** Whether every value lies in {@code [0, extent)}. */
        boolean within(int extent) {
            return min >= 0 && max < extent;
        }
    }
}
