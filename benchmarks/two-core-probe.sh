#!/usr/bin/env bash
# Alternates 1 s of N5 float training on both cores (setThreads(2), with the Vector API), 1 s on
# one core and a measurement of the one-way core-to-core latency, for ROUNDS rounds (default 30):
# whether the two-core steps run slow when the two virtual CPUs sit far apart (docs/codegen.md,
# "Two cores").
# Usage: benchmarks/two-core-probe.sh [rounds] [batch]   (after mvn -B -q install -DskipTests;
# batch: a multiple of 64, default 64)
set -euo pipefail
cd "$(dirname "$0")/.."
java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
    dev.nnc.benchmarks.TwoCoreProbe "${1:-30}" "${2:-64}" 2> >(grep -v "incubator" >&2)
