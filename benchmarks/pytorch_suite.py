#!/usr/bin/env python3
"""The nnc benchmark suite (N1-N6, C1-C2, R1, I1-I4; see ARCHITECTURE.md) in PyTorch, printed as JSON.

Same data as the JMH run (SuiteData.java: counter-based SplitMix64, a pool of 16 batches per
problem cycled in order), same shapes, losses, optimizers and hyper-parameters. Initial
parameters are PyTorch's own (they do not change the amount of work). Every combination of
precision (float32, float64), intra-op threads (1, 2) and variant (eager; TorchScript, i.e. the
model compiled with torch.jit.script for training and traced and frozen for prediction) is
measured in ROUNDS rounds of ROUND_SECONDS each after a warm-up; the figure is the median round.
C2 and I3 (LeNet-5) are measured in float only, the suite's precision for them; so is N6 (N5 with
nn.BatchNorm1d after each hidden nn.Linear, trained in training mode: batch statistics, running
statistics updated). The inputs of C1 and C2 are SuiteData's flattened images, reshaped once to
[batch, 1, 8, 8] and [batch, 1, 28, 28].
R1 (a GRU regressor, nn.GRU with batch_first=True and a nn.Linear on its last state) and I4 (its
one-sample prediction) are float only too; their inputs are SuiteData's flat rows of 32 steps x 8
features, reshaped once to [batch, 32, 8].

Run it through benchmarks/pytorch.sh, which picks the interpreter and, for Debian's python3-torch
(which otherwise links the reference BLAS), OpenBLAS.

--export-onnx DIR writes the ONNX models of I1, I2 and I3 that ONNX Runtime runs in the JMH suite
instead of measuring anything. They carry the JMH run's parameters, not PyTorch's, so that both
run the same network: DIR/n4.f64, DIR/n5.f64 and DIR/c2.f64, written by
`dev.nnc.benchmarks.OnnxModels`, hold the initial parameters of N4, N5 and C2 as little-endian
doubles in nnc's PARAMETER_NAMES order, which is PyTorch's (nn.Linear: weight [out, in] row-major,
then bias; nn.Conv2d: weight [filters, C, kh, kw], then bias; layer by layer). The models end in
the softmax that nnc's predict applies, take flat rows (I3: [n, 784], reshaped inside to
[n, 1, 28, 28], as nnc's predict takes them), and their batch dimension is dynamic. I3's are
float only: ONNX Runtime's CPU provider has no double Conv.
--pairs A,B alternates the training of two problems (float32, one thread, eager and TorchScript) in
rounds and prints each round's ratio of B to A and the medians (benchmarks/n6-pairs.sh: N5,N6).
--export-onnx-inputs DIR writes the same networks with the parameters as graph inputs instead
(the small models of benchmarks/src/test/resources/onnx, which the unit test OrtParityTest feeds
with nnc's parameters, so that the Maven build needs no Python).
"""
import argparse
import json
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

POOL = 16
GAMMA = np.uint64(0x9E3779B97F4A7C15)

