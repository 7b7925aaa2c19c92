#!/usr/bin/env bash
# Runs the whole benchmark suite and writes its results into BENCHMARKS.md:
#   1. builds the project (nnc generates the benchmark networks during the build),
#   1b. exports the ONNX models of I1-I4 from the suite's parameters (OnnxModels, then
#      pytorch_suite.py --export-onnx for I1-I3 and nnc export-onnx for I4) for ONNX Runtime,
#   2. JMH: every N1-N6, C1-C2, R1, I1-I4 benchmark, nnc, the Java baselines and ONNX Runtime, one thread,
#      3 forks x (4 warm-up + 3 measured iterations of 1 s): about 15 minutes,
#   2b. JMH again for nnc's float benchmarks with --add-modules jdk.incubator.vector, and ONNX
#      Runtime's float predictions beside them: about 4 minutes,
#   3. PyTorch: the same suite, float32/float64, 1 and 2 threads, eager and TorchScript,
#      3 rounds of 0.7 s after a warm-up: about 2 minutes,
#   4. report.py: the tables, spliced into BENCHMARKS.md between the "results" markers.
# Raw results stay in benchmarks/target/results/. SKIP_BUILD=1 reuses the built jar.
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmarks/target/results
# PyTorch: Debian's python3-torch in the system interpreter, or $PYTHON (benchmarks/pytorch.sh).

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    mvn -B -q install -DskipTests
fi
mkdir -p "$out"
# The commit of the measured code, taken before the run so later commits cannot be misreported.
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!BENCHMARKS.md' || echo "+uncommitted")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# ONNX Runtime's models carry nnc's parameters: Java writes them, PyTorch exports the models.
onnx=benchmarks/target/onnx
java -cp benchmarks/target/benchmarks.jar dev.nnc.benchmarks.OnnxModels "$onnx"
benchmarks/pytorch.sh --export-onnx "$onnx" 2> "$out/onnx-export.log"
# I4's GRU through nnc's own exporter, from the same parameters.
java -jar compiler/target/nnc.jar export-onnx benchmarks/src/main/nn/r1.nn \
    --parameters "$onnx/r1.safetensors" -o "$onnx/i4_float.onnx"

java -jar benchmarks/target/benchmarks.jar -e 'ProductShape|ConvShape' -f 3 -wi 4 -w 1s -i 3 -r 1s -t 1 \
    -rf json -rff "$out/jmh.json" | tee "$out/jmh.txt"

# The float networks again with the Vector API opt-in (--add-modules jdk.incubator.vector).
java -jar benchmarks/target/benchmarks.jar \
    'N5Benchmark.nnc$|N5Benchmark.nncTwoThreads$|N6Benchmark.nnc$|I2Benchmark.(nnc|ort)$|I2BatchBenchmark.(nnc|ort)$|N4Benchmark.nncFloat$|I1Benchmark.(nncFloat|ortFloat)$|R1Benchmark.nnc$|I4Benchmark.(nnc|ort)$' \
    -f 3 -wi 4 -w 1s -i 3 -r 1s -t 1 -jvmArgsAppend --add-modules=jdk.incubator.vector \
    -rf json -rff "$out/jmh-vector.json" | tee "$out/jmh-vector.txt"

benchmarks/pytorch.sh > "$out/pytorch.json"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

python3 benchmarks/report.py "$out/jmh.json" "$out/pytorch.json" "$out/jmh-vector.json" > "$out/table.md"
{
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') at commit $commit" \
        "(load average before: $load_before; after: $load_after)."
    echo
    cat "$out/table.md"
} > "$out/section.md"

python3 - "$out/section.md" <<'PY'
import re, sys
section = open(sys.argv[1]).read()
doc = open("BENCHMARKS.md").read()
doc = re.sub(r"(<!-- results:begin -->\n).*?(<!-- results:end -->)",
             lambda m: m.group(1) + section + m.group(2), doc, flags=re.S)
open("BENCHMARKS.md", "w").write(doc)
PY
echo "BENCHMARKS.md updated from $out"
