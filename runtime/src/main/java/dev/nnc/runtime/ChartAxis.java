package dev.nnc.runtime;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * One axis of a {@link TrainingChart}: the range it spans, whether it is logarithmic, and its
 * ticks. The range always starts and ends on a labelled tick, so the data lie between two round
 * numbers. All arithmetic goes through {@link StrictMath} and {@link BigDecimal}, so an axis is
 * the same on every JVM.
 *
 * @param min the value at the start of the axis (bottom or left)
 * @param max the value at the end of the axis, greater than {@code min}
 * @param logarithmic whether positions are proportional to {@code log10} of the values
 * @param ticks the ticks from {@code min} to {@code max}; labelled ones first in value order,
 *     then the unlabelled minor ticks of a logarithmic axis
 */
record ChartAxis(double min, double max, boolean logarithmic, List<Tick> ticks) {

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
     * A logarithmic axis from the power of ten at or below {@code lo} to the one at or above
     * {@code hi}, both labelled with every power of ten between; when it spans at most six
     * decades, unlabelled minor ticks at 2 to 9 times each power of ten.
     */
    static ChartAxis logarithmic(double lo, double hi) {
        if (!(lo > 0 && lo <= hi) || Double.isInfinite(hi)) {
            throw new IllegalArgumentException("bad data range for a log axis [" + lo + ", " + hi + "]");
        }
        int first = (int) StrictMath.floor(StrictMath.log10(lo));
        int last = (int) StrictMath.ceil(StrictMath.log10(hi));
        // log10 may round across a power of ten; the range must still contain the data.
        if (power(first) > lo) {
            first--;
        }
        if (power(last) < hi) {
            last++;
        }
        if (last == first) {
            last++;
        }
        List<Tick> ticks = new ArrayList<>();
        for (int e = first; e <= last; e++) {
            ticks.add(new Tick(power(e), powerLabel(e)));
        }
        if (last - first <= 6) {
            for (int e = first; e < last; e++) {
                for (int m = 2; m <= 9; m++) {
                    ticks.add(
                            new Tick(BigDecimal.valueOf(m).scaleByPowerOfTen(e).doubleValue(), ""));
                }
            }
        }
        return new ChartAxis(power(first), power(last), true, ticks);
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

    /** {@code 0.001}, {@code 1}, {@code 1000}; beyond four zeros, {@code 1e-5} and {@code 1e5}. */
    private static String powerLabel(int exponent) {
        return StrictMath.abs(exponent) <= 4 ? plain(BigDecimal.ONE.scaleByPowerOfTen(exponent)) : "1e" + exponent;
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