# id: (layer sizes, hidden activation, output, loss, optimizer, lr, batch, data kind, seed)
PROBLEMS = {
    "N1": ([2, 2, 1], nn.Sigmoid, "sigmoid", "half_sse", "sgd", 0.1, 1, "unit", 101),
    "N2": ([2, 4, 1], nn.Tanh, "logit", "bce_logits", "sgd", 0.5, 4, "xor", 102),
    "N3": ([2, 3, 1], nn.Sigmoid, "linear", "mse", "sgd", 0.05, 1, "signed", 103),
    "N4": ([64, 32, 10], nn.ReLU, "logits", "cross_entropy", "adam", 1e-3, 32, "classes", 104),
    "N5": ([784, 256, 128, 10], nn.ReLU, "logits", "cross_entropy", "momentum", 0.01, 64, "classes", 105),
    # N5 with nn.BatchNorm1d between each hidden nn.Linear and its ReLU, on N5's data (its seed).
    "N6": ([784, 256, 128, 10], nn.ReLU, "logits", "cross_entropy", "momentum", 0.01, 64, "classes", 105),
}
# The problems whose hidden layers are nn.Linear -> nn.BatchNorm1d -> activation.
BATCH_NORM = {"N6"}
# Convolutional problems, id: (input shape, layers, optimizer, lr, batch, seed). A layer is
# ("conv", filters, kernel, padding) followed by ReLU and 2x2 max pooling, or ("dense", units);
# dense layers but the last have ReLU, and the first one follows the flattened features.
CONV_PROBLEMS = {
    "C1": ([1, 8, 8], [("conv", 16, 3, 1), ("conv", 32, 3, 1), ("dense", 10)], "adam", 1e-3, 32, 106),
    "C2": ([1, 28, 28], [("conv", 6, 5, 2), ("conv", 16, 5, 0), ("dense", 120), ("dense", 84), ("dense", 10)],
           "momentum", 0.01, 64, 107),
}
# Recurrent problems, id: (input shape [T, F], GRU units, optimizer, lr, batch, seed): the GRU's last
# state through a dense layer to one output, trained on the mean squared error; inputs and targets
# are drawn like N3's, uniform in [-1, 1).
RECURRENT_PROBLEMS = {
    "R1": ([32, 8], 64, "adam", 1e-3, 32, 108),
}
PREDICTIONS = {"I1": "N4", "I2": "N5", "I3": "C2", "I4": "R1"}
# The precisions measured where not both.
PRECISIONS = {"C2": ("float",), "I3": ("float",), "R1": ("float",), "I4": ("float",), "N6": ("float",)}


def uniform(seed, count):
    """Elements 0..count-1 of SuiteData's stream `seed`, uniform in [0, 1)."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + np.arange(1, count + 1, dtype=np.uint64) * GAMMA
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


def data_spec(problem):
    """(inputs per sample, classes or targets per sample, batch, data kind, seed) of a problem."""
    if problem in CONV_PROBLEMS:
        shape, layers, _, _, batch, seed = CONV_PROBLEMS[problem]
        return int(np.prod(shape)), layers[-1][1], batch, "classes", seed
    if problem in RECURRENT_PROBLEMS:
        shape, _, _, _, batch, seed = RECURRENT_PROBLEMS[problem]
        return int(np.prod(shape)), 1, batch, "signed", seed
    sizes, _, _, _, _, _, batch, kind, seed = PROBLEMS[problem]
    return sizes[0], sizes[-1], batch, kind, seed


def pool(problem):
    """(inputs, targets) as POOL batches of float64 arrays, exactly SuiteData's numbers."""
    n_in, n_out, batch, kind, seed = data_spec(problem)
    samples = POOL * batch
    if kind == "xor":
        a = np.arange(samples) & 1
        b = (np.arange(samples) >> 1) & 1
        x = np.stack([a, b], axis=1).astype(np.float64)
        y = (a ^ b).astype(np.float64).reshape(-1, 1)
    elif kind == "classes":
        x = uniform(seed, samples * n_in).reshape(samples, n_in)
        labels = (uniform(seed + 1, samples) * n_out).astype(np.int64)
        y = labels  # class indices: the one-hot rows of SuiteData, in PyTorch's preferred form
    else:
        low = -1.0
        x = (low + 2.0 * uniform(seed, samples * n_in)).reshape(samples, n_in)
        y_low = 0.0 if kind == "unit" else -1.0
        y = (y_low + (1.0 - y_low) * uniform(seed + 1, samples)).reshape(samples, 1)
    return [(x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch]) for i in range(POOL)]


