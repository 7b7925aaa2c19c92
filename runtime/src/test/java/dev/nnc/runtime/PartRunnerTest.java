package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * {@link PartRunner} runs every part exactly once, on the caller and its helpers, shows each side
 * the other's writes, never deadlocks, hands a helper's exception to the caller, and allocates
 * nothing per call. Tests that need a helper to take part use their own runner, so that no other
 * test can be holding the job slot, and wait for each other with timeouts rather than sleeps.
 */
class PartRunnerTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Long enough for a descheduled thread on a loaded machine, short enough to fail a test. */
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(20);

    @Test
    void runsEveryPartExactlyOnceForAnyPartsAndThreads() {
        PartRunner[] runners = {PartRunner.shared(), new PartRunner(1), new PartRunner(3)};
        SeededRandom random = new SeededRandom(11);
        for (int call = 0; call < 3_000; call++) {
            PartRunner runner = runners[call % runners.length];
            int parts = random.nextInt(24);
            int threads = random.nextInt(7) - 1;
            AtomicIntegerArray runs = new AtomicIntegerArray(parts);
            runner.run(runs::incrementAndGet, parts, threads);
            for (int part = 0; part < parts; part++) {
                assertEquals(1, runs.get(part), "part " + part + " of " + parts + " with " + threads + " threads");
            }
        }
    }

    @Test
    void runsOnTheCallerInPartOrderWithOneThreadOrOnePart() {
        PartRunner runner = new PartRunner(3);
        for (int[] partsAndThreads : new int[][] {{5, 1}, {5, 0}, {5, -3}, {1, 4}}) {
            List<Integer> order = new ArrayList<>();
            List<Thread> ranOn = new ArrayList<>();
            runner.run(
                    part -> {
                        order.add(part);
                        ranOn.add(Thread.currentThread());
                    },
                    partsAndThreads[0],
                    partsAndThreads[1]);
            List<Integer> expected = new ArrayList<>();
            for (int part = 0; part < partsAndThreads[0]; part++) {
                expected.add(part);
                assertSame(Thread.currentThread(), ranOn.get(part));
            }
            assertEquals(expected, order, Arrays.toString(partsAndThreads));
        }
    }

    @Test
    void zeroPartsRunNothingAndNegativePartsAreRejected() {
        PartRunner.shared().run(part -> fail("ran part " + part), 0, 2);
        IllegalArgumentException thrown = assertThrows(
                IllegalArgumentException.class, () -> PartRunner.shared().run(part -> {}, -1, 2));
        assertEquals("parts must not be negative, found -1", thrown.getMessage());
    }

    @Test
    void theSharedRunnerOffersOneThreadPerProcessor() {
        assertEquals(
                Runtime.getRuntime().availableProcessors(), PartRunner.shared().threadLimit());
        assertEquals(3, new PartRunner(2).threadLimit());
        assertEquals(1, new PartRunner(-1).threadLimit());
    }

    @Test
    void partsSeeTheCallersWritesAndTheCallerSeesTheParts() {
        PartRunner runner = new PartRunner(1);
        int parts = 8;
        // Plain arrays: only the runner's own synchronisation makes these writes visible.
        long[] input = new long[parts];
        long[] output = new long[parts];
        PartRunner.Task twiceAndOne = part -> output[part] = 2 * input[part] + 1;
        for (int round = 0; round < 20_000; round++) {
            for (int part = 0; part < parts; part++) {
                input[part] = 31L * round + part;
            }
            runner.run(twiceAndOne, parts, 2);
            for (int part = 0; part < parts; part++) {
                if (output[part] != 2 * input[part] + 1) {
                    fail("round " + round + ", part " + part + ": " + output[part]);
                }
            }
        }
    }

    @Test
    void usesAHelperThreadWhenThePoolIsFree() {
        Meeting meeting = new Meeting();
        new PartRunner(1).run(meeting, 2, 2);
        List<Thread> ranOn = Arrays.asList(meeting.ranOn);
        assertTrue(ranOn.contains(Thread.currentThread()), ranOn.toString());
        Thread helper = ranOn.get(0) == Thread.currentThread() ? ranOn.get(1) : ranOn.get(0);
        assertNotSame(Thread.currentThread(), helper);
        assertEquals("nnc-part-1", helper.getName());
        assertTrue(helper.isDaemon());
    }

    @Test
    void aHelperJoinsEveryTimeAfterItHasParked() {
        PartRunner runner = new PartRunner(1);
        for (int round = 0; round < 20; round++) {
            Meeting meeting = new Meeting();
            runner.run(meeting, 2, 2);
            assertNotSame(meeting.ranOn[0], meeting.ranOn[1], "round " + round);
            // Well past the helper's spinning time, so it is parked when the next job comes.
            sleepAtLeastNanos(5 * PartRunner.SPIN_NANOS);
        }
    }

    @Test
    void runsEverythingOnTheCallerWhileAnotherCallersJobHoldsThePool() throws InterruptedException {
        PartRunner runner = new PartRunner(1);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Throwable> holderFailure = new AtomicReference<>();
        Thread holder = new Thread(() -> {
            try {
                runner.run(
                        part -> {
                            holding.countDown();
                            await(() -> release.getCount() == 0, "the test to release the pool");
                        },
                        2,
                        2);
            } catch (Throwable thrown) {
                holderFailure.set(thrown);
            }
        });
        holder.setDaemon(true);
        holder.start();
        assertTrue(holding.await(20, TimeUnit.SECONDS), "the holder's job never started");

        List<Thread> ranOn = new ArrayList<>();
        runner.run(part -> ranOn.add(Thread.currentThread()), 3, 2);
        assertEquals(List.of(Thread.currentThread(), Thread.currentThread(), Thread.currentThread()), ranOn);

        release.countDown();
        holder.join(TimeUnit.SECONDS.toMillis(20));
        assertNull(holderFailure.get());
    }

    @Test
    void nestedCallsRunOnTheThreadOfTheEnclosingPart() {
        PartRunner runner = new PartRunner(1);
        int outer = 4;
        int inner = 3;
        Thread[][] ranOn = new Thread[outer][inner];
        Thread[] outerRanOn = new Thread[outer];
        assertTimeoutPreemptively(
                Duration.ofSeconds(60),
                () -> runner.run(
                        part -> {
                            outerRanOn[part] = Thread.currentThread();
                            runner.run(innerPart -> ranOn[part][innerPart] = Thread.currentThread(), inner, 2);
                        },
                        outer,
                        2));
        for (int part = 0; part < outer; part++) {
            for (int innerPart = 0; innerPart < inner; innerPart++) {
                assertSame(outerRanOn[part], ranOn[part][innerPart]);
            }
        }
    }

    @Test
    void callersOnSeveralThreadsAtOnceEachGetEveryPartExactlyOnce() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (PartRunner runner : new PartRunner[] {PartRunner.shared(), new PartRunner(3)}) {
                int callers = 4;
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread[] threads = new Thread[callers];
                for (int c = 0; c < callers; c++) {
                    long seed = c;
                    threads[c] = new Thread(() -> {
                        try {
                            callRepeatedly(runner, seed);
                        } catch (Throwable thrown) {
                            failure.compareAndSet(null, thrown);
                        }
                    });
                    threads[c].setDaemon(true);
                    threads[c].start();
                }
                for (Thread thread : threads) {
                    thread.join();
                }
                assertNull(failure.get());
            }
        });
    }

    @Test
    void handsOverFromJobToJobWithoutMixingUpTheirParts() {
        // Back-to-back jobs of different sizes, with more helpers than cores: a helper arriving
        // late at a finished job of 2 parts must not take a part of the next job of 8 for it.
        PartRunner runner = new PartRunner(3);
        Counting small = new Counting(2);
        Counting large = new Counting(8);
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int job = 0; job < 300_000; job++) {
                Counting counting = job % 2 == 0 ? small : large;
                runner.run(counting, counting.runs.length(), 4);
                counting.checkEachPartRanOnceAndReset(job);
            }
        });
    }

    /** Counts the runs of each part. */
    private static final class Counting implements PartRunner.Task {
        final AtomicIntegerArray runs;

        Counting(int parts) {
            runs = new AtomicIntegerArray(parts);
        }

        @Override
        public void run(int part) {
            runs.incrementAndGet(part);
        }

        void checkEachPartRanOnceAndReset(int job) {
            for (int part = 0; part < runs.length(); part++) {
                if (runs.getAndSet(part, 0) != 1) {
                    fail("job " + job + ": " + runs);
                }
            }
        }
    }

    private static void callRepeatedly(PartRunner runner, long seed) {
        SeededRandom random = new SeededRandom(seed);
        for (int call = 0; call < 10_000; call++) {
            int parts = random.nextInt(12);
            int threads = 1 + random.nextInt(4);
            int[] runs = new int[parts];
            AtomicIntegerArray concurrentRuns = new AtomicIntegerArray(parts);
            runner.run(
                    part -> {
                        if (concurrentRuns.incrementAndGet(part) != 1) {
                            throw new AssertionError("part " + part + " is running twice at once");
                        }
                        runs[part]++;
                        busyWork(200);
                        concurrentRuns.decrementAndGet(part);
                    },
                    parts,
                    threads);
            int[] once = new int[parts];
            Arrays.fill(once, 1);
            assertArrayEquals(once, runs, "call " + call + ": " + parts + " parts, " + threads + " threads");
        }
    }

    @Test
    void rethrowsAHelpersRuntimeExceptionInTheCallerAsTheSameObject() {
        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(boom, failOnHelper(new PartRunner(1), boom));
    }

    @Test
    void rethrowsAHelpersErrorInTheCallerAsTheSameObject() {
        Error boom = new AssertionError("boom");
        assertSame(boom, failOnHelper(new PartRunner(1), boom));
    }

    /** Runs two parts that meet, then throws {@code boom} from the part on the helper. */
    private static Throwable failOnHelper(PartRunner runner, Throwable boom) {
        Thread caller = Thread.currentThread();
        AtomicInteger started = new AtomicInteger();
        AtomicBoolean callerPartFinished = new AtomicBoolean();
        Throwable thrown = assertThrows(
                Throwable.class,
                () -> runner.run(
                        part -> {
                            meet(started);
                            if (Thread.currentThread() == caller) {
                                callerPartFinished.set(true);
                            } else if (boom instanceof Error error) {
                                throw error;
                            } else {
                                throw (RuntimeException) boom;
                            }
                        },
                        2,
                        2));
        assertTrue(callerPartFinished.get());
        return thrown;
    }

    @Test
    void waitsForTheHelpersPartBeforeRethrowingTheCallersException() {
        PartRunner runner = new PartRunner(1);
        Thread caller = Thread.currentThread();
        AtomicInteger started = new AtomicInteger();
        AtomicBoolean helperPartFinished = new AtomicBoolean();
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(
                IllegalStateException.class,
                () -> runner.run(
                        part -> {
                            meet(started);
                            if (Thread.currentThread() == caller) {
                                throw boom;
                            }
                            sleepAtLeastNanos(TimeUnit.MILLISECONDS.toNanos(50));
                            helperPartFinished.set(true);
                        },
                        2,
                        2));
        assertSame(boom, thrown);
        assertTrue(helperPartFinished.get(), "run returned while the helper's part was still running");
    }

    @Test
    void startsNoPartAfterAPartHasFailed() {
        PartRunner runner = new PartRunner(1);
        AtomicIntegerArray runs = new AtomicIntegerArray(6);
        assertThrows(
                IllegalStateException.class,
                () -> runner.run(
                        part -> {
                            runs.incrementAndGet(part);
                            if (part == 0) {
                                throw new IllegalStateException("part 0");
                            }
                        },
                        6,
                        1));
        assertEquals("[1, 0, 0, 0, 0, 0]", runs.toString());
    }

    @Test
    void keepsWorkingWithItsHelperAfterAFailedJob() {
        PartRunner runner = new PartRunner(1);
        IllegalStateException boom = new IllegalStateException("boom");
        for (int round = 0; round < 5; round++) {
            assertSame(boom, failOnHelper(runner, boom));
            Meeting meeting = new Meeting();
            runner.run(meeting, 2, 2);
            assertNotSame(meeting.ranOn[0], meeting.ranOn[1]);
        }
    }

    @Test
    void allocatesNothingPerCallAfterWarmUp() {
        PartRunner runner = new PartRunner(1);
        AllocationProbe probe = new AllocationProbe(Thread.currentThread());
        for (int i = 0; i < 20_000; i++) {
            runner.run(probe, 4, 2);
        }
        // As in the compiler's AllocationTest: an allocation per call shows in every window, and
        // a one-off allocation of the JVM's own may show in one, so the quietest window counts.
        long callerQuietest = Long.MAX_VALUE;
        long helperQuietest = Long.MAX_VALUE;
        for (int window = 0; window < 5; window++) {
            probe.helperFirst = -1;
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 1_000; i++) {
                runner.run(probe, 4, 2);
            }
            callerQuietest = Math.min(callerQuietest, THREADS.getCurrentThreadAllocatedBytes() - before);
            if (probe.helperFirst >= 0) {
                helperQuietest = Math.min(helperQuietest, probe.helperLast - probe.helperFirst);
            }
        }
        assertEquals(0, callerQuietest, "the caller allocated in each window of 1,000 calls");
        assertTrue(helperQuietest != Long.MAX_VALUE, "the helper took no part in any window");
        assertEquals(0, helperQuietest, "the helper allocated between its first and last part of each window");
    }

    /** Four short parts; the helper reads its own allocation counter whenever it runs one. */
    private static final class AllocationProbe implements PartRunner.Task {
        private final Thread caller;
        long helperFirst = -1;
        long helperLast;
        long sink;

        AllocationProbe(Thread caller) {
            this.caller = caller;
        }

        @Override
        public void run(int part) {
            sink += busyWork(500);
            if (Thread.currentThread() != caller) {
                long bytes = THREADS.getCurrentThreadAllocatedBytes();
                if (helperFirst < 0) {
                    helperFirst = bytes;
                }
                helperLast = bytes;
            }
        }
    }

    @Test
    void forgetsTheTaskWhenTheJobIsDone() {
        PartRunner runner = new PartRunner(1);
        Meeting meeting = new Meeting();
        runner.run(meeting, 2, 2);
        WeakReference<Meeting> reference = new WeakReference<>(meeting);
        meeting = null;
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (reference.get() != null && System.nanoTime() < deadline) {
            System.gc();
            sleepAtLeastNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        assertNull(reference.get(), "the runner or its helper still holds the finished job's task");
    }

    /**
     * Prints how long a call takes when each of two threads must run one part: the hand-off to
     * the helper and back. A figure, not an assertion: the machine may be busy.
     */
    @Test
    void printsTheHandOffLatency() {
        PartRunner runner = new PartRunner(1);
        Handshake handshake = new Handshake();
        long[] spinning = new long[20_000];
        for (int i = 0; i < spinning.length; i++) {
            spinning[i] = handshake.timeOneCall(runner);
        }
        long[] parked = new long[200];
        for (int i = 0; i < parked.length; i++) {
            sleepAtLeastNanos(5 * PartRunner.SPIN_NANOS);
            parked[i] = handshake.timeOneCall(runner);
        }
        System.out.printf(
                "PartRunner hand-off and back, 2 parts on 2 threads: spinning helper median %.1f µs"
                        + " (90th percentile %.1f µs), parked helper median %.1f µs (90th percentile %.1f µs)%n",
                percentile(spinning, 50) / 1e3,
                percentile(spinning, 90) / 1e3,
                percentile(parked, 50) / 1e3,
                percentile(parked, 90) / 1e3);
    }

    /** Two parts, each of which waits until both have started: run only returns via a helper. */
    private static final class Handshake implements PartRunner.Task {
        private final AtomicInteger arrivals = new AtomicInteger();
        private volatile int target;

        long timeOneCall(PartRunner runner) {
            target += 2;
            long start = System.nanoTime();
            runner.run(this, 2, 2);
            return System.nanoTime() - start;
        }

        @Override
        public void run(int part) {
            arrivals.incrementAndGet();
            long deadline = System.nanoTime() + PATIENCE_NANOS;
            while (arrivals.get() < target) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("the other part of the handshake never started");
                }
                Thread.onSpinWait();
            }
        }
    }

    private static double percentile(long[] values, int percent) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * percent / 100)];
    }

    /**
     * Two parts that can only both finish on two different threads: each waits until the other
     * has started. Records the thread of each part.
     */
    private static final class Meeting implements PartRunner.Task {
        final Thread[] ranOn = new Thread[2];
        private final AtomicInteger started = new AtomicInteger();

        @Override
        public void run(int part) {
            ranOn[part] = Thread.currentThread();
            meet(started);
        }
    }

    /** Counts this part as started and waits until the other of two parts has started too. */
    private static void meet(AtomicInteger started) {
        started.incrementAndGet();
        await(() -> started.get() == 2, "the other part to start on another thread");
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("waited " + TimeUnit.NANOSECONDS.toSeconds(PATIENCE_NANOS) + " s for " + what);
            }
            Thread.onSpinWait();
        }
    }

    private static void sleepAtLeastNanos(long nanos) {
        long deadline = System.nanoTime() + nanos;
        while (System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(deadline - System.nanoTime());
        }
    }

    /** A few hundred nanoseconds of arithmetic the JIT cannot remove. */
    private static long busyWork(int iterations) {
        long x = iterations;
        for (int i = 0; i < iterations; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }
}
