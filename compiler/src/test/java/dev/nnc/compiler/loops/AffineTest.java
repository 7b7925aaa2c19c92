package dev.nnc.compiler.loops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.loops.Affine.Range;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AffineTest {
    private static final Affine ROW = Affine.of("oy").times(2).plus(-1).plus("ky", 1);

    @Test
    void readsAsItWasBuiltWithLikeTermsCombined() {
        assertEquals("oy * 2 + ky - 1", ROW.text());
        assertEquals("oy * 2 - 1", ROW.plus("ky", -1).text());
        assertEquals("4 - kx * 3", Affine.of("kx").times(-3).plus(4).text());
        assertEquals("-kx * 3 - 4", Affine.of("kx").times(-3).plus(-4).text());
        assertEquals("0", ROW.times(0).text());
        assertEquals("7", Affine.constant(7).text());
    }

    @Test
    void substitutesAnExpressionForAName() {
        assertEquals("oy * 2 + 2", ROW.substitute("ky", Affine.constant(3)).text());
        assertEquals(
                "oy * 2 + ox * 2 - 1",
                ROW.substitute("ky", Affine.of("ox").times(2)).text());
    }

    @Test
    void rangesOverTheRangesOfItsNamesWithNegativeCoefficients() {
        Map<String, Range> loops = Map.of("oy", new Range(0, 13), "ky", new Range(0, 2));
        assertEquals(Optional.of(new Range(-1, 27)), ROW.range(loops));
        assertEquals(Optional.of(new Range(-27, 1)), ROW.times(-1).range(loops));
    }

    @Test
    void hasNoRangeWhereANameIsFoundAtRunTime() {
        assertEquals(Optional.empty(), ROW.range(Map.of("oy", new Range(0, 13))));
    }

    @Test
    void knowsWhenARangeStaysInsideAnExtent() {
        assertEquals(true, new Range(0, 27).within(28));
        assertEquals(false, new Range(-1, 27).within(28));
        assertEquals(false, new Range(0, 28).within(28));
    }
}
