#!/usr/bin/env python3
"""Turns the JMH JSON (-rf json) and the pytorch_suite.py JSON into BENCHMARKS.md's tables.

Figures are training samples per second (ops/s x batch) and, for I1-I3, predictions per second.
Each JMH figure is the median over forks of each fork's mean iteration score; each PyTorch
figure is the median of its rounds. Ratios are nnc / baseline, each pair from the same run.

usage: report.py JMH_JSON [PYTORCH_JSON [VECTOR_JMH_JSON]]

VECTOR_JMH_JSON holds the nnc benchmarks run again with --add-modules jdk.incubator.vector, where
generated float networks use the runtime's Vector API products.
"""
import json
import statistics
import sys

BATCH = {"N1": 1, "N2": 4, "N3": 1, "N4": 32, "N5": 64, "N6": 64, "I1": 1, "I2": 1,
         "I1b8": 8, "I1b64": 64, "I2b8": 8, "I2b64": 64, "C1": 32, "C2": 64, "I3": 1, "R1": 32, "I4": 1}
# The convolutional entries, tabled on their own against PyTorch (with the hand-written Java CNN).
CONV = ("C1", "C2", "I3")
# The recurrent entries, likewise (with the hand-written Java GRU).
RECURRENT = ("R1", "I4")
# The precision a benchmark method measures unless its name ends in Float or Double.
DEFAULT_PRECISION = {"N1": "double", "N2": "double", "N3": "double", "N4": "double", "N5": "float", "N6": "float",
                     "I1": "double", "I2": "float", "I1b8": "double", "I1b64": "double", "I2b8": "float",
                     "I2b64": "float", "C1": "double", "C2": "float", "I3": "float", "R1": "float",
                     "I4": "float"}
# Prediction benchmarks: parameters (all streamed once per call, whatever the batch) and
# floating-point operations per sample (two per multiply-add of the products).
PARAMETERS = {"I1": 64 * 32 + 32 + 32 * 10 + 10, "I2": 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10,
              "I3": 6 * 25 + 6 + 16 * 150 + 16 + 400 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10}
# C2's (LeNet-5's) multiply-adds per sample: conv1 6x28x28 outputs of 25 terms, conv2 16x10x10 of
# 150, the dense layers; I3 is its forward pass.
C2_CONV1 = 6 * 28 * 28 * 25
C2_FORWARD = C2_CONV1 + 16 * 10 * 10 * 150 + 400 * 120 + 120 * 84 + 84 * 10
FLOP = {"I1": 2 * (64 * 32 + 32 * 10), "I2": 2 * (784 * 256 + 256 * 128 + 128 * 10), "I3": 2 * C2_FORWARD}
# One C2 training step per sample (C2Benchmark.FLOP_PER_SAMPLE): forward, weight gradients, and the
# input gradients of every layer but conv1.
C2_TRAIN_FLOP = 2 * (C2_FORWARD + C2_FORWARD + (C2_FORWARD - C2_CONV1))
# R1's multiply-adds per sample: 32 steps of the input projection (192 x 8) and the hidden product
# (192 x 64), the dense layer (64). A training step (R1Benchmark.FLOP_PER_SAMPLE) adds the weight
# gradients (as many again) and the state gradients (192 x 64 per step, and the dense layer's).
R1_FORWARD = 32 * (192 * 8 + 192 * 64) + 64
R1_TRAIN_FLOP = 2 * (R1_FORWARD + R1_FORWARD + 32 * 192 * 64 + 64)
FLOP["I4"] = 2 * R1_FORWARD
PARAMETERS["I4"] = 192 * 8 + 192 * 64 + 2 * 192 + 64 + 1
TITLES = {
    "N1": "N1 2-2-1 sigmoid, SGD, batch 1",
    "N2": "N2 XOR 2-4-1, SGD, batch 4",
    "N3": "N3 2-3-1, SGD, batch 1",
    "N4": "N4 64-32-10, Adam, batch 32",
    "N5": "N5 784-256-128-10, momentum, batch 64",
    "N6": "N6 784-256-128-10 batch_norm, momentum, batch 64",
    "I1": "I1 N4 predict, batch 1",
    "I2": "I2 N5 predict, batch 1",
    "I1b8": "I1 N4 predict, batch 8",
    "I1b64": "I1 N4 predict, batch 64",
    "I2b8": "I2 N5 predict, batch 8",
    "I2b64": "I2 N5 predict, batch 64",
    "C1": "C1 digits CNN, Adam, batch 32",
    "C2": "C2 LeNet-5, momentum, batch 64",
    "I3": "I3 C2 predict, batch 1",
    "R1": "R1 GRU 32x8 -> 64 -> 1, Adam, batch 32",
    "I4": "I4 R1 predict, batch 1",
}


