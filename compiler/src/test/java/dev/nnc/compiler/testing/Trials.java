package dev.nnc.compiler.testing;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.TestAbortedException;

/**
 * Seeded property tests on plain JUnit Jupiter: a property is checked on inputs drawn by a
 * generator, once per trial, and every trial is reproducible from one number.
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> parsingNeverThrows() {
 *     return Trials.check(300, random -> randomText(random), text -> assertParses(text));
 * }
 * }</pre>
 *
 * <h2>Seeds</h2>
 *
 * A run has a <em>base seed</em>, {@value #DEFAULT_SEED} unless the system property {@value
 * #SEED_PROPERTY} gives another. Trial {@code n} (counting from 1) gets its own <em>trial
 * seed</em>, the {@code n}-th number drawn from a {@link SplittableRandom} seeded with the base
 * seed, and its generator draws from a fresh {@code SplittableRandom} seeded with the trial seed.
 * So:
 *
 * <ul>
 *   <li>a run is deterministic: the build tests the same inputs on every machine and every day,
 *       and a red build stays red until the code is fixed;
 *   <li>{@code -Dnnc.trials.seed=N} explores other inputs, and {@code -Dnnc.trials.count=N}
 *       replaces every property's number of trials (more for a long soak, fewer to stop at a
 *       failing trial); trial {@code n} is the same whatever the count, because the trial seeds
 *       are a prefix of one stream;
 *   <li>a failing input can be pinned in a unit test as {@code generator.apply(new
 *       SplittableRandom(trialSeed))} with the trial seed from the failure message.
 * </ul>
 *
 * <p>Every property of a run starts from the same base seed. That is harmless: each property
 * reads the stream through its own generator, so equal seeds do not make equal inputs.
 *
 * <h2>Why dynamic tests</h2>
 *
 * Each trial is a {@link DynamicTest} returned from a {@code @TestFactory} method, rather than an
 * iteration of a loop inside one test or a {@code @ParameterizedTest} over trial numbers:
 *
 * <ul>
 *   <li>every trial appears in the IDE and in the Surefire report with its trial seed in its
 *       name, so the number of checks a property made is visible rather than claimed;
 *   <li>one failing trial does not hide the others: the report shows every failing seed, which
 *       tells a one-off from a systematic break;
 *   <li>the trial wrapper catches the failure and rethrows it with the seed and the generated
 *       input attached, which a {@code @ParameterizedTest} cannot do without every property
 *       repeating that code.
 * </ul>
 *
 * <p>There is no shrinking: a failure shows the input as generated (strings as Java string
 * literals, so they can be pasted into a test; anything else by its {@code toString()}),
 * truncated after {@value #MAX_INPUT_CHARS} characters.
 */
public final class Trials {
    /** System property holding the base seed, a decimal or {@code 0x} hexadecimal long. */
    public static final String SEED_PROPERTY = "nnc.trials.seed";

    /** System property that, when set, replaces the number of trials of every property. */
    public static final String COUNT_PROPERTY = "nnc.trials.count";

    /** The base seed of a run that does not set {@value #SEED_PROPERTY}: "nnc" in ASCII. */
    public static final long DEFAULT_SEED = 0x6E6E63L;

    /** How much of a generated input a failure message shows. */
    public static final int MAX_INPUT_CHARS = 2_000;

    private Trials() {}

    /**
     * One dynamic test per trial, each checking {@code property} on one input from {@code
     * generator}. The property fails by throwing, typically an {@link AssertionError} from
     * JUnit's assertions; an {@link TestAbortedException} (a failed JUnit assumption) aborts the
     * trial instead, and is passed through untouched.
     *
     * @param tries the number of trials, unless {@value #COUNT_PROPERTY} is set
     * @param generator draws one input; it must use no randomness but the generator it is given
     * @param property checks one input
     */
    public static <T> Stream<DynamicTest> check(
            int tries, Function<? super RandomGenerator, ? extends T> generator, Consumer<? super T> property) {
        return check(baseSeed(), count(tries), generator, property);
    }

    /** {@link #check(int, Function, Consumer)} with the base seed and count given, not looked up. */
    static <T> Stream<DynamicTest> check(
            long baseSeed,
            int count,
            Function<? super RandomGenerator, ? extends T> generator,
            Consumer<? super T> property) {
        long[] trialSeeds = new SplittableRandom(baseSeed).longs(count).toArray();
        return IntStream.rangeClosed(1, count).mapToObj(number -> {
            Trial trial = new Trial(baseSeed, number, count, trialSeeds[number - 1]);
            return dynamicTest(trial.name(), () -> run(trial, generator, property));
        });
    }

