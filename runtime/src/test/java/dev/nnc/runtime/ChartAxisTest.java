package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChartAxisTest {

    private static List<String> labels(ChartAxis axis) {
        return axis.majorTicks().stream().map(ChartAxis.Tick::label).toList();
    }

    @Test
    void aLinearAxisRunsBetweenRoundTicksThatCoverTheData() {
        ChartAxis axis = ChartAxis.linear(0.3, 0.7, 5);
        assertEquals(List.of("0.3", "0.4", "0.5", "0.6", "0.7"), labels(axis));
        assertEquals(0.3, axis.min());
        assertEquals(0.7, axis.max());

        assertEquals(List.of("0", "0.5", "1", "1.5", "2", "2.5"), labels(ChartAxis.linear(0.04, 2.31, 5)));
        assertEquals(List.of("-20", "0", "20", "40", "60"), labels(ChartAxis.linear(-13, 47, 5)));
    }

    @Test
    void everyTickIsOneTwoOrFiveTimesAPowerOfTenTimesAWholeNumberAndTheTicksCoverTheData() {
        SeededRandom random = new SeededRandom(17);
        for (int trial = 0; trial < 2000; trial++) {
            double scale = StrictMath.pow(10, 12 * random.nextDouble() - 6);
            double lo = (random.nextDouble() - 0.3) * scale;
            double hi = lo + random.nextDouble() * scale;
            ChartAxis axis = ChartAxis.linear(lo, hi, 5);
            List<ChartAxis.Tick> ticks = axis.majorTicks();
            String where = "[" + lo + ", " + hi + "] -> " + labels(axis);
            assertTrue(axis.min() <= lo && axis.max() >= hi, where);
            assertTrue(ticks.size() >= 3 && ticks.size() <= 12, where);
            BigDecimal step = new BigDecimal(ticks.get(1).label())
                    .subtract(new BigDecimal(ticks.get(0).label()));
            int mantissa = step.stripTrailingZeros().unscaledValue().abs().intValueExact();
            assertTrue(List.of(1, 2, 5).contains(mantissa), where);
            for (int i = 0; i < ticks.size(); i++) {
                BigDecimal value = new BigDecimal(ticks.get(i).label());
                assertEquals(value.doubleValue(), ticks.get(i).value(), where);
                assertEquals(0, value.remainder(step).signum(), where);
                if (i > 0) {
                    assertEquals(
                            step, value.subtract(new BigDecimal(ticks.get(i - 1).label())), where);
                }
            }
        }
    }

    @Test
    void aZeroWidthRangeIsWidenedAroundItsValue() {
        ChartAxis constant = ChartAxis.linear(0.5, 0.5, 5);
        assertTrue(
                constant.min() < 0.5 && constant.max() > 0.5, labels(constant).toString());
        ChartAxis zero = ChartAxis.linear(0, 0, 5);
        assertTrue(zero.min() <= -1 && zero.max() >= 1, labels(zero).toString());
    }

    @Test
    void aKnownValueMapsToTheExpectedPosition() {
        ChartAxis linear = ChartAxis.linear(0, 10, 5);
        assertEquals(150, linear.position(5, 100, 200), 1e-12);
        // A vertical axis runs from the bottom (larger pixel) to the top.
        assertEquals(275, linear.position(1, 300, 50), 1e-12);

        ChartAxis log = ChartAxis.logarithmic(0.01, 0.9);
        assertEquals(0.01, log.min());
        assertEquals(1, log.max());
        assertEquals(50, log.position(0.1, 0, 100), 1e-12);
        assertEquals(100 * StrictMath.log10(2) / 2 + 50, log.position(0.2, 0, 100), 1e-12);
    }

    @Test
    void aLogarithmicAxisRunsBetweenOneTwoOrFiveTimesPowersOfTen() {
        ChartAxis axis = ChartAxis.logarithmic(0.045, 0.7);
        assertTrue(axis.logarithmic());
        assertEquals(0.02, axis.min());
        assertEquals(1, axis.max());
        assertEquals(List.of("0.02", "0.05", "0.1", "0.2", "0.5", "1"), labels(axis));
        assertTrue(axis.ticks().stream().anyMatch(t -> !t.major() && t.value() == 0.03));
        assertEquals(6 + 12, axis.ticks().size(), "minor ticks 0.03, 0.04, 0.06-0.09, 0.3, 0.4, 0.6-0.9");

        assertEquals(List.of("0.1", "0.2", "0.5", "1", "2", "5", "10"), labels(ChartAxis.logarithmic(0.1, 10)));
        assertEquals(List.of("2", "5", "10", "20"), labels(ChartAxis.logarithmic(2, 20)));
    }

    @Test
    void aLogarithmicAxisCoversTheDataTightly() {
        SeededRandom random = new SeededRandom(5);
        for (int trial = 0; trial < 2000; trial++) {
            double lo = StrictMath.pow(10, 16 * random.nextDouble() - 8);
            double hi = lo * StrictMath.pow(10, 5 * random.nextDouble());
            ChartAxis axis = ChartAxis.logarithmic(lo, hi);
            String where = "[" + lo + ", " + hi + "] -> " + labels(axis);
            assertTrue(axis.min() <= lo && axis.min() > lo / 2.5 - 1e-300, where);
            assertTrue(axis.max() >= hi && axis.max() < hi * 2.5, where);
            assertTrue(labels(axis).size() >= 1, where);
        }
    }

    @Test
    void overManyDecadesOnlyThePowersOfTenAreLabelled() {
        ChartAxis axis = ChartAxis.logarithmic(0.0031, 2.4);
        assertEquals(0.002, axis.min());
        assertEquals(5, axis.max());
        assertEquals(List.of("0.01", "0.1", "1"), labels(axis));

        ChartAxis wide = ChartAxis.logarithmic(1e-9, 10);
        assertEquals("1e-9", labels(wide).get(0));
        assertEquals("1e-5", labels(wide).get(4));
        assertEquals("0.0001", labels(wide).get(5));
        assertTrue(wide.ticks().stream().allMatch(ChartAxis.Tick::major), "no minor ticks over ten decades");
        assertEquals("2e-7", labels(ChartAxis.logarithmic(2e-7, 1e-6)).get(0));
    }

    @Test
    void theEpochAxisHasWholeNumberTicks() {
        assertEquals(List.of("0", "1", "2"), labels(ChartAxis.epochs(1)));
        assertEquals(List.of("1", "2"), labels(ChartAxis.epochs(2)));
        assertEquals(List.of("1", "2", "3", "4", "5", "6", "7"), labels(ChartAxis.epochs(7)));
        assertEquals(List.of("0", "5", "10", "15", "20", "25", "30"), labels(ChartAxis.epochs(30)));
        assertEquals(List.of("0", "10", "20", "30", "40", "50", "60"), labels(ChartAxis.epochs(60)));
        assertEquals(
                List.of("0", "100", "200", "300", "400", "500", "600", "700", "800", "900", "1000", "1100"),
                labels(ChartAxis.epochs(1001)));
        for (int epochs = 1; epochs < 300; epochs++) {
            ChartAxis axis = ChartAxis.epochs(epochs);
            assertTrue(axis.min() <= 1 && axis.max() >= epochs);
            assertFalse(axis.logarithmic());
            assertTrue(axis.majorTicks().stream().allMatch(t -> t.value() == Math.rint(t.value())));
        }
    }

    @Test
    void rejectsRangesItCannotDraw() {
        assertThrows(IllegalArgumentException.class, () -> ChartAxis.linear(2, 1, 5));
        assertThrows(IllegalArgumentException.class, () -> ChartAxis.linear(0, Double.POSITIVE_INFINITY, 5));
        assertThrows(IllegalArgumentException.class, () -> ChartAxis.logarithmic(0, 1));
        assertThrows(IllegalArgumentException.class, () -> ChartAxis.epochs(0));
    }
}
