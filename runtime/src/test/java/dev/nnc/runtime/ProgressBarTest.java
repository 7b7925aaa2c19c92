package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    private static final long SECOND = 1_000_000_000L;

    /** A clock the test moves by hand. */
    private static final class FakeClock {
        long now = 1000 * SECOND;

        long read() {
            return now;
        }
    }

    @Test
    void formatsTheTimeLeft() {
        assertEquals("--:--", ProgressBar.timeLeft(-1));
        assertEquals("0:00", ProgressBar.timeLeft(0));
        assertEquals("0:07", ProgressBar.timeLeft(7 * SECOND));
        assertEquals("1:00", ProgressBar.timeLeft(59_600_000_000L));
        assertEquals("1:01", ProgressBar.timeLeft(61_400_000_000L));
        assertEquals("59:59", ProgressBar.timeLeft(3599 * SECOND));
        assertEquals("1:00:00", ProgressBar.timeLeft(3600 * SECOND));
        assertEquals("1:02:05", ProgressBar.timeLeft(3725 * SECOND));
        assertEquals("99:59:59", ProgressBar.timeLeft((100 * 3600 - 1) * SECOND));
        assertEquals(">99h", ProgressBar.timeLeft(100 * 3600 * SECOND));
        assertEquals(">99h", ProgressBar.timeLeft(Long.MAX_VALUE));
    }

    @Test
    void theLineFillsTheWidthAndKeepsItsLengthThroughTheFit() {
        String first = ProgressBar.line(1, 60, 1, 43, 2.3456, -1);
        assertEquals(ProgressBar.WIDTH, first.length(), first);
        assertTrue(first.startsWith("epoch  1/60 [>"), first);
        assertTrue(first.contains("]  1/43  loss 2.3456  "), first);
        assertTrue(first.endsWith("   --:-- left"), first);

        String last = ProgressBar.line(60, 60, 43, 43, 0.0123, 42 * SECOND);
        assertEquals(first.length(), last.length(), last);
        assertTrue(last.matches("epoch 60/60 \\[=+\\] 43/43  loss 0\\.0123          0:42 left"), last);

        String tiny = ProgressBar.line(7, 60, 20, 43, 1.5e-5, 3725 * SECOND);
        assertEquals(first.length(), tiny.length(), tiny);
        assertTrue(tiny.contains("loss 1.500e-05    1:02:05 left"), tiny);
    }

    @Test
    void theBarGrowsWithTheBatchesDone() {
        String half = ProgressBar.line(1, 9, 50, 100, 0.5, SECOND);
        int open = half.indexOf('[');
        int close = half.indexOf(']');
        String bar = half.substring(open + 1, close);
        int equals = bar.replace(">", "").trim().length();
        assertEquals(bar.length() / 2, equals, half);
        assertEquals('>', bar.charAt(equals));
    }

    @Test
    void largeCountsStillFitTheWidth() {
        String line = ProgressBar.line(9999, 9999, 99_999, 99_999, 12345.6789, (100 * 3600 - 1) * SECOND);
        assertTrue(line.length() <= ProgressBar.WIDTH, line.length() + ": " + line);
    }

    @Test
    void decidesFromTheSettingTheConsoleAndTheTerminal() {
        assertTrue(ProgressBar.interactive(null, true, true, "xterm-256color"));
        assertTrue(ProgressBar.interactive("auto", true, true, null));
        assertFalse(ProgressBar.interactive(null, false, false, "xterm"), "output redirected: no console");
        assertFalse(ProgressBar.interactive(null, true, false, "xterm"), "a console that is no terminal");
        assertFalse(ProgressBar.interactive(null, true, true, "dumb"));
        assertFalse(ProgressBar.interactive("plain", true, true, "xterm"));
        assertTrue(ProgressBar.interactive("bar", false, false, null));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ProgressBar.interactive("fancy", true, true, null));
        assertTrue(e.getMessage().contains("nnc.progress"), e.getMessage());
    }

    @Test
    void redrawsAtMostFourTimesASecondAndEndsEachEpochWithItsReport() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, false, StandardCharsets.UTF_8);
        FakeClock clock = new FakeClock();
        ProgressBar bar = new ProgressBar(out, clock::read, 1, 2, 4);
        bar.startEpoch(1);
        clock.now += SECOND;
        bar.batchDone(1, 0.8 * 10, 10);
        clock.now += ProgressBar.INTERVAL_NANOS / 2;
        bar.batchDone(2, 1.4 * 10, 20);
        out.flush();
        String text = buffer.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.chars().filter(c -> c == '\r').count(), "one redraw within a quarter second: " + text);
        // One batch of 8 in a second: 7 seconds left.
        assertTrue(text.contains("] 1/4  loss 0.8000") && text.endsWith("0:07 left"), text);

        clock.now += ProgressBar.INTERVAL_NANOS / 2;
        bar.batchDone(3, 2.1 * 10, 30);
        out.flush();
        text = buffer.toString(StandardCharsets.UTF_8);
        assertEquals(2, text.chars().filter(c -> c == '\r').count(), text);
        // The mean loss of the epoch so far, and 1.25 s per 3 batches for the 5 left.
        assertTrue(text.endsWith("3/4  loss 0.7000          0:02 left"), text);

        bar.batchDone(4, 2.8 * 10, 40);
        EpochReport report = new EpochReport(1, 2, 0.7, Double.NaN, Double.NaN, 1500);
        bar.endEpoch(report);
        text = buffer.toString(StandardCharsets.UTF_8);
        String ended = text.substring(text.lastIndexOf('\r') + 1);
        String barLine = text.substring(text.lastIndexOf('\r', text.lastIndexOf('\r') - 1) + 1, text.lastIndexOf('\r'));
        assertEquals(report.toString(), ended.stripTrailing());
        assertEquals(barLine.length() + System.lineSeparator().length(), ended.length(), "padded over the bar");
        assertTrue(text.endsWith(System.lineSeparator()));

        bar.finish();
        assertEquals(text, buffer.toString(StandardCharsets.UTF_8), "nothing to end after an epoch's line");

        // The next epoch's first batch shows at once.
        bar.startEpoch(2);
        bar.batchDone(1, 0.6 * 10, 10);
        out.flush();
        assertTrue(buffer.toString(StandardCharsets.UTF_8).endsWith("0:01 left"));
        assertTrue(buffer.toString(StandardCharsets.UTF_8).contains("epoch 2/2 ["));
    }

    @Test
    void finishEndsABarLeftOnTheLine() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, false, StandardCharsets.UTF_8);
        ProgressBar bar = new ProgressBar(out, new FakeClock()::read, 1, 1, 10);
        bar.batchDone(1, 0.5, 1);
        bar.finish();
        String text = buffer.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("\repoch 1/1 [") && text.endsWith(" left" + System.lineSeparator()), text);
    }
}
