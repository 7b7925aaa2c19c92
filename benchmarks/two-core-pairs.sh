#!/usr/bin/env bash
# N5 in float on both cores, nnc (setThreads(2), Vector API) and PyTorch (two threads, OpenBLAS),
# back to back, PAIRS times (default 3): the two-core comparison of run.sh repeated, each pair
# close enough in time to land in the same mode of the virtual machine, or not (BENCHMARKS.md,
# "Two threads"). Prints per-fork nnc figures and the ratio to the best PyTorch variant per pair.
# Usage: benchmarks/two-core-pairs.sh [pairs]   (after mvn -B -q install -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmarks/target/results/pairs
mkdir -p "$out"
pairs=${1:-3}
for ((i = 1; i <= pairs; i++)); do
    java -jar benchmarks/target/benchmarks.jar 'N5Benchmark.nncTwoThreads$' -f 2 -wi 4 -w 1s -i 3 -r 1s \
        -jvmArgsAppend --add-modules=jdk.incubator.vector -rf json -rff "$out/nnc-$i.json" > "$out/nnc-$i.txt" 2>&1
    benchmarks/pytorch.sh --benchmarks N5 > "$out/pytorch-$i.json"
done
python3 - "$out" "$pairs" <<'PY'
import json, sys
out, pairs = sys.argv[1], int(sys.argv[2])
BATCH = 64
print("| pair | nnc, 2 threads, per fork (k samples/s) | nnc | PyTorch eager | TorchScript | nnc / best PyTorch |")
print("|---|---|---|---|---|---|")
for i in range(1, pairs + 1):
    metric = json.load(open(f"{out}/nnc-{i}.json"))[0]["primaryMetric"]
    forks = ", ".join("/".join(f"{x * BATCH / 1000:.1f}" for x in fork) for fork in metric["rawData"])
    nnc = metric["score"] * BATCH
    torch = {r["variant"]: r["per_second"] for r in json.load(open(f"{out}/pytorch-{i}.json"))["results"]
             if r["precision"] == "float" and r["threads"] == 2}
    best = max(torch["eager"], torch["torchscript"])
    print(f"| {i} | {forks} | {nnc / 1000:.1f}k | {torch['eager'] / 1000:.1f}k | "
          f"{torch['torchscript'] / 1000:.1f}k | {nnc / best:.2f}x |")
PY