    /**
     * Where a trial sits in its run: enough to name it and to rerun it. Trials are numbered from
     * 1, as JUnit numbers dynamic tests, so that trial 7 is the report's {@code [7]}.
     */
    private record Trial(long baseSeed, int number, int count, long seed) {
        String name() {
            return "trial " + number + " (seed " + seed + ")";
        }

        String describe() {
            return "trial " + number + " of " + count + ", trial seed " + seed + "\n  rerun: -D" + SEED_PROPERTY + "="
                    + baseSeed + " -D" + COUNT_PROPERTY + "=" + number + " (its last trial is this one)";
        }
    }

    private static <T> void run(
            Trial trial, Function<? super RandomGenerator, ? extends T> generator, Consumer<? super T> property) {
        T input;
        try {
            input = generator.apply(new SplittableRandom(trial.seed()));
        } catch (RuntimeException | AssertionError | StackOverflowError e) {
            throw new AssertionError("generator failed on " + trial.describe() + "\n  failure: " + headline(e), e);
        }
        try {
            property.accept(input);
        } catch (TestAbortedException e) {
            throw e;
        } catch (RuntimeException | AssertionError | StackOverflowError e) {
            // StackOverflowError is a finding (unbounded recursion on some input), not a JVM crash.
            throw new AssertionError(
                    "property failed on " + trial.describe() + "\n  input:" + indent(show(input)) + "\n  failure: "
                            + headline(e),
                    e);
        }
    }

    /** The first line of a failure; the rest is in the cause, which JUnit prints in full. */
    private static String headline(Throwable failure) {
        String text = failure.toString();
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end) + " ...";
    }

    /** One line after a space, or several, each on its own line below, indented. */
    private static String indent(String text) {
        return text.contains("\n") ? "\n" + text.indent(4).stripTrailing() : " " + text;
    }

    private static long baseSeed() {
        String value = System.getProperty(SEED_PROPERTY);
        if (value == null || value.isBlank()) {
            return DEFAULT_SEED;
        }
        try {
            return Long.decode(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(SEED_PROPERTY + " must be a long, not '" + value + "'", e);
        }
    }

    private static int count(int tries) {
        if (tries < 1) {
            throw new IllegalArgumentException("a property needs at least one trial, not " + tries);
        }
        String value = System.getProperty(COUNT_PROPERTY);
        if (value == null || value.isBlank()) {
            return tries;
        }
        try {
            int count = Integer.parseInt(value.strip());
            if (count >= 1) {
                return count;
            }
        } catch (NumberFormatException e) {
            // Reported below, with the same message as a count that is too small.
        }
        throw new IllegalArgumentException(COUNT_PROPERTY + " must be a positive int, not '" + value + "'");
    }

    /**
     * A generated input for a failure message: strings as Java string literals, anything else by
     * {@code toString()} with the characters that would garble a terminal (controls other than
     * line breaks and tabs, bidirectional overrides, lone surrogates...) escaped; truncated after
     * {@value #MAX_INPUT_CHARS} characters either way.
     */
    static String show(Object input) {
        boolean literal = input instanceof CharSequence;
        String text = String.valueOf(input);
        int shown = Math.min(text.length(), MAX_INPUT_CHARS);
        StringBuilder out = new StringBuilder(literal ? "\"" : "");
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append(literal ? "\\n" : "\n");
                case '\t' -> out.append(literal ? "\\t" : "\t");
                case '\r' -> out.append("\\r");
                case '"' -> out.append(literal ? "\\\"" : "\"");
                case '\\' -> out.append(literal ? "\\\\" : "\\");
                default -> {
                    // A literal keeps ASCII and letters and escapes the rest, so that it can be
                    // pasted into a test and mean the same string.
                    boolean keep = literal ? (c >= ' ' && c < 0x7f) || Character.isLetterOrDigit(c) : prints(c);
                    out.append(keep ? String.valueOf(c) : String.format("\\u%04x", (int) c));
                }
            }
        }
        out.append(literal ? "\"" : "");
        if (shown < text.length()) {
            out.append(" ... (").append(text.length() - shown).append(" more chars)");
        }
        return out.toString();
    }

    /** Whether {@code c} prints as itself: not a control, format, surrogate or unassigned char. */
    private static boolean prints(char c) {
        int type = Character.getType(c);
        return type != Character.CONTROL
                && type != Character.FORMAT
                && type != Character.SURROGATE
                && type != Character.UNASSIGNED
                && type != Character.PRIVATE_USE
                && type != Character.LINE_SEPARATOR
                && type != Character.PARAGRAPH_SEPARATOR;
    }
}
