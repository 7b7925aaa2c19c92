package dev.nnc.runtime;

import java.lang.reflect.UndeclaredThrowableException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the parts of one phase of work on the calling thread and on helper threads, allocating
 * nothing per call and handing work over in microseconds. Generated training code uses it to
 * put a second core to work on one training step.
 *
 * <pre>{@code
 * private final class Backward implements PartRunner.Task {   // created once, with the network
 *     public void run(int part) { ... rows [part * 64, part * 64 + 64) of the gradient ... }
 * }
 * PartRunner.shared().run(backward, 4, threads);             // one call per phase
 * }</pre>
 *
 * <p><b>Determinism.</b> The caller splits a phase into a fixed number of parts that write
 * disjoint memory. The split depends only on {@code parts}, never on {@code threads}, on how many
 * helpers are awake, or on which thread runs which part, and a part does the same floating-point
 * operations in the same order on any thread. So the result is bitwise identical for every
 * {@code threads} value, including 1, and when the pool is busy and the caller runs everything
 * itself. Anything combined across parts (a sum of per-part losses, say) must be combined by the
 * caller, in part order, after {@code run} returns.
 *
 * <p><b>Spin, then park.</b> A phase takes 50 to 500 µs and a step has about four, so a hand-off
 * must cost a few microseconds. Waking a parked thread costs far more (a futex wake and a trip
 * through the scheduler), so a helper that has finished a job spins ({@link Thread#onSpinWait()})
 * for {@link #SPIN_NANOS} watching for the next one, and only then parks; the caller unparks the
 * parked helpers it wants after publishing a job. Between the phases of a step the helpers are
 * still spinning and join at once; between bursts of training they cost nothing. The caller
 * never waits for a helper to start: it claims parts itself from the same counter, so a helper
 * that wakes late only misses its share.
 *
 * <p><b>Part 0 is the caller's.</b> The caller runs part 0 itself, first; the helpers claim from
 * part 1 on. With as many parts as threads, each part then runs on the same thread step after
 * step as long as the helpers keep up, so the memory a part owns (its share of a weight matrix,
 * say) stays in that core's cache instead of moving to the other core whenever a helper happens
 * to claim first. Which thread runs a part still never changes a result.
 *
 * <p><b>One job at a time.</b> The runner has one job slot. A caller that finds it taken by
 * another thread's job, a call with {@code threads <= 1} or {@code parts <= 1}, and a nested call
 * from inside a part all run their parts on the calling thread, in part order, without any
 * synchronisation. So {@code run} never waits for another caller and cannot deadlock, whatever
 * the parts do, as long as the parts themselves finish.
 *
 * <p><b>Memory visibility.</b> The caller publishes a job with a volatile write of the claim word
 * (job number and next part) after writing the job's fields, and every part is claimed by a
 * compare-and-set of that word, which reads it; so everything the caller wrote before {@code run}
 * happens-before every part. Each part ends with an increment of the finished counter, and the
 * caller returns only after reading the count of all parts; so everything a part wrote
 * happens-before the return of {@code run}.
 *
 * <p><b>Failures.</b> If a part throws, no part starts after that (parts already claimed are
 * skipped), {@code run} waits for the parts that are running, then throws the first exception on
 * the calling thread: the same object, with any later one from a part running at the same time
 * added as suppressed. Helpers survive a failed job.
 *
 * <p><b>Helpers</b> are daemon threads named {@code nnc-part-1}, {@code nnc-part-2}, ..., started
 * on the first call that wants them. They inherit no thread-local values and use this class's
 * loader as context class loader, and the runner forgets each job's task when the job ends, so
 * they keep nothing alive but the runner itself (and a finished network can be collected).
 */
public final class PartRunner {

    /** The work of one phase: {@link #run(int)} is called once for every part in [0, parts). */
    @FunctionalInterface
    public interface Task {
        /** Does part {@code part} of the phase; parts of one phase write disjoint memory. */
        void run(int part);
    }

    /**
     * How long a helper spins for the next job before it parks, and the caller spins for the
     * helpers' parts before it starts yielding its core. Long enough to bridge the gap between two
     * phases of a step, short enough that an idle runner costs nothing noticeable.
     */
    static final long SPIN_NANOS = 50_000;

    /** The claim word's part number while a job is being set up: no part can be claimed. */
    private static final int CLOSED = Integer.MAX_VALUE;

    private static final PartRunner SHARED = new PartRunner(Runtime.getRuntime().availableProcessors() - 1);

    private final Helper[] helpers;

    /** Taken by the caller whose job uses the helpers; everyone else runs inline. */
    private final AtomicBoolean slot = new AtomicBoolean();

    // Written only by the holder of the slot.
    private int startedHelpers;
    private int lastJob;

    /**
     * The job number in the high 32 bits and the next unclaimed part in the low 32 bits. A part is
     * claimed by a compare-and-set that checks both, so a helper holding a stale job can never
     * claim a part of a newer one. (Job numbers wrap after 2^32 jobs; a helper would have to stall
     * between two instructions for all of them to be fooled.)
     */
    private final AtomicLong claim = new AtomicLong(claimWord(0, CLOSED));

    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    // The current job, valid while the claim word carries its number and is not CLOSED.
    private volatile Task jobTask;
    private volatile int jobParts;
    private volatile int jobThreads;

    /** A runner with at most {@code helpers} helper threads (none if it is zero or negative). */
    PartRunner(int helpers) {
        this.helpers = new Helper[Math.max(0, helpers)];
    }

    /**
     * The runner shared by the whole JVM, with at most {@code availableProcessors() - 1} helpers,
     * started when first needed.
     */
    public static PartRunner shared() {
        return SHARED;
    }

    /** The largest useful {@code threads}: the caller and every helper this runner may start. */
    public int threadLimit() {
        return helpers.length + 1;
    }

    /**
     * Runs {@code task.run(part)} exactly once for every part in [0, parts), on the calling thread
     * and on up to {@code threads - 1} helpers, and returns when every part has finished.
     * Allocates nothing once the helpers have started.
     *
     * @param threads how many threads may work on the parts, the caller included; values above
     *     {@link #threadLimit()} are treated as the limit, and values up to 1 run every part on
     *     the caller
     * @throws IllegalArgumentException if {@code parts} is negative
     * @throws RuntimeException the first exception thrown by a part, or an {@link Error}; a
     *     checked exception smuggled out of a part arrives wrapped in an {@link
     *     UndeclaredThrowableException}
     */
    public void run(Task task, int parts, int threads) {
        Objects.requireNonNull(task, "task");
        if (parts < 0) {
            throw new IllegalArgumentException("parts must not be negative, found " + parts);
        }
        int useful = Math.min(Math.min(threads, parts), threadLimit());
        if (useful <= 1 || !slot.compareAndSet(false, true)) {
            for (int part = 0; part < parts; part++) {
                task.run(part);
            }
            return;
        }
        try {
            runShared(task, parts, useful);
        } finally {
            slot.set(false);
        }
    }

    private void runShared(Task task, int parts, int threads) {
        startHelpers(threads - 1);
        int job = ++lastJob;
        // Close the claim word under the new job number before touching the job's fields: a
        // helper that read the fields of this job while holding an older job's claim word then
        // fails its compare-and-set.
        claim.set(claimWord(job, CLOSED));
        jobTask = task;
        jobParts = parts;
        jobThreads = threads;
        finished.set(0);
        claim.set(claimWord(job, 1));
        for (int i = 0; i < threads - 1; i++) {
            helpers[i].wake();
        }
        runPart(task, 0);
        work(job, task, parts);
        awaitFinished(parts);
        jobTask = null;
        Throwable thrown = failure.getAndSet(null);
        if (thrown != null) {
            rethrow(thrown);
        }
    }

    private void startHelpers(int count) {
        while (startedHelpers < count) {
            Helper helper = new Helper(startedHelpers + 1);
            helpers[startedHelpers++] = helper;
            helper.start();
        }
    }

    /** Claims and runs parts of job {@code job} until none is left. Caller and helpers share it. */
    private void work(int job, Task task, int parts) {
        long word = claim.get();
        while (jobOf(word) == job && partOf(word) < parts) {
            long witness = claim.compareAndExchange(word, word + 1);
            if (witness == word) {
                runPart(task, partOf(word));
                word = claim.get();
            } else {
                word = witness;
            }
        }
    }

    private void runPart(Task task, int part) {
        try {
            if (failure.get() == null) {
                task.run(part);
            }
        } catch (Throwable thrown) {
            // Whatever a part throws is the caller's to see, never a reason to lose a helper.
            record(thrown);
        } finally {
            finished.incrementAndGet();
        }
    }

    private void record(Throwable thrown) {
        if (!failure.compareAndSet(null, thrown)) {
            Throwable first = failure.get();
            if (first != null && first != thrown) {
                first.addSuppressed(thrown);
            }
        }
    }

    private void awaitFinished(int parts) {
        // A helper's part may take longer than the caller's; yielding after a while gives the core
        // back when that helper has been descheduled on a busy machine.
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (finished.get() != parts) {
            if (System.nanoTime() - spinUntil < 0) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    private static void rethrow(Throwable thrown) {
        if (thrown instanceof RuntimeException exception) {
            throw exception;
        }
        if (thrown instanceof Error error) {
            throw error;
        }
        throw new UndeclaredThrowableException(thrown);
    }

    private static long claimWord(int job, int part) {
        return ((long) job << 32) | part;
    }

    private static int jobOf(long word) {
        return (int) (word >>> 32);
    }

    private static int partOf(long word) {
        return (int) word;
    }

    /** A helper thread: waits for a job it has not seen, joins it if it is wanted, repeats. */
    private final class Helper extends Thread {
        /** 1 for the first helper; a job with {@code threads} threads wants helpers 1 to threads-1. */
        private final int index;

        /** Set before parking, so that the caller knows to unpark. */
        private volatile boolean parked;

        Helper(int index) {
            super(null, null, "nnc-part-" + index, 0, false);
            this.index = index;
            setDaemon(true);
            setContextClassLoader(PartRunner.class.getClassLoader());
        }

        @Override
        public void run() {
            int seen = 0;
            while (true) {
                seen = jobOf(awaitJob(seen));
                takePart(seen);
            }
        }

        /**
         * Takes part in job {@code job} if it is still running and wants this helper. In its own
         * method so that the helper's frame holds no task while it waits for the next job.
         */
        private void takePart(int job) {
            // Read after the claim word that announced the job, so these are its fields or, if
            // the caller has moved on, a newer job's, whose parts the claim check refuses.
            Task task = jobTask;
            int parts = jobParts;
            if (task != null && index < jobThreads) {
                work(job, task, parts);
            }
        }

        /** Spins, then parks, until the claim word opens a job other than {@code seen}. */
        private long awaitJob(int seen) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (true) {
                long word = claim.get();
                if (isNewJob(word, seen)) {
                    return word;
                }
                if (System.nanoTime() - spinUntil < 0) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    // The caller writes the claim word before it reads `parked`, and this thread
                    // writes `parked` before it reads the claim word: one of the two sees the
                    // other, so a job is never missed while parked.
                    if (!isNewJob(claim.get(), seen)) {
                        LockSupport.park(PartRunner.this);
                    }
                    parked = false;
                    // Nobody should interrupt a helper; if someone does, park must not spin.
                    Thread.interrupted();
                }
            }
        }

        private boolean isNewJob(long word, int seen) {
            return jobOf(word) != seen && partOf(word) != CLOSED;
        }

        void wake() {
            if (parked) {
                LockSupport.unpark(this);
            }
        }
    }
}
