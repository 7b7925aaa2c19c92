package dev.nnc.runtime;

/**
 * A small, fast and deterministic pseudo-random generator: xoshiro256** (Blackman and Vigna),
 * with its 256-bit state filled from the seed by SplitMix64.
 *
 * <p>The sequence depends only on the seed: it is the same on every JVM, platform and JIT tier,
 * because it uses integer arithmetic, exactly rounded floating-point operations and {@link
 * StrictMath}. Generated networks draw their initial parameters and dropout masks from it, and
 * the {@link Trainer} its shuffling order, so training from the same seed is reproducible. Not
 * suitable for cryptography. Not thread-safe (and deliberately unsynchronized): use one instance
 * per thread.
 */
public final class SeededRandom {

    private static final long SPLITMIX_GAMMA = 0x9E3779B97F4A7C15L;
    private static final double DOUBLE_UNIT = 0x1.0p-53;

    private long s0;
    private long s1;
    private long s2;
    private long s3;
    private double spareGaussian;
    private boolean hasSpareGaussian;

    /** Creates a generator whose sequence is fully determined by {@code seed}. */
    public SeededRandom(long seed) {
        // SplitMix64 is a bijection of its counter, so four successive outputs are never all
        // zero, which is the one state xoshiro must avoid.
        long x = seed;
        x += SPLITMIX_GAMMA;
        s0 = splitMix64(x);
        x += SPLITMIX_GAMMA;
        s1 = splitMix64(x);
        x += SPLITMIX_GAMMA;
        s2 = splitMix64(x);
        x += SPLITMIX_GAMMA;
        s3 = splitMix64(x);
    }

    /**
     * An independent generator in exactly this one's state: both produce the same sequence from
     * here on. Generated networks use it in {@code copy()}, so a copy trains like its original.
     */
    public SeededRandom copy() {
        SeededRandom copy = new SeededRandom(0);
        copy.setState(this);
        return copy;
    }

    /**
     * Writes the complete state (the four state words and the spare Gaussian), so that {@link
     * #readState} gives a generator that continues this one's sequence: checkpoints carry it.
     */
    void writeState(java.io.DataOutput out) throws java.io.IOException {
        out.writeLong(s0);
        out.writeLong(s1);
        out.writeLong(s2);
        out.writeLong(s3);
        out.writeDouble(spareGaussian);
        out.writeBoolean(hasSpareGaussian);
    }

    /**
     * A generator in the state that {@link #writeState} wrote.
     *
     * @throws java.io.IOException if reading fails, or the state is all zero, the one state
     *     xoshiro256** never leaves and never reaches
     */
    static SeededRandom readState(java.io.DataInput in) throws java.io.IOException {
        SeededRandom random = new SeededRandom(0);
        random.s0 = in.readLong();
        random.s1 = in.readLong();
        random.s2 = in.readLong();
        random.s3 = in.readLong();
        random.spareGaussian = in.readDouble();
        random.hasSpareGaussian = in.readBoolean();
        if ((random.s0 | random.s1 | random.s2 | random.s3) == 0) {
            throw new java.io.IOException("the generator state is all zero");
        }
        return random;
    }

    /** Puts this generator into {@code source}'s state. */
    void setState(SeededRandom source) {
        s0 = source.s0;
        s1 = source.s1;
        s2 = source.s2;
        s3 = source.s3;
        spareGaussian = source.spareGaussian;
        hasSpareGaussian = source.hasSpareGaussian;
    }

    /** The SplitMix64 output function applied to an already advanced counter value. */
    static long splitMix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Returns the next 64 pseudo-random bits. */
    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Returns a uniformly distributed double in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * DOUBLE_UNIT;
    }

    /**
     * Returns a uniformly distributed int in [0, bound), without the modulo bias of {@code
     * nextLong() % bound} (Lemire's multiply-and-reject method).
     *
     * @throws IllegalArgumentException if {@code bound <= 0}
     */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, found " + bound);
        }
        long product = (nextLong() >>> 32) * bound;
        long low = product & 0xFFFFFFFFL;
        if (low < bound) {
            // Reject the 2^32 mod bound smallest low parts; they would make some results more
            // likely than others.
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (low < threshold) {
                product = (nextLong() >>> 32) * bound;
                low = product & 0xFFFFFFFFL;
            }
        }
        return (int) (product >>> 32);
    }

    /**
     * Returns a normally distributed double with mean 0 and standard deviation 1 (Marsaglia's
     * polar method; each accepted pair yields two values).
     */
    public double nextGaussian() {
        if (hasSpareGaussian) {
            hasSpareGaussian = false;
            return spareGaussian;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        // StrictMath.log is fdlibm on every JVM; Math.log may be an intrinsic that differs in
        // the last bit between platforms, which would make initial weights platform-dependent.
        double scale = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
        spareGaussian = v * scale;
        hasSpareGaussian = true;
        return u * scale;
    }
}
