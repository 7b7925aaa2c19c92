#!/usr/bin/env bash
# N2 (XOR, batch 4): nnc's trainStep against the hand-written step, ROUNDS times (default 6),
# each round one JMH run of both in fresh JVMs, one after the other, so that the two sides of
# a ratio are measured within seconds of each other on a machine whose load changes. Prints
# each round's figures and ratio, then the median ratio and its range.
# Usage: benchmarks/n2-pairs.sh [rounds]   (after building benchmarks/target/benchmarks.jar)
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmarks/target/results/n2-pairs
mkdir -p "$out"
rounds=${1:-6}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 1; i <= rounds; i++)); do
    java -jar benchmarks/target/benchmarks.jar 'N2Benchmark\.(nnc|handwritten)$' -f 1 -wi 4 -w 1s -i 3 -r 1s -t 1 \
        -rf json -rff "$out/round-$i.json" > "$out/round-$i.txt" 2>&1
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
BATCH = 4
ratios, nnc_all, hand_all = [], [], []
print("| round | nnc (M samples/s) | hand-written (M samples/s) | nnc / hand-written |")
print("|---|---|---|---|")
for i in range(1, rounds + 1):
    scores = {r["benchmark"].rsplit(".", 1)[1]: r["primaryMetric"]["score"] * BATCH / 1e6
              for r in json.load(open(f"{out}/round-{i}.json"))}
    nnc, hand = scores["nnc"], scores["handwritten"]
    ratios.append(nnc / hand); nnc_all.append(nnc); hand_all.append(hand)
    print(f"| {i} | {nnc:.2f} | {hand:.2f} | {nnc / hand:.3f} |")
print(f"median: nnc {statistics.median(nnc_all):.2f}M, hand-written {statistics.median(hand_all):.2f}M, "
      f"ratio {statistics.median(ratios):.3f} (range {min(ratios):.3f}-{max(ratios):.3f}, {rounds} rounds)")
PY
