#!/usr/bin/env bash
# N5 in float, one thread, at the machine's vector width and at 256 bits (-XX:UseAVX=2), with
# the plain loops and with the Vector API kernels: four JMH invocations back to back, since a
# JVM flag holds for a whole JVM. Prints steps per second (ops/s), median over 3 forks each.
# Usage: benchmarks/vector-width.sh   (after mvn -B -q install -DskipTests -Dinvoker.skip=true)
set -euo pipefail
cd "$(dirname "$0")/.."
jar=benchmarks/target/benchmarks.jar
out=benchmarks/target/results/vector-width
mkdir -p "$out"
run() {
    local name=$1 args=$2
    java -jar "$jar" 'N5Benchmark.nnc$' -f 3 -wi 3 -w 1s -i 3 -r 1s -t 1 ${args:+-jvmArgsAppend "$args"} \
        -rf json -rff "$out/$name.json" > "$out/$name.txt"
    python3 - "$out/$name.json" "$name" <<'PY'
import json, statistics, sys
entry = json.load(open(sys.argv[1]))[0]
forks = [statistics.mean(f) for f in entry["primaryMetric"]["rawData"]]
print(f"{sys.argv[2]:<28} median {statistics.median(forks):7.1f} steps/s  forks {', '.join(f'{f:.0f}' for f in forks)}")
PY
}
run plain-native ""
run plain-256 "-XX:UseAVX=2"
run vector-native "--add-modules=jdk.incubator.vector"
run vector-256 "--add-modules=jdk.incubator.vector -XX:UseAVX=2"
