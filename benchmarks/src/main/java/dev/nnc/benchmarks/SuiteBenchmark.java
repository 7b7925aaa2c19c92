package dev.nnc.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The measurement settings every suite benchmark shares: throughput of one thread, three forks
 * (each figure is the median of the forks' means, see {@code report.py}), and iterations sized
 * so the whole suite, PyTorch included, runs in about 25 minutes on two cores. A benchmark
 * method returns a value so JMH consumes it; each invocation is one training step (or one
 * prediction) on the next batch of the problem's pool.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(3)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 3, time = 1)
public abstract class SuiteBenchmark {}