def conv_model_of(problem):
    """nn.Sequential of a convolutional problem; its parameters come in nnc's PARAMETER_NAMES order."""
    shape, spec = CONV_PROBLEMS[problem][:2]
    layers = []
    channels, height, width = shape
    features = None
    for i, layer in enumerate(spec):
        if layer[0] == "conv":
            _, filters, kernel, padding = layer
            layers += [nn.Conv2d(channels, filters, kernel, padding=padding), nn.ReLU(), nn.MaxPool2d(2)]
            channels = filters
            height = (height + 2 * padding - kernel + 1) // 2
            width = (width + 2 * padding - kernel + 1) // 2
        else:
            if features is None:
                layers.append(nn.Flatten())
                features = channels * height * width
            layers.append(nn.Linear(features, layer[1]))
            features = layer[1]
            if i < len(spec) - 1:
                layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class GruRegressor(nn.Module):
    """A recurrent problem's network: nn.GRU over [batch, T, F], its last state through nn.Linear to one output.

    Its parameters come in nnc's PARAMETER_NAMES order: weight_ih_l0, weight_hh_l0, bias_ih_l0,
    bias_hh_l0 (gates r, z, n), then the dense layer's weight and bias.
    """

    def __init__(self, features, units):
        super().__init__()
        self.gru = nn.GRU(features, units, batch_first=True)
        self.out = nn.Linear(units, 1)

    def forward(self, x):
        states, _ = self.gru(x)
        return self.out(states[:, -1])


def input_shape(problem):
    """The shape PyTorch's model takes one sample in: [C, H, W] for a CNN, [T, F] for a GRU, [features] otherwise."""
    if problem in CONV_PROBLEMS:
        return CONV_PROBLEMS[problem][0]
    if problem in RECURRENT_PROBLEMS:
        return RECURRENT_PROBLEMS[problem][0]
    return [PROBLEMS[problem][0][0]]


def model_of(problem):
    if problem in CONV_PROBLEMS:
        return conv_model_of(problem)
    if problem in RECURRENT_PROBLEMS:
        shape, units = RECURRENT_PROBLEMS[problem][:2]
        return GruRegressor(shape[1], units)
    sizes, hidden, output = PROBLEMS[problem][:3]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            if problem in BATCH_NORM:
                layers.append(nn.BatchNorm1d(sizes[i + 1]))
            layers.append(hidden())
    if output == "sigmoid":
        layers.append(nn.Sigmoid())
    return nn.Sequential(*layers)


def loss_of(kind, out, y):
    if kind == "half_sse":
        return 0.5 * ((out - y) ** 2).sum(dim=1).mean()
    if kind == "mse":
        return F.mse_loss(out, y)
    if kind == "bce_logits":
        return F.binary_cross_entropy_with_logits(out, y)
    return F.cross_entropy(out, y)


def optimizer_of(kind, parameters, lr):
    if kind == "adam":
        return torch.optim.Adam(parameters, lr=lr)
    if kind == "momentum":
        return torch.optim.SGD(parameters, lr=lr, momentum=0.9)
    return torch.optim.SGD(parameters, lr=lr)


def measure(step, round_seconds, rounds):
    """Calls per second of `step`: a warm-up, then the median of `rounds` timed rounds."""
    deadline = time.perf_counter() + max(0.3, round_seconds / 2)
    while time.perf_counter() < deadline:
        step()
    results = []
    for _ in range(rounds):
        calls = 0
        start = time.perf_counter()
        end = start + round_seconds
        now = start
        while now < end:
            for _ in range(8):
                step()
            calls += 8
            now = time.perf_counter()
        results.append(calls / (now - start))
    return statistics.median(results), results


def training_step(problem, dtype, variant):
    """(one training step on the next batch of the pool, the batch) of `problem`'s network."""
    if problem in CONV_PROBLEMS:
        _, _, opt_kind, lr, batch, _ = CONV_PROBLEMS[problem]
        loss_kind = "cross_entropy"
    elif problem in RECURRENT_PROBLEMS:
        _, _, opt_kind, lr, batch, _ = RECURRENT_PROBLEMS[problem]
        loss_kind = "mse"
    else:
        _, _, _, loss_kind, opt_kind, lr, batch, _, _ = PROBLEMS[problem]
    shape = input_shape(problem)
    torch.manual_seed(0)
    model = model_of(problem).to(dtype)
    optimizer = optimizer_of(opt_kind, model.parameters(), lr)
    if variant == "torchscript":
        model = torch.jit.script(model)
    data = [(torch.tensor(x, dtype=dtype).reshape(-1, *shape),
             torch.tensor(y) if loss_kind == "cross_entropy" else torch.tensor(y, dtype=dtype))
            for x, y in pool(problem)]
    cursor = [0]

    def step():
        x, y = data[cursor[0] % POOL]
        cursor[0] += 1
        optimizer.zero_grad()
        loss = loss_of(loss_kind, model(x), y)
        loss.backward()
        optimizer.step()

    return step, batch


