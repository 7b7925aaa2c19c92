package dev.nnc.runtime;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.function.LongSupplier;

/**
 * The line that {@link Trainer.Builder#progressBar()} keeps rewriting on an interactive terminal
 * while an epoch runs, e.g.
 *
 * <pre>
 * epoch  3/60 [=========&gt;                ]  21/43  loss 0.1234       0:42 left
 * </pre>
 *
 * <p>It is redrawn (a carriage return and the new text) at most every {@link #INTERVAL_NANOS}; in
 * between, a batch costs a clock read and a comparison, and allocates nothing. At the end of an
 * epoch the bar gives way to the epoch's {@link EpochReport} line, so the terminal keeps the same
 * lines that {@link Trainer.Builder#progress} prints. The time left is for the whole fit, from the
 * mean time per batch so far (validation included), so it is an upper bound when early stopping
 * ends the run sooner.
 */
final class ProgressBar {

    /** The system property that overrides the terminal detection: {@code auto}, {@code bar} or {@code plain}. */
    static final String PROPERTY = "nnc.progress";

    /** The shortest time between two redraws: a quarter of a second. */
    static final long INTERVAL_NANOS = 250_000_000L;

    /** The width of a line, one less than the classic 80 columns so no terminal wraps it. */
    static final int WIDTH = 79;

    private static final int MIN_BAR = 10;
    private static final int MAX_BAR = 30;
    private static final String UNKNOWN_TIME = "--:--";

    private final PrintStream out;
    private final LongSupplier clock;
    private final int epochs;
    private final int batches;
    private final long totalBatches;
    private final long start;
    private long done;
    private long nextUpdate;
    private int epoch;
    private int shown;

    /**
     * @param clock nanoseconds, as {@link System#nanoTime()}
     * @param firstEpoch the epoch this fit starts with (later than 1 when it resumes)
     * @param batches the number of batches per epoch
     */
    ProgressBar(PrintStream out, LongSupplier clock, int firstEpoch, int epochs, int batches) {
        this.out = out;
        this.clock = clock;
        this.epochs = epochs;
        this.batches = batches;
        this.totalBatches = (long) (epochs - firstEpoch + 1) * batches;
        this.start = clock.getAsLong();
        this.nextUpdate = start;
        this.epoch = firstEpoch;
    }

    /** Notes that {@code epoch} begins. */
    void startEpoch(int epoch) {
        this.epoch = epoch;
    }

    /**
     * Notes that batch {@code batch} (1-based) of the current epoch is done, and redraws the bar
     * if it is due.
     *
     * @param lossSum the sum over the epoch's rows so far of the loss times the rows
     * @param rows the rows of the epoch so far
     */
    void batchDone(int batch, double lossSum, int rows) {
        done++;
        long now = clock.getAsLong();
        if (now - nextUpdate < 0) {
            return;
        }
        nextUpdate = now + INTERVAL_NANOS;
        long elapsed = now - start;
        long left = elapsed <= 0 ? -1 : (long) ((double) elapsed / done * (totalBatches - done));
        show(line(epoch, epochs, batch, batches, lossSum / rows, left));
    }

    /** Replaces the bar by the epoch's line and ends it. */
    void endEpoch(EpochReport report) {
        String text = report.toString();
        out.print('\r');
        out.print(text);
        out.print(" ".repeat(Math.max(0, shown - text.length())));
        out.println();
        out.flush();
        shown = 0;
        // The next epoch's first batch redraws at once.
        nextUpdate = clock.getAsLong();
    }

    /**
     * Ends a bar left on the line, so that what follows (a {@link NonFiniteTrainingException}'s
     * stack trace) starts on a line of its own; after {@link #endEpoch} it prints nothing.
     */
    void finish() {
        if (shown > 0) {
            out.println();
            out.flush();
            shown = 0;
        }
    }

    private void show(String text) {
        out.print('\r');
        out.print(text);
        out.print(" ".repeat(Math.max(0, shown - text.length())));
        out.flush();
        shown = text.length();
    }

