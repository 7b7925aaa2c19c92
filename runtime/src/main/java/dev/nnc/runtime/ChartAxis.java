package dev.nnc.runtime;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * One axis of a {@link TrainingChart}: the range it spans, whether it is logarithmic, and its
 * ticks. The range always starts and ends on a round number (a labelled tick on a linear
 * axis), so the data lie between two round numbers. All arithmetic goes through {@link
 * StrictMath} and {@link BigDecimal}, so an axis is the same on every JVM.
 *
 * @param min the value at the start of the axis (bottom or left)
 * @param max the value at the end of the axis, greater than {@code min}
 * @param logarithmic whether positions are proportional to {@code log10} of the values
 * @param ticks the ticks from {@code min} to {@code max}; labelled ones first in value order,
 *     then the unlabelled minor ticks of a logarithmic axis
 */
record ChartAxis(double min, double max, boolean logarithmic, List<Tick> ticks) {

    /** Up to this many decades, a logarithmic axis labels 2 and 5 times the powers of ten too. */
    static final double LABEL_ALL_DECADES = 2.5;

    /**
     * A tick mark.
     *
     * @param value where it stands on the axis
     * @param label the text beside it, empty for a minor tick
     */
    record Tick(double value, String label) {
        boolean major() {
            return !label.isEmpty();
        }
    }

    /** Copies the ticks and checks the range. */
    ChartAxis {
        ticks = List.copyOf(ticks);
        if (!(min < max) || logarithmic && !(min > 0)) {
            throw new IllegalArgumentException("bad axis range [" + min + ", " + max + "]");
        }
    }

    /**
     * A linear axis with about {@code target} intervals between ticks at 1, 2 or 5 times a power
     * of ten, widened to cover {@code [lo, hi]}. A zero-width range (one epoch, a constant series)
     * is widened around its value first, by a tenth of it or by 1 if it is zero.
     */
    static ChartAxis linear(double lo, double hi, int target) {
        if (!(lo <= hi) || Double.isInfinite(lo) || Double.isInfinite(hi)) {
            throw new IllegalArgumentException("bad data range [" + lo + ", " + hi + "]");
        }
        if (lo == hi) {
            double pad = lo == 0 ? 1 : StrictMath.abs(lo) / 10;
            lo -= pad;
            hi += pad;
        }
        Step step = Step.nice((hi - lo) / target);
        return fromStep(lo, hi, step);
    }