def training(problem, dtype, variant, round_seconds, rounds):
    step, batch = training_step(problem, dtype, variant)
    steps, results = measure(step, round_seconds, rounds)
    return steps * batch, [r * batch for r in results]


def pairs(first, second, round_seconds, rounds):
    """Training of two problems in float32 on one thread, eager and TorchScript, alternating.

    Each round measures the four steps one after the other for `round_seconds` each, so that a
    round's ratio of second to first (each the better of eager and TorchScript) compares figures
    measured seconds apart on a machine whose load changes. Prints every round and the medians.
    """
    torch.set_num_threads(1)
    steps = {(p, v): training_step(p, torch.float32, v) for p in (first, second) for v in ("eager", "torchscript")}
    for step, _ in steps.values():
        measure(step, round_seconds, 1)
    figures = {key: [] for key in steps}
    ratios = []
    for i in range(rounds):
        for key, (step, batch) in steps.items():
            figures[key].append(measure(step, round_seconds, 1)[0] * batch)
        best = {p: max(figures[(p, v)][-1] for v in ("eager", "torchscript")) for p in (first, second)}
        ratios.append(best[second] / best[first])
        print(f"round {i + 1:2d}  " + "  ".join(f"{p} {v} {figures[(p, v)][-1]:6.0f}" for p, v in steps)
              + f"  {second}/{first} {ratios[-1]:.3f}")
    quartiles = statistics.quantiles(ratios, n=4)
    print(f"median of {rounds} rounds: " + ", ".join(f"{p} {v} {statistics.median(figures[(p, v)]):.0f}"
                                                  for p, v in steps)
          + f" samples/s; {second}/{first} (best of eager and TorchScript per round) {statistics.median(ratios):.3f}"
          + f" (quartiles {quartiles[0]:.3f}-{quartiles[2]:.3f})")


def prediction(problem, dtype, variant, round_seconds, rounds):
    """One-sample predictions of `problem`'s network: the softmax of a classifier, a regressor's output as it is."""
    torch.manual_seed(0)
    model = model_of(problem).to(dtype).eval()
    samples = [torch.tensor(x[0:1], dtype=dtype).reshape(1, *input_shape(problem)) for x, _ in pool(problem)]
    classifier = problem not in RECURRENT_PROBLEMS
    with torch.no_grad():
        if variant == "torchscript":
            model = torch.jit.freeze(torch.jit.trace(model, samples[0]))
        cursor = [0]

        def step():
            out = model(samples[cursor[0] % POOL])
            if classifier:
                out = torch.softmax(out, dim=1)
            cursor[0] += 1
            return out

        return measure(step, round_seconds, rounds)


ONNX_MODELS = {"i1": ("N4", "n4.f64"), "i2": ("N5", "n5.f64"), "i3": ("C2", "c2.f64")}
# ONNX Runtime's CPU provider has no double Conv kernel: I3's models are float only.
ONNX_DTYPES = {"i3": ((torch.float32, "float"),)}
BOTH_DTYPES = ((torch.float32, "float"), (torch.float64, "double"))
ONNX_OPSET = 13


