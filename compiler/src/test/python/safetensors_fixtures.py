#!/usr/bin/env python3
"""PyTorch state_dicts in safetensors files for nnc's SafeTensorsParityTest, and a check of the
files nnc writes.

For one network of each layer kind (dense; conv1d; conv2d; rnn, gru and lstm; batch_norm over
channels and features, with running statistics; embedding and a layer_norm over a matrix), this
script builds the network from torch.nn in float32 with PyTorch's own seeded initialisation
(batch and layer norms get random weights and biases, and the batch norms' running statistics
come from three forward passes in training mode, so that no tensor is all ones or zeros), and
writes:

- <name>.safetensors: safetensors.torch.save_file(model.state_dict()), the file a PyTorch user
  would hand over: recurrent parameters named weight_ih_l0 and so on, batch norms with their
  I64 num_batches_tracked;
- <name>.txt: the network as a one-line .nn spec whose definitions have the module names, a batch
  of four seeded random samples (float32 values), the predictions of the batch in evaluation mode
  in float32 (predictions_f32) and, with the same weights and samples widened exactly to
  float64, in float64 (predictions_f64).

dense_f16 and dense_bf16 hold the dense network with its state_dict converted to float16 and
bfloat16; their predictions are computed from the rounded weights.

With --check DIRECTORY, it instead loads every <name>.safetensors and <name>.f64.safetensors
that SafeTensorsParityTest wrote there from nnc (target/safetensors-from-nnc) with
model.load_state_dict(safetensors.torch.load_file(path)) (strict) into the torch.nn network of
<name>, and checks that its float32 predictions of the fixture's batch are the fixture's to 1e-6.

Deterministic: one thread, a fixed seed per network. Every number is written with repr() of the
double, the shortest decimal that reads back to the same value.

Fixture format (text, '#' starts a comment line, otherwise `key value...` on one line):
    spec <the .nn network on one line>     samples <n>
    xs <n * input size, row-major>
    predictions_f32 <n * output size>      predictions_f64 <n * output size>

Usage (Debian's PyTorch, apt-get install python3-torch, and the safetensors package):
    /usr/bin/python3 -m venv --system-site-packages /tmp/st-venv
    /tmp/st-venv/bin/pip install safetensors
    /tmp/st-venv/bin/python compiler/src/test/python/safetensors_fixtures.py [output directory]
    /tmp/st-venv/bin/python compiler/src/test/python/safetensors_fixtures.py --check compiler/target/safetensors-from-nnc
"""

import copy
import os
import sys
from typing import Callable, NamedTuple

import safetensors
import torch
from safetensors.torch import load_file, save_file

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

SAMPLES = 4
TOLERANCE = 1e-6


