package dev.nnc.compiler.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** The promises of {@link Trials}: reproducible trials, and failures that say how to repeat them. */
class TrialsTest {
    /** The inputs the trials of a run see, in order. */
    private static List<Long> inputs(long baseSeed, int count) throws Throwable {
        List<Long> seen = new ArrayList<>();
        for (DynamicTest trial : Trials.check(baseSeed, count, RandomGenerator::nextLong, seen::add)
                .toList()) {
            trial.getExecutable().execute();
        }
        return seen;
    }

    private static long trialSeed(long baseSeed, int number) {
        return new SplittableRandom(baseSeed).longs(number).toArray()[number - 1];
    }

    @Test
    void aBaseSeedDeterminesEveryInput() throws Throwable {
        assertEquals(inputs(42, 20), inputs(42, 20));
        assertNotEquals(inputs(42, 20), inputs(43, 20));
    }

    @Test
    void aSmallerCountRunsAPrefixOfTheSameTrials() throws Throwable {
        assertEquals(inputs(42, 5), inputs(42, 50).subList(0, 5));
    }

    @Test
    void aTrialSeedAloneRebuildsItsInput() throws Throwable {
        List<DynamicTest> trials = Trials.check(7, 3, random -> 0, input -> {}).toList();
        assertEquals("trial 3 (seed " + trialSeed(7, 3) + ")", trials.get(2).getDisplayName());
        assertEquals(inputs(7, 3).get(2), new SplittableRandom(trialSeed(7, 3)).nextLong());
    }

    @Test
    void aFailureNamesTheTrialTheRerunTheInputAndTheCause() {
        DynamicTest third = Trials.check(7, 3, random -> "c\u202e\"\n", text -> assertTrue(text.isEmpty(), "not empty"))
                .toList()
                .get(2);
        AssertionError failure =
                assertThrows(AssertionError.class, () -> third.getExecutable().execute());
        String message = failure.getMessage();
        assertTrue(message.contains("trial 3 of 3, trial seed " + trialSeed(7, 3)), message);
        assertTrue(message.contains("rerun: -Dnnc.trials.seed=7 -Dnnc.trials.count=3"), message);
        assertTrue(message.contains("input: \"c\\u202e\\\"\\n\""), message);
        assertTrue(message.contains("not empty"), message);
    }

    @Test
    void anAbortedTrialStaysAborted() {
        DynamicTest trial = Trials.check(1, 1, random -> 0, input -> Assumptions.assumeTrue(false))
                .toList()
                .get(0);
        assertThrows(TestAbortedException.class, () -> trial.getExecutable().execute());
    }

    @Test
    void aLongInputIsTruncated() {
        assertEquals(
                "\"" + "x".repeat(Trials.MAX_INPUT_CHARS) + "\" ... (5 more chars)",
                Trials.show("x".repeat(Trials.MAX_INPUT_CHARS + 5)));
    }

    @Test
    void anInputThatIsNotTextKeepsItsLinesButNotItsControls() {
        assertEquals("[a\n\tb\\u0000\\u202ec é]", Trials.show(List.of("a\n\tb\u0000\u202ec é")));
    }
}