    /**
     * The epoch axis for {@code epochs} epochs: whole-number ticks (a step of 1, 2 or 5 times a
     * power of ten, at most about 10 intervals) covering 1 to {@code epochs}; one epoch gets 0 to 2.
     */
    static ChartAxis epochs(int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, found " + epochs);
        }
        if (epochs == 1) {
            return fromStep(0, 2, new Step(1, 0));
        }
        Step step = Step.nice((epochs - 1) / 10.0);
        if (step.exponent < 0) {
            step = new Step(1, 0);
        }
        return fromStep(1, epochs, step);
    }

    /**
     * A logarithmic axis from the largest of 1, 2 or 5 times a power of ten at or below {@code
     * lo} to the smallest at or above {@code hi}. Over at most {@value #LABEL_ALL_DECADES} decades,
     * every such value on it is labelled; over more, only the powers of ten. The other whole
     * multiples of the powers of ten (0.03, 0.04, ...) get unlabelled minor ticks when the axis
     * spans at most six decades.
     */
    static ChartAxis logarithmic(double lo, double hi) {
        if (!(lo > 0 && lo <= hi) || Double.isInfinite(hi)) {
            throw new IllegalArgumentException("bad data range for a log axis [" + lo + ", " + hi + "]");
        }
        BigDecimal min = stopAtOrBelow(lo);
        BigDecimal max = stopAtOrAbove(hi);
        if (max.compareTo(min) == 0) {
            max = stopAtOrAbove(StrictMath.nextUp(hi));
        }
        double decades = StrictMath.log10(max.doubleValue() / min.doubleValue());
        int first = exponent(min);
        int last = exponent(max);
        List<Tick> major = new ArrayList<>();
        List<Tick> minor = new ArrayList<>();
        for (int e = first; e <= last; e++) {
            for (int m = 1; m <= 9; m++) {
                BigDecimal value = BigDecimal.valueOf(m).scaleByPowerOfTen(e);
                if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                    continue;
                }
                boolean labelled = m == 1 || decades <= LABEL_ALL_DECADES && (m == 2 || m == 5);
                if (labelled) {
                    major.add(new Tick(value.doubleValue(), logLabel(value)));
                } else if (decades <= 6) {
                    minor.add(new Tick(value.doubleValue(), ""));
                }
            }
        }
        major.addAll(minor);
        return new ChartAxis(min.doubleValue(), max.doubleValue(), true, major);
    }

    /** The largest of 1, 2 or 5 times a power of ten that is at most {@code value}. */
    private static BigDecimal stopAtOrBelow(double value) {
        // One decade above the estimate, so a log10 rounded down still finds the right stop.
        for (int e = (int) StrictMath.floor(StrictMath.log10(value)) + 1; ; e--) {
            for (int m : new int[] {5, 2, 1}) {
                BigDecimal stop = BigDecimal.valueOf(m).scaleByPowerOfTen(e);
                // Compared as doubles: 2e-7 is a little below 2 * 10^-7 but is that stop.
                if (stop.doubleValue() <= value) {
                    return stop;
                }
            }
        }
    }

    /** The smallest of 1, 2 or 5 times a power of ten that is at least {@code value}. */
    private static BigDecimal stopAtOrAbove(double value) {
        for (int e = (int) StrictMath.floor(StrictMath.log10(value)) - 1; ; e++) {
            for (int m : new int[] {1, 2, 5}) {
                BigDecimal stop = BigDecimal.valueOf(m).scaleByPowerOfTen(e);
                if (stop.doubleValue() >= value) {
                    return stop;
                }
            }
        }
    }

    /** The power of ten of a value's leading digit: 2 for 500, -3 for 0.002. */
    private static int exponent(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.precision() - stripped.scale() - 1;
    }

    /**
     * Maps {@code value} to a position between {@code from} (where {@link #min} lies) and {@code
     * to} (where {@link #max} lies), linearly or in {@code log10}.
     */
    double position(double value, double from, double to) {
        double fraction = logarithmic
                ? (StrictMath.log10(value) - StrictMath.log10(min)) / (StrictMath.log10(max) - StrictMath.log10(min))
                : (value - min) / (max - min);
        return from + fraction * (to - from);
    }

    /** The labelled ticks. */
    List<Tick> majorTicks() {
        return ticks.stream().filter(Tick::major).toList();
    }

    private static ChartAxis fromStep(double lo, double hi, Step step) {
        double size = step.value();
        // A small tolerance, so that a data bound on a tick (0.3 / 0.1 = 2.9999999999999996)
        // does not add a tick beyond it.
        long first = (long) StrictMath.floor(lo / size + 1e-9);
        long last = (long) StrictMath.ceil(hi / size - 1e-9);
        if (last == first) {
            last++;
        }
        List<Tick> ticks = new ArrayList<>();
        for (long k = first; k <= last; k++) {
            BigDecimal exact = BigDecimal.valueOf(k * step.mantissa).scaleByPowerOfTen(step.exponent);
            ticks.add(new Tick(exact.doubleValue(), plain(exact)));
        }
        return new ChartAxis(ticks.get(0).value(), ticks.get(ticks.size() - 1).value(), false, ticks);
    }

    private static double power(int exponent) {
        return BigDecimal.ONE.scaleByPowerOfTen(exponent).doubleValue();
    }

    /** {@code 0.002}, {@code 1}, {@code 5000}; beyond four zeros, {@code 2e-5} and {@code 1e5}. */
    private static String logLabel(BigDecimal value) {
        int e = exponent(value);
        return StrictMath.abs(e) <= 4
                ? plain(value)
                : value.stripTrailingZeros().unscaledValue() + "e" + e;
    }

    private static String plain(BigDecimal value) {
        if (value.signum() == 0) {
            return "0";
        }
        return value.stripTrailingZeros().toPlainString();
    }

    /** A tick interval {@code mantissa * 10^exponent}, with {@code mantissa} 1, 2 or 5. */
    private record Step(int mantissa, int exponent) {

        /** The smallest step of 1, 2 or 5 times a power of ten that is at least {@code raw}. */
        static Step nice(double raw) {
            int exponent = (int) StrictMath.floor(StrictMath.log10(raw));
            double fraction = raw / power(exponent);
            if (fraction <= 1) {
                return new Step(1, exponent);
            } else if (fraction <= 2) {
                return new Step(2, exponent);
            } else if (fraction <= 5) {
                return new Step(5, exponent);
            }
            return new Step(1, exponent + 1);
        }

        double value() {
            return BigDecimal.valueOf(mantissa).scaleByPowerOfTen(exponent).doubleValue();
        }
    }
}
