#!/usr/bin/env bash
# Measures how long nnc takes to compile a large network to Java (issue 6: "a 10-layer,
# 1024-wide network compiles to Java in under 2 seconds").
#
# It writes a spec of 10 dense layers, 1024 wide (input 1024, nine hidden relu layers of 1024,
# a softmax output of 1024, cross-entropy, Adam: about 10.5 million parameters), then runs
# `java -jar compiler/target/nnc.jar generate` on it RUNS times, each a fresh JVM, and prints
# each wall time and the median. The figure is what a user waits for from the command line:
# JVM start-up, parsing, checking, lowering, reverse mode, the passes and code generation,
# and writing the class. Build the jar first: mvn -B -q install -DskipTests -Dinvoker.skip=true
#
# Usage: benchmarks/compile-time.sh [RUNS]   (default 5)
set -euo pipefail

runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/nnc-compile-time.XXXXXX")
trap 'rm -rf "$work"' EXIT

{
    echo "network Wide {"
    echo "    input  x[1024];"
    echo "    target y[1024];"
    previous=x
    for layer in 1 2 3 4 5 6 7 8 9; do
        echo "    h$layer = dense($previous, 1024, activation = relu, init = he_normal);"
        previous=h$layer
    done
    echo "    logits = dense($previous, 1024);"
    echo "    probs  = softmax(logits);"
    echo "    output probs;"
    echo "    loss   cross_entropy(probs, y);"
    echo "    optimizer adam(lr = 1e-3);"
    echo "}"
} > "$work/wide.nn"

times=()
for ((run = 1; run <= runs; run++)); do
    rm -rf "$work/out"
    start=$(date +%s%N)
    java -jar "$root/compiler/target/nnc.jar" generate "$work/wide.nn" -d "$work/out" > /dev/null
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    times+=("$ms")
    echo "run $run: $ms ms"
done
lines=$(find "$work/out" -name '*.java' -exec cat {} + | wc -l)
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "median of $runs: $median ms ($lines lines of Java generated)"
