#!/usr/bin/env bash
# What batch normalisation costs: N6 (N5 with batch_norm) against N5, float, one thread, measured
# in alternating one-second rounds within one process, so that each round's ratio compares
# neighbouring seconds on a machine whose load changes: nnc with the plain loops (N6Pairs), nnc
# with the Vector API, then PyTorch (pytorch_suite.py --pairs N5,N6, each round eager and
# TorchScript of both, the better of the two per network). ROUNDS rounds each (default 15) after
# a warm-up (10 pairs for nnc: N6's larger step methods can take more than 5 s to be compiled when
# other work competes for the compiler thread).
# Usage: benchmarks/n6-pairs.sh [rounds]   (after building benchmarks/target/benchmarks.jar)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-15}
echo "$(date -u '+%Y-%m-%d %H:%M UTC') at $(git rev-parse --short HEAD), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "nnc, plain loops:"
java -cp benchmarks/target/benchmarks.jar dev.nnc.benchmarks.N6Pairs 10 "$rounds"
echo "nnc, Vector API:"
java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar dev.nnc.benchmarks.N6Pairs 10 "$rounds" \
    2> >(grep -v "incubator" >&2)
echo "PyTorch:"
benchmarks/pytorch.sh --pairs N5,N6 --rounds "$rounds" --round-seconds 0.5
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
