#!/usr/bin/env bash
# One spec compiled by two nnc jars and timed in one JVM (dev.nnc.benchmarks.GeneratedPairs):
# alternating one-second rounds, the order swapped every round, the median ratio at the end.
# Usage: benchmarks/generated-pairs.sh BEFORE.jar AFTER.jar spec.nn Name batch rounds train|predict [java options]
#   e.g. benchmarks/generated-pairs.sh /tmp/nnc-main.jar compiler/target/nnc.jar \
#            benchmarks/src/main/nn/c2.nn C2 64 16 train --add-modules jdk.incubator.vector
# Needs benchmarks/target/benchmarks.jar (for the harness and the runtime it bundles).
set -euo pipefail
if [[ $# -lt 7 ]]; then
    sed -n '2,7p' "$0" >&2
    exit 2
fi
before=$(realpath "$1"); after=$(realpath "$2"); spec=$(realpath "$3"); name=$4; batch=$5; rounds=$6; mode=$7
shift 7
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
java -jar "$before" generate "$spec" -d "$work/src" --package before > /dev/null
java -jar "$after" generate "$spec" -d "$work/src" --package after > /dev/null
# A class from a jar older than the runtime's interfaces lacks their newer methods (buffers,
# the gradient API, checkpoints): each one it lacks gets a stub that throws, which the timing
# never calls, so that the classes of any earlier nnc can be measured against today's.
python3 - "$work/src/before/$name.java" <<'PY'
import sys
path = sys.argv[1]
source = open(path).read()
stubs = {
    "bufferNames()": "public java.util.List<String> bufferNames() { return java.util.List.of(); }",
    "trainingGradient(": "public double trainingGradient(double[] xs, double[] ys, int n, double[] grad) { throw new UnsupportedOperationException(); }",
    "applyGradient(": "public void applyGradient(double[] grad) { throw new UnsupportedOperationException(); }",
    "saveCheckpoint(": "public void saveCheckpoint(java.io.OutputStream out) { throw new UnsupportedOperationException(); }",
    "restoreCheckpoint(": "public void restoreCheckpoint(java.io.InputStream in) { throw new UnsupportedOperationException(); }",
}
missing = [stub for name, stub in stubs.items() if "public " not in "".join(
    line for line in source.splitlines() if name in line)]
if missing:
    end = source.rstrip().rfind("}")
    source = source[:end] + "".join("    @Override " + stub + "\n" for stub in missing) + "}\n"
    open(path, "w").write(source)
PY
jar=benchmarks/target/benchmarks.jar
javac -nowarn --add-modules jdk.incubator.vector -cp "$jar" -d "$work/classes" $(find "$work/src" -name '*.java') 2>&1 \
    | grep -v 'incubator' || true
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
java "$@" -cp "$work/classes:$jar" dev.nnc.benchmarks.GeneratedPairs "$name" "$batch" "$rounds" "$mode"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
