#!/usr/bin/env bash
# The existing dense suite (N1-N5 training, I1 and I2 prediction) compiled by two nnc jars and
# timed pair by pair in one JVM each (generated-pairs.sh): whether a change made any of them
# slower. Usage: benchmarks/suite-pairs.sh BEFORE.jar AFTER.jar [rounds]
#   e.g. benchmarks/suite-pairs.sh /tmp/nnc-before.jar compiler/target/nnc.jar 12
set -euo pipefail
if [[ $# -lt 2 ]]; then
    sed -n '2,5p' "$0" >&2
    exit 2
fi
before=$1; after=$2; rounds=${3:-12}
cd "$(dirname "$0")/.."
nn=benchmarks/src/main/nn
run() {
    echo "=== $*"
    benchmarks/generated-pairs.sh "$before" "$after" "$@" | grep -E '^(loss|median|load)'
}
run $nn/n1.nn N1 1 "$rounds" train
run $nn/n2.nn N2 4 "$rounds" train
run $nn/n3.nn N3 1 "$rounds" train
run $nn/n4.nn N4 32 "$rounds" train
run $nn/n4_float.nn N4Float 32 "$rounds" train
run $nn/n5.nn N5 64 "$rounds" train
run $nn/n5_double.nn N5Double 64 "$rounds" train
run $nn/n4.nn N4 1 "$rounds" predict
run $nn/n4_float.nn N4Float 1 "$rounds" predict
run $nn/n5.nn N5 1 "$rounds" predict
run $nn/n5_double.nn N5Double 1 "$rounds" predict
run $nn/n5.nn N5 64 "$rounds" train --add-modules jdk.incubator.vector
run $nn/n5.nn N5 1 "$rounds" predict --add-modules jdk.incubator.vector