# LoopShapeBenchmark: one op is a [64][784] x [784][256] product.
LOOP_SHAPE_FLOP = 2 * 64 * 784 * 256


def jmh_figures(path):
    """{(bench, system, precision): (per-second figure, [each fork's figure])} from a JMH JSON result file."""
    figures = {}
    for entry in json.load(open(path)):
        cls, method = entry["benchmark"].split(".")[-2:]
        bench = cls.replace("Benchmark", "")
        if bench.endswith("Batch"):  # I1BatchBenchmark with @Param batch = 8 -> I1b8
            bench = bench[: -len("Batch")] + "b" + entry["params"]["batch"]
        if bench in ("LoopShape", "VectorProduct"):
            median = statistics.median(statistics.mean(it) for it in entry["primaryMetric"]["rawData"])
            figures[(bench, method, "float")] = (median * LOOP_SHAPE_FLOP / 1e9, [])
            continue
        if bench not in BATCH:  # a kernel study such as ConvShapeBenchmark: not a suite figure
            continue
        precision = DEFAULT_PRECISION[bench]
        system = method
        for suffix in ("Float", "Double"):
            if method.endswith(suffix):
                system, precision = method[: -len(suffix)], suffix.lower()
        if system == "tape":
            precision = "double"
        forks = entry["primaryMetric"]["rawData"]
        per_fork = [statistics.mean(iterations) * BATCH[bench] for iterations in forks]
        figures[(bench, system, precision)] = (statistics.median(per_fork), per_fork)
    return figures


def torch_index(torch_results):
    """{(bench, precision, threads, variant): per-second figure} of a pytorch_suite.py result."""
    return {(r["bench"], r["precision"], r["threads"], r["variant"]): r["per_second"]
            for r in (torch_results or {}).get("results", [])}


def fmt(value):
    if value is None:
        return "-"
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.0f}"


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "-"


def java_table(figures):
    lines = [
        "| bench | precision | nnc | hand-written | nnc / hand-written | tape AD (double) | nnc / tape |",
        "|---|---|---|---|---|---|---|",
    ]
    for bench in BATCH:
        for precision in ("double", "float"):
            nnc = figures.get((bench, "nnc", precision), (None, 0))[0]
            hand = figures.get((bench, "handwritten", precision), (None, 0))[0]
            if (nnc is None and hand is None) or bench not in TITLES or "b" in bench:
                continue
            tape = figures.get((bench, "tape", "double"), (None, 0))[0] if precision == "double" else None
            lines.append(f"| {TITLES[bench]} | {precision} | {fmt(nnc)} | {fmt(hand)} | {ratio(nnc, hand)} "
                         f"| {fmt(tape)} | {ratio(nnc, tape)} |")
    return "\n".join(lines)