class Dense(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.h = torch.nn.Linear(5, 7)
        self.out = torch.nn.Linear(7, 3, bias=False)

    def forward(self, x):
        return self.out(torch.tanh(self.h(x)))


class ConvOne(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c = torch.nn.Conv1d(2, 4, 3, stride=2, dilation=2)
        self.out = torch.nn.Linear(4 * 3, 2)

    def forward(self, x):
        return self.out(torch.tanh(self.c(x)).flatten(1))


class ConvTwo(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c = torch.nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=1)
        self.out = torch.nn.Linear(3 * 3 * 5, 2)

    def forward(self, x):
        return self.out(torch.relu(self.c(x)).flatten(1))


class Recurrent(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.r = torch.nn.RNN(3, 4, batch_first=True)
        self.g = torch.nn.GRU(4, 3, batch_first=True)
        self.l = torch.nn.LSTM(3, 2, batch_first=True)
        self.out = torch.nn.Linear(2, 2)

    def forward(self, x):
        r, _ = self.r(x)
        g, _ = self.g(r)
        l, _ = self.l(g)
        return self.out(l[:, -1])


class Norms(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c = torch.nn.Conv2d(2, 3, 2)
        self.a = torch.nn.BatchNorm2d(3)
        self.h = torch.nn.Linear(3 * 2 * 2, 4)
        self.b = torch.nn.BatchNorm1d(4, momentum=0.3)
        self.out = torch.nn.Linear(4, 2)

    def forward(self, x):
        a = torch.relu(self.a(self.c(x)))
        return self.out(torch.tanh(self.b(self.h(a.flatten(1)))))


class Lookup(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.e = torch.nn.Embedding(5, 3)
        self.n = torch.nn.LayerNorm((3, 3))
        self.out = torch.nn.Linear(3 * 3 + 2, 2)

    def forward(self, x):
        ids = x[:, :3].long()
        return self.out(torch.cat((self.n(self.e(ids)).flatten(1), x[:, 3:]), dim=1))


class Case(NamedTuple):
    name: str
    spec: str
    build: Callable
    input_shape: tuple
    seed: int
    dtype: torch.dtype = torch.float32
    ids: int = 0  # leading input columns that are ids in [0, 5)


DENSE = ("network StDense { input x[5]; target y[3]; h = dense(x, 7, activation = tanh);"
         " out = dense(h, 3, bias = false); output out; loss mse(out, y); optimizer sgd(lr = 0.1); }")

CASES = [
    Case("dense", DENSE, Dense, (5,), 21),
    Case("dense_f16", DENSE, Dense, (5,), 21, torch.float16),
    Case("dense_bf16", DENSE, Dense, (5,), 21, torch.bfloat16),
    Case("conv1d",
         "network StConvOne { input x[2, 9]; target y[2];"
         " c = conv1d(x, 4, 3, stride = 2, dilation = 2, activation = tanh); out = dense(flatten(c), 2);"
         " output out; loss mse(out, y); optimizer sgd(lr = 0.1); }",
         ConvOne, (2, 9), 22),
    Case("conv2d",
         "network StConvTwo { input x[2, 5, 4]; target y[2];"
         " c = conv2d(x, 3, [3, 2], stride = [2, 1], padding = 1, activation = relu);"
         " out = dense(flatten(c), 2); output out; loss mse(out, y); optimizer sgd(lr = 0.1); }",
         ConvTwo, (2, 5, 4), 23),
    Case("recurrent",
         "network StRecurrent { input x[5, 3]; target y[2]; r = rnn(x, 4, sequences = true);"
         " g = gru(r, 3, sequences = true); l = lstm(g, 2); out = dense(l, 2);"
         " output out; loss mse(out, y); optimizer adam(lr = 0.01); }",
         Recurrent, (5, 3), 24),
    Case("norms",
         "network StNorms { input x[2, 3, 3]; target y[2]; c = conv2d(x, 3, 2); a = batch_norm(c);"
         " h = dense(flatten(relu(a)), 4); b = batch_norm(h, momentum = 0.3); out = dense(tanh(b), 2);"
         " output out; loss mse(out, y); optimizer adam(lr = 0.01); }",
         Norms, (2, 3, 3), 25),
    Case("lookup",
         "network StLookup { input ids[3]; input x[2]; target y[2]; e = embedding(ids, 5, 3);"
         " n = layer_norm(e); out = dense(concat(flatten(n), x), 2);"
         " output out; loss mse(out, y); optimizer sgd(lr = 0.1); }",
         Lookup, (5,), 26, ids=3),
]


def samples(case, count):
    xs = torch.randn((count,) + case.input_shape)
    if case.ids:
        xs[:, :case.ids] = torch.randint(0, 5, (count, case.ids)).float()
    return xs


def build(case):
    """The float32 network with its seeded weights, in evaluation mode, and the batch."""
    torch.manual_seed(case.seed)
    model = case.build()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d, torch.nn.LayerNorm)):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.5, 0.5)
        model.train()
        for _ in range(3):
            model(samples(case, 6))
    model.eval()
    xs = samples(case, SAMPLES)
    if case.dtype != torch.float32:
        rounded = {k: v.to(case.dtype) if v.is_floating_point() else v for k, v in model.state_dict().items()}
        model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in rounded.items()})
        return model, xs, rounded
    return model, xs, model.state_dict()


def predictions(model, xs):
    with torch.no_grad():
        f32 = model(xs)
        f64 = copy.deepcopy(model).double()(xs.double())
    return f32, f64


def numbers(tensor):
    return " ".join(repr(float(v)) for v in tensor.reshape(-1).tolist())


def write(directory):
    os.makedirs(directory, exist_ok=True)
    for case in CASES:
        model, xs, state = build(case)
        f32, f64 = predictions(model, xs)
        save_file({k: v.contiguous() for k, v in state.items()}, os.path.join(directory, case.name + ".safetensors"))
        with open(os.path.join(directory, case.name + ".txt"), "w") as out:
            out.write(f"# Generated by compiler/src/test/python/safetensors_fixtures.py with PyTorch {torch.__version__}"
                      f" and safetensors {safetensors.__version__}; do not edit.\n")
            out.write(f"# torch.nn model: {case.build.__name__}; state_dict dtype: {case.dtype}\n")
            out.write(f"spec {case.spec}\n")
            out.write(f"samples {SAMPLES}\n")
            out.write(f"xs {numbers(xs)}\n")
            out.write(f"predictions_f32 {numbers(f32)}\n")
            out.write(f"predictions_f64 {numbers(f64)}\n")
        print(f"{case.name}: {len(state)} tensors")


def check(directory):
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "safetensors")
    checked = 0
    for case in CASES:
        for suffix in (".safetensors", ".f64.safetensors"):
            path = os.path.join(directory, case.name + suffix)
            if not os.path.exists(path):
                continue
            lines = dict(line.rstrip("\n").split(" ", 1)
                         for line in open(os.path.join(fixtures, case.name + ".txt")) if not line.startswith("#"))
            xs = torch.tensor([float(v) for v in lines["xs"].split()]).reshape((SAMPLES,) + case.input_shape)
            expected = torch.tensor([float(v) for v in lines["predictions_f32"].split()], dtype=torch.float64)
            model = case.build()
            model.load_state_dict(load_file(path))
            model.eval()
            with torch.no_grad():
                actual = model(xs).double().reshape(-1)
            deviation = (actual - expected).abs().max().item()
            print(f"{case.name}{suffix}: loaded by load_state_dict, max prediction deviation {deviation:.3g}")
            if deviation > TOLERANCE:
                sys.exit(f"{path}: predictions differ by {deviation}")
            checked += 1
    if checked == 0:
        sys.exit(f"no files of nnc in {directory}; run SafeTensorsParityTest first")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        here = os.path.dirname(os.path.abspath(__file__))
        write(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "resources", "safetensors"))