def export_onnx(directory):
    """DIR/{i1,i2}_{float,double}.onnx and DIR/i3_float.onnx from DIR/n4.f64, DIR/n5.f64 and DIR/c2.f64."""
    for name, (problem, parameter_file) in ONNX_MODELS.items():
        flat = np.fromfile(f"{directory}/{parameter_file}", dtype="<f8")
        for dtype, precision in ONNX_DTYPES.get(name, BOTH_DTYPES):
            model = nn.Sequential(FlatInput(input_shape(problem)), *model_of(problem), nn.Softmax(dim=1))
            model = model.to(dtype).eval()
            offset = 0
            with torch.no_grad():
                for tensor in model.parameters():
                    count = tensor.numel()
                    tensor.copy_(torch.from_numpy(flat[offset:offset + count].reshape(tensor.shape)))
                    offset += count
            if offset != flat.size:
                raise ValueError(f"{parameter_file}: {flat.size} values, the model has {offset} parameters")
            torch.onnx.export(model, torch.zeros(1, data_spec(problem)[0], dtype=dtype),
                              f"{directory}/{name}_{precision}.onnx", input_names=["x"], output_names=["probs"],
                              dynamic_axes={"x": {0: "n"}, "probs": {0: "n"}}, opset_version=ONNX_OPSET)


class FlatInput(nn.Module):
    """Flat rows ([n, C*H*W]) reshaped to the per-sample shape the model takes: nnc's input convention."""

    def __init__(self, shape):
        super().__init__()
        self.shape = list(shape)

    def forward(self, x):
        return x.reshape([-1] + self.shape) if len(self.shape) > 1 else x


class ParametersAsInputs(nn.Module):
    """The suite's network with its parameters as arguments: weight, bias, weight, bias, ..."""

    def __init__(self, layers):
        super().__init__()
        self.layers = layers

    def forward(self, x, *parameters):
        for i in range(self.layers):
            x = F.linear(x, parameters[2 * i], parameters[2 * i + 1])
            if i < self.layers - 1:
                x = torch.relu(x)
        return torch.softmax(x, dim=1)


class ConvParametersAsInputs(nn.Module):
    """A convolutional problem's network with its parameters as arguments, in nnc's order."""

    def __init__(self, problem):
        super().__init__()
        self.shape = CONV_PROBLEMS[problem][0]
        self.layers = CONV_PROBLEMS[problem][1]

    def forward(self, x, *parameters):
        x = x.reshape([-1] + self.shape)
        for i, layer in enumerate(self.layers):
            weight, bias = parameters[2 * i], parameters[2 * i + 1]
            if layer[0] == "conv":
                x = F.max_pool2d(torch.relu(F.conv2d(x, weight, bias, padding=layer[3])), 2)
            else:
                x = F.linear(x.flatten(1), weight, bias)
                if i < len(self.layers) - 1:
                    x = torch.relu(x)
        return torch.softmax(x, dim=1)