def pytorch_table(figures, torch_results):
    torch = torch_index(torch_results)
    lines = [
        f"| bench | precision | nnc (1 thread) | PyTorch eager, 1 thread | TorchScript, 1 thread "
        f"| PyTorch eager, 2 threads | TorchScript, 2 threads | nnc / best PyTorch, 1 thread |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for bench in BATCH:
        for precision in ("double", "float"):
            nnc = figures.get((bench, "nnc", precision), (None, 0))[0]
            cells = [torch.get((bench, precision, t, v)) for t in (1, 2) for v in ("eager", "torchscript")]
            if nnc is None or all(c is None for c in cells) or bench in CONV or bench in RECURRENT:
                continue
            best = max(c for c in cells[:2] if c is not None)
            lines.append(f"| {TITLES[bench]} | {precision} | {fmt(nnc)} | "
                         + " | ".join(fmt(c) for c in cells) + f" | {ratio(nnc, best)} |")
    return "\n".join(lines)


def conv_table(figures, torch_results, benches=CONV):
    """C1, C2, I3 (or R1, I4): nnc and the hand-written Java network against PyTorch, same run."""
    torch = torch_index(torch_results)
    lines = [
        "| bench | precision | nnc (1 thread) | hand-written (1 thread) | PyTorch eager, 1 thread "
        "| TorchScript, 1 thread | PyTorch eager, 2 threads | TorchScript, 2 threads "
        "| nnc / best PyTorch, 1 thread | hand-written / best PyTorch, 1 thread |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for bench in benches:
        for precision in ("double", "float"):
            nnc = figures.get((bench, "nnc", precision), (None, 0))[0]
            hand = figures.get((bench, "handwritten", precision), (None, 0))[0]
            cells = [torch.get((bench, precision, t, v)) for t in (1, 2) for v in ("eager", "torchscript")]
            if nnc is None and hand is None and all(c is None for c in cells):
                continue
            best = max((c for c in cells[:2] if c is not None), default=None)
            lines.append(f"| {TITLES[bench]} | {precision} | {fmt(nnc)} | {fmt(hand)} | "
                         + " | ".join(fmt(c) for c in cells) + f" | {ratio(nnc, best)} | {ratio(hand, best)} |")
    return "\n".join(lines) if len(lines) > 2 else None


def c2_rates(figures, torch_results, bench="C2", flop=C2_TRAIN_FLOP):
    """A float benchmark's GFLOP/s (C2's training step by default) for each system that ran it, one thread."""
    torch = torch_index(torch_results)
    parts = []
    for label, value in (("nnc", figures.get((bench, "nnc", "float"), (None, 0))[0]),
                         ("hand-written Java", figures.get((bench, "handwritten", "float"), (None, 0))[0]),
                         ("PyTorch eager", torch.get((bench, "float", 1, "eager"))),
                         ("TorchScript", torch.get((bench, "float", 1, "torchscript")))):
        if value:
            parts.append(f"{label} {value * flop / 1e9:.1f}")
    return ", ".join(parts)


def two_core_table(figures, torch_results):
    """nnc with both cores (setThreads(2)) against itself on one and PyTorch on two threads."""
    torch = torch_index(torch_results)
    lines = [
        "| bench | precision | nnc, 2 threads | nnc, 1 thread | speed-up | PyTorch eager, 2 threads "
        "| TorchScript, 2 threads | nnc / best PyTorch, 2 threads |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (bench, system, precision), (two, _) in sorted(figures.items()):
        if system != "nncTwoThreads":
            continue
        one = figures.get((bench, "nnc", precision), (None, 0))[0]
        cells = [torch.get((bench, precision, 2, v)) for v in ("eager", "torchscript")]
        best = max((c for c in cells if c is not None), default=None)
        lines.append(f"| {TITLES[bench]} | {precision} | {fmt(two)} | {fmt(one)} | {ratio(two, one)} | "
                     + " | ".join(fmt(c) for c in cells) + f" | {ratio(two, best)} |")
    return "\n".join(lines) if len(lines) > 2 else None


def two_core_forks(figures, vector):
    """Each fork's figure of every two-thread benchmark, plain loops and Vector API."""
    parts = []
    for label, source in (("plain loops", figures), ("Vector API", vector)):
        for (bench, system, precision), (_, per_fork) in sorted(source.items()):
            if system == "nncTwoThreads":
                parts.append(f"{bench} {precision}, {label}: " + ", ".join(fmt(f) for f in per_fork))
    return "; ".join(parts)


def vector_table(figures, vector, torch_results):
    """nnc's float benchmarks with the Vector API against the plain loops and PyTorch, same run."""
    torch = torch_index(torch_results)
    lines = [
        "| bench | precision | threads | nnc, plain loops | nnc, Vector API | gain | best PyTorch, same threads "
        "| nnc with Vector API / best PyTorch |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (bench, system, precision), (fast, _) in sorted(vector.items(), key=lambda item: list(BATCH).index(item[0][0])):
        threads = 2 if system == "nncTwoThreads" else 1
        if system not in ("nnc", "nncTwoThreads"):
            continue
        plain = figures.get((bench, system, precision), (None, 0))[0]
        cells = [torch.get((bench, precision, threads, v)) for v in ("eager", "torchscript")]
        best = max((c for c in cells if c is not None), default=None)
        lines.append(f"| {TITLES[bench]} | {precision} | {threads} | {fmt(plain)} | {fmt(fast)} | {ratio(fast, plain)} "
                     f"| {fmt(best)} | {ratio(fast, best)} |")
    return "\n".join(lines)


def with_rates(bench, precision, per_second):
    """A prediction figure with the GB/s of parameters it streams and its GFLOP/s beside it."""
    if per_second is None:
        return "-"
    network = bench[:2]
    calls = per_second / BATCH[bench]
    gigabytes = calls * PARAMETERS[network] * (8 if precision == "double" else 4) / 1e9
    return f"{fmt(per_second)} ({gigabytes:.1f} GB/s, {per_second * FLOP[network] / 1e9:.1f} GFLOP/s)"


def ort_table(figures, order=("double", "float")):
    """nnc's predictions against ONNX Runtime's on the same exported network, same JMH run."""
    lines = [
        "| bench | precision | nnc | ONNX Runtime | nnc / ONNX Runtime |",
        "|---|---|---|---|---|",
    ]
    for bench in BATCH:
        if not bench.startswith("I"):
            continue
        for precision in order:
            nnc = figures.get((bench, "nnc", precision), (None, 0))[0]
            ort = figures.get((bench, "ort", precision), (None, 0))[0]
            if nnc is None or ort is None:
                continue
            lines.append(f"| {TITLES[bench]} | {precision} | {with_rates(bench, precision, nnc)} "
                         f"| {with_rates(bench, precision, ort)} | {ratio(nnc, ort)} |")
    return "\n".join(lines) if len(lines) > 2 else None


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    figures = jmh_figures(argv[1])
    forks = min(len(per_fork) for (bench, _, _), (_, per_fork) in figures.items() if bench in BATCH)
    print(f"Java, one thread, samples (or predictions) per second; median of {forks} JMH forks.\n")
    print(java_table(figures))
    shapes = {system: value for (bench, system, _), (value, _) in figures.items()
              if bench in ("LoopShape", "VectorProduct")}
    if shapes:
        print("\nThe same float product, [64][784] x [784][256] in i-k-j order, in GFLOP/s "
              "(LoopShapeBenchmark, VectorProductBenchmark): flat arrays with offset indices "
              f"{shapes.get('flatArrays', 0):.1f}, arrays of rows (FloatGemm) {shapes.get('rowArrays', 0):.1f}, "
              f"the runtime's Vector API kernel {shapes.get('vectorApi', 0):.1f}.")
    against_ort = ort_table(figures)
    if against_ort:
        print("\nAgainst ONNX Runtime (Java API, one intra-op and one inter-op thread) on the models "
              "`pytorch_suite.py --export-onnx` writes from nnc's own parameters (I4's: `nnc export-onnx`), same run; "
              "beside each "
              "figure the parameters streamed (once per call, whatever the batch) and the GFLOP/s.\n")
        print(against_ort)
    torch_results = json.load(open(argv[2])) if len(argv) > 2 else None
    if torch_results:
        print(f"\nAgainst PyTorch {torch_results['torch']} (BLAS: {torch_results['blas']}), same data and "
              f"hyper-parameters; PyTorch figures are medians of 3 rounds.\n")
        print(pytorch_table(figures, torch_results))
        ftz = {(r["precision"], r["threads"]): r["per_second"] for r in torch_results["results"]
               if r["bench"] == "N5" and r["variant"] == "eager-ftz"}
        if ftz:
            print("\nPyTorch eager with `torch.set_flush_denormal(True)` (subnormals flushed to zero; N5's "
                  "momentum buffers reach the subnormal range on its data, see the notes): N5 float "
                  f"{fmt(ftz.get(('float', 1)))} (1 thread), {fmt(ftz.get(('float', 2)))} (2 threads); "
                  f"double {fmt(ftz.get(('double', 1)))}, {fmt(ftz.get(('double', 2)))}.")
    convolutions = conv_table(figures, torch_results)
    if convolutions:
        print("\nConvolutional networks (C1, C2, I3), one thread unless stated, against PyTorch in the same run; "
              "the hand-written Java CNN is `DoubleCnn`/`FloatCnn` (im2col products).\n")
        print(convolutions)
        rates = c2_rates(figures, torch_results)
        if rates:
            print(f"\nC2's training step is {C2_TRAIN_FLOP / 1e6:.2f} MFLOP per sample (forward and backward, two per "
                  f"multiply-add); in GFLOP/s, one thread: {rates}.")
    recurrent = conv_table(figures, torch_results, RECURRENT)
    if recurrent:
        print("\nRecurrent network (R1, I4), one thread unless stated, against PyTorch (`nn.GRU`) in the same run; "
              "the hand-written Java GRU is `FloatGru`.\n")
        print(recurrent)
        rates = [f"{bench} {c2_rates(figures, torch_results, bench, flop)}"
                 for bench, flop in (("R1", R1_TRAIN_FLOP), ("I4", FLOP["I4"]))
                 if c2_rates(figures, torch_results, bench, flop)]
        if rates:
            print(f"\nR1's training step is {R1_TRAIN_FLOP / 1e6:.2f} MFLOP per sample, I4's prediction "
                  f"{FLOP['I4'] / 1e6:.2f} MFLOP (two per multiply-add); in GFLOP/s, one thread: {'; '.join(rates)}.")
    two_cores = two_core_table(figures, torch_results)
    if two_cores:
        print("\nBoth cores: nnc with `setThreads(2)` (each batch split in two; N5's batch of one tile splits its input layer by inputs, the rest by samples) against PyTorch "
              "with two threads, same run.\n")
        print(two_cores)
    if len(argv) > 3:
        print("\nWith the Vector API: the same nnc benchmarks in JVMs started with "
              "`--add-modules jdk.incubator.vector`, where generated float networks call the runtime's "
              "register-blocked products (README, \"Vector API\"); same run.\n")
        vector = jmh_figures(argv[3])
        print(vector_table(figures, vector, torch_results))
        vector_ort = ort_table(vector, order=("float",))
        if vector_ort:
            print("\nnnc with the Vector API against ONNX Runtime, both in that run:\n")
            print(vector_ort)
        forks = two_core_forks(figures, vector)
        if forks:
            print(f"\nnnc with two threads, fork by fork (a median hides that two-core figures on a virtual "
                  f"machine can be bimodal; see the notes): {forks}.")


if __name__ == "__main__":
    main(sys.argv)