    /**
     * The bar's text: the epoch, a bar as long as fits in {@link #WIDTH} columns (10 to 30
     * characters), the batches done, the mean loss of the epoch so far and the time left. The
     * numbers are padded to the widths of their largest values, so the line keeps its length
     * through the fit.
     *
     * @param nanosLeft the estimated time left, or a negative number if there is no estimate yet
     */
    static String line(int epoch, int epochs, int batch, int batches, double loss, long nanosLeft) {
        StringBuilder head = new StringBuilder(24);
        head.append("epoch ");
        padLeft(head, Integer.toString(epoch), digits(epochs));
        head.append('/').append(epochs).append(" [");
        StringBuilder tail = new StringBuilder(48);
        tail.append("] ");
        padLeft(tail, Integer.toString(batch), digits(batches));
        tail.append('/').append(batches).append("  loss ");
        String formatted = EpochReport.formatLoss(loss);
        tail.append(formatted).append(" ".repeat(Math.max(0, 10 - formatted.length())));
        tail.append("  ");
        padLeft(tail, timeLeft(nanosLeft), 8);
        tail.append(" left");

        int width = Math.max(MIN_BAR, Math.min(MAX_BAR, WIDTH - head.length() - tail.length()));
        int filled = (int) ((long) batch * width / batches);
        StringBuilder bar = new StringBuilder(width);
        bar.append("=".repeat(filled));
        if (filled < width) {
            bar.append('>');
        }
        bar.append(" ".repeat(width - bar.length()));
        return head.append(bar).append(tail).toString();
    }

    /**
     * A duration as {@code m:ss} under an hour, {@code h:mm:ss} under 100 hours, {@code >99h}
     * beyond, and {@code --:--} for a negative (unknown) one; rounded to the nearest second.
     */
    static String timeLeft(long nanos) {
        if (nanos < 0) {
            return UNKNOWN_TIME;
        }
        long seconds = nanos / 1_000_000_000L + (nanos % 1_000_000_000L >= 500_000_000L ? 1 : 0);
        if (seconds >= 100 * 3600) {
            return ">99h";
        }
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        StringBuilder sb = new StringBuilder(8);
        if (h > 0) {
            sb.append(h).append(':');
            if (m < 10) {
                sb.append('0');
            }
        }
        sb.append(m).append(':');
        if (s < 10) {
            sb.append('0');
        }
        return sb.append(s).toString();
    }

    /**
     * Whether to draw the bar: {@code setting} {@code "bar"} forces it, {@code "plain"} forbids
     * it, and {@code null} or {@code "auto"} draws it when the JVM has a console that is a
     * terminal and {@code TERM} is not {@code dumb}.
     *
     * @param setting the value of the {@link #PROPERTY} system property, or null
     * @param console whether {@link System#console()} is not null
     * @param terminal whether that console is a terminal (on Java 22 and later the console may
     *     exist with its input or output redirected)
     * @param term the {@code TERM} environment variable, or null
     * @throws IllegalArgumentException for any other setting
     */
    static boolean interactive(String setting, boolean console, boolean terminal, String term) {
        if (setting == null || setting.equals("auto")) {
            return console && terminal && !"dumb".equals(term);
        }
        return switch (setting) {
            case "bar" -> true;
            case "plain" -> false;
            default ->
                throw new IllegalArgumentException(
                        "system property " + PROPERTY + " must be auto, bar or plain, found '" + setting + "'");
        };
    }

    /** {@link #interactive} for this JVM: its system property, console and environment. */
    static boolean detect() {
        Console console = System.console();
        return interactive(
                System.getProperty(PROPERTY),
                console != null,
                console != null && isTerminal(console),
                System.getenv("TERM"));
    }

    /**
     * {@code Console.isTerminal()} where it exists (Java 22 and later). Before, {@link
     * System#console()} is null unless input and output are both a terminal, so a console is one.
     */
    private static boolean isTerminal(Console console) {
        Method isTerminal;
        try {
            isTerminal = Console.class.getMethod("isTerminal");
        } catch (NoSuchMethodException e) {
            return true;
        }
        try {
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    private static int digits(int value) {
        return Integer.toString(value).length();
    }

    private static void padLeft(StringBuilder sb, String text, int width) {
        sb.append(" ".repeat(Math.max(0, width - text.length()))).append(text);
    }
}