def export_onnx_inputs(directory):
    """DIR/*_inputs.onnx: the same graphs, parameters as inputs p0, p1, ..."""
    for name, (problem, _) in ONNX_MODELS.items():
        for dtype, precision in ONNX_DTYPES.get(name, BOTH_DTYPES):
            parameters = [torch.zeros(p.shape, dtype=dtype) for p in model_of(problem).parameters()]
            names = [f"p{i}" for i in range(len(parameters))]
            graph = (ConvParametersAsInputs(problem) if problem in CONV_PROBLEMS
                     else ParametersAsInputs(len(PROBLEMS[problem][0]) - 1))
            torch.onnx.export(graph, (torch.zeros(1, data_spec(problem)[0], dtype=dtype), *parameters),
                              f"{directory}/{name}_{precision}_inputs.onnx", input_names=["x"] + names,
                              output_names=["probs"], dynamic_axes={"x": {0: "n"}, "probs": {0: "n"}},
                              opset_version=ONNX_OPSET)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export-onnx", metavar="DIR", help="write the ONNX models of I1, I2 and I3 and exit")
    parser.add_argument("--export-onnx-inputs", metavar="DIR",
                        help="write them with the parameters as graph inputs and exit")
    parser.add_argument("--round-seconds", type=float, default=0.7)
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--benchmarks", default="N1,N2,N3,N4,N5,N6,C1,C2,R1,I1,I2,I3,I4")
    parser.add_argument("--pairs", metavar="A,B",
                        help="alternate training of two problems (float, one thread) and print B/A per round; "
                             "--rounds then counts the rounds (15 if not given)")
    parser.add_argument("--r1-fixture", action="store_true",
                        help="print the R1 reference numbers that GruTest pins, in double, and exit")
    args = parser.parse_args()
    if args.pairs:
        first, second = args.pairs.split(",")
        pairs(first, second, args.round_seconds, args.rounds or 15)
        return
    rounds = args.rounds or 3
    if args.r1_fixture:
        print(json.dumps(r1_fixture(), indent=1))
        return
    if args.export_onnx or args.export_onnx_inputs:
        if args.export_onnx:
            export_onnx(args.export_onnx)
        if args.export_onnx_inputs:
            export_onnx_inputs(args.export_onnx_inputs)
        return
    results = []
    for bench in args.benchmarks.split(","):
        for dtype, precision in ((torch.float32, "float"), (torch.float64, "double")):
            if precision not in PRECISIONS.get(bench, ("float", "double")):
                continue
            for threads in (1, 2):
                torch.set_num_threads(threads)
                # N5's momentum buffers decay into the subnormal range on its data (BENCHMARKS.md);
                # "eager-ftz" measures PyTorch with subnormals flushed to zero, as a bound (N6 too,
                # the same network and optimizer with batch normalisation).
                variants = ("eager", "torchscript") + (("eager-ftz",) if bench in ("N5", "N6") else ())
                for variant in variants:
                    torch.set_flush_denormal(variant == "eager-ftz")
                    if bench in PREDICTIONS:
                        median, per_round = prediction(PREDICTIONS[bench], dtype, variant, args.round_seconds, rounds)
                    else:
                        median, per_round = training(bench, dtype, variant.replace("-ftz", ""), args.round_seconds,
                                                     rounds)
                    torch.set_flush_denormal(False)
                    results.append({"bench": bench, "precision": precision, "threads": threads, "variant": variant,
                                    "per_second": median, "rounds": per_round})
    print(json.dumps({"torch": torch.__version__, "blas": blas_info(), "results": results}, indent=1))


def r1_fixture():
    """R1's network in float64 from fixed parameters on the first batches of its pool: what GruTest pins.

    Parameter i of the flat order (nnc's, PyTorch's) is 0.2 * sin(0.37 * i + 0.1). The loss and its
    gradient on batch 0, the losses of five Adam steps (lr 1e-3) on batches 0-4 and then the output
    for sample 0 of batch 0.
    """
    torch.set_num_threads(1)
    model = model_of("R1").to(torch.float64)
    offset = 0
    with torch.no_grad():
        for tensor in model.parameters():
            count = tensor.numel()
            values = 0.2 * np.sin(0.37 * np.arange(offset, offset + count) + 0.1)
            tensor.copy_(torch.from_numpy(values.reshape(tensor.shape)))
            offset += count
    data = [(torch.tensor(x, dtype=torch.float64).reshape(-1, 32, 8), torch.tensor(y, dtype=torch.float64))
            for x, y in pool("R1")]
    x, y = data[0]
    loss = F.mse_loss(model(x), y)
    loss.backward()
    gradient = torch.cat([p.grad.reshape(-1) for p in model.parameters()])
    probes = [0, 5, 200, 1535, 1536, 3000, 13823, 13824, 14000, 14015, 14016, 14100, 14207, 14208, 14250, 14271,
              14272]
    model.zero_grad()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for i in range(5):
        xi, yi = data[i]
        optimizer.zero_grad()
        step_loss = F.mse_loss(model(xi), yi)
        step_loss.backward()
        optimizer.step()
        losses.append(step_loss.item())
    with torch.no_grad():
        prediction = model(x[0:1]).item()
    return {"parameters": offset, "loss": loss.item(), "gradient_norm": gradient.norm().item(),
            "gradient": {str(i): gradient[i].item() for i in probes}, "losses": losses, "prediction": prediction}


def blas_info():
    """The BLAS library actually loaded (Debian's build says BLAS_INFO=generic whatever it links)."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line and line.rstrip().endswith(".so.3")}
    return ", ".join(sorted(paths)) or "unknown"


if __name__ == "__main__":
    main()
