#!/usr/bin/env python3
"""Reference values from PyTorch for nnc's batch_norm parity test.

For four networks with batch_norm layers (over the features of a vector, the channels of an
image and of a signal, and two stacked), this script builds the same network from torch.nn
(nn.BatchNorm1d / nn.BatchNorm2d with their defaults unless the spec says otherwise), sets
seeded random parameters, and computes in float64:

- in evaluation mode (running statistics, at their starting values 0 and 1): the predictions of
  the batch, the mean loss and its gradient (what nnc's predict, loss and gradient compute);
- in training mode (batch statistics): the mean loss and its gradient (what nnc's
  trainingGradient computes);
- five training steps with torch.optim in training mode: the loss before each update, the final
  parameters, the running statistics after the fifth step, and the predictions in evaluation
  mode after it (which read those running statistics).

nnc's names are PyTorch's module names with the layer's definition name: `n.weight`, `n.bias`,
buffers `n.running_mean`, `n.running_var` (PyTorch's num_batches_tracked has no counterpart:
with a fixed momentum it is never read). The flat parameter vector is the row-major
concatenation in nnc's PARAMETER_NAMES order (declaration order), and so is the buffer vector.

The script does not take PyTorch's word for batch normalisation: `by_hand` evaluates the
training-mode formula and the running-statistics update from their definitions, and before the
first step the two must agree to 1e-12.

Deterministic: float64, one thread, a fixed seed per network. Every number is written with
repr(), the shortest decimal that reads back to the same double.

Fixture format (text, '#' starts a comment line, otherwise `key value...` on one line):
    spec <the .nn network on one line>          samples <n>
    xs <n * input size, row-major>              ys <n * target size, row-major>
    parameters <name[shape]...>                 initial <flat parameters>
    buffers <name[shape]...>
    predictions <eval-mode predictions at the initial parameters>
    loss <eval-mode mean loss>                  gradient <its gradient, flat>
    training_loss <training-mode mean loss>     training_gradient <its gradient, flat>
    losses <the training loss before each of the 5 updates>
    final <flat parameters after the 5th update>
    final_buffers <flat running statistics after the 5th update>
    final_predictions <eval-mode predictions after the 5th update>

Usage (Debian's PyTorch: apt-get install python3-torch):
    /usr/bin/python3 compiler/src/test/python/batch_norm_parity.py [output directory]
"""

import os
import sys
from typing import Callable, NamedTuple

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

STEPS = 5
SAMPLES = 6
AGREEMENT = 1e-12


class Case(NamedTuple):
    name: str
    spec: str
    build: Callable  # () -> (module, [(nnc name, parameter)], [(nnc name, buffer)])
    input_shape: tuple
    targets: int
    classes: bool
    optimizer: Callable  # parameters -> torch.optim optimizer
    seed: int


class Features(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.h = torch.nn.Linear(5, 6)
        self.n = torch.nn.BatchNorm1d(6)
        self.o = torch.nn.Linear(6, 3)

    def forward(self, x):
        return self.o(torch.relu(self.n(self.h(x))))

    def named(self):
        return [("h.weight", self.h.weight), ("h.bias", self.h.bias), ("n.weight", self.n.weight),
                ("n.bias", self.n.bias), ("o.weight", self.o.weight), ("o.bias", self.o.bias)]

    def norms(self):
        return [("n", self.n)]


class Image(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c = torch.nn.Conv2d(2, 3, 3, padding=1)
        self.n = torch.nn.BatchNorm2d(3, momentum=0.2)
        self.o = torch.nn.Linear(3 * 2 * 2, 4)

    def forward(self, x):
        return self.o(F.max_pool2d(torch.relu(self.n(self.c(x))), 2).flatten(1))

    def named(self):
        return [("c.weight", self.c.weight), ("c.bias", self.c.bias), ("n.weight", self.n.weight),
                ("n.bias", self.n.bias), ("o.weight", self.o.weight), ("o.bias", self.o.bias)]

    def norms(self):
        return [("n", self.n)]


class Signal(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c = torch.nn.Conv1d(2, 3, 3)
        self.n = torch.nn.BatchNorm1d(3, momentum=0.3, eps=1e-3)
        self.o = torch.nn.Linear(3 * 5, 2)

    def forward(self, x):
        return self.o(torch.tanh(self.n(self.c(x))).flatten(1))

    def named(self):
        return [("c.weight", self.c.weight), ("c.bias", self.c.bias), ("n.weight", self.n.weight),
                ("n.bias", self.n.bias), ("o.weight", self.o.weight), ("o.bias", self.o.bias)]

    def norms(self):
        return [("n", self.n)]


class Stacked(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.BatchNorm1d(4)
        self.h = torch.nn.Linear(4, 5)
        self.b = torch.nn.BatchNorm1d(5, momentum=0.5)
        self.o = torch.nn.Linear(5, 2)

    def forward(self, x):
        return self.o(self.b(torch.tanh(self.h(self.a(x)))))

    def named(self):
        return [("a.weight", self.a.weight), ("a.bias", self.a.bias), ("h.weight", self.h.weight),
                ("h.bias", self.h.bias), ("b.weight", self.b.weight), ("b.bias", self.b.bias),
                ("o.weight", self.o.weight), ("o.bias", self.o.bias)]

    def norms(self):
        return [("a", self.a), ("b", self.b)]


CASES = [
    Case("BatchNormFeatures",
         "network BatchNormFeatures { input x[5]; target y[3];"
         " h = dense(x, 6); n = batch_norm(h); o = dense(relu(n), 3);"
         " output o; loss mse(o, y); optimizer adam(lr = 0.01); }",
         Features, (5,), 3, False, lambda p: torch.optim.Adam(p, lr=0.01), 11),
    Case("BatchNormImage",
         "network BatchNormImage { input x[2, 4, 4]; target y[4];"
         " c = conv2d(x, 3, 3, padding = 1); n = batch_norm(c, momentum = 0.2);"
         " p = max_pool2d(relu(n), 2); o = dense(flatten(p), 4); probs = softmax(o);"
         " output probs; loss cross_entropy(probs, y); optimizer sgd(lr = 0.1, momentum = 0.9); }",
         Image, (2, 4, 4), 4, True, lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), 12),
    Case("BatchNormSignal",
         "network BatchNormSignal { input x[2, 7]; target y[2];"
         " c = conv1d(x, 3, 3); n = batch_norm(c, momentum = 0.3, eps = 0.001);"
         " o = dense(flatten(tanh(n)), 2);"
         " output o; loss mse(o, y); optimizer sgd(lr = 0.05); }",
         Signal, (2, 7), 2, False, lambda p: torch.optim.SGD(p, lr=0.05), 13),
    Case("BatchNormStacked",
         "network BatchNormStacked { input x[4]; target y[2];"
         " a = batch_norm(x); h = dense(a, 5, activation = tanh); b = batch_norm(h, momentum = 0.5);"
         " o = dense(b, 2);"
         " output o; loss mse(o, y); optimizer adam(lr = 0.02); }",
         Stacked, (4,), 2, False, lambda p: torch.optim.Adam(p, lr=0.02), 14),
]


def loss_of(case, outputs, ys):
    if case.classes:
        return F.cross_entropy(outputs, ys.argmax(dim=1), reduction="mean")
    return F.mse_loss(outputs, ys, reduction="mean")


def predictions_of(case, outputs):
    return torch.softmax(outputs, dim=1) if case.classes else outputs


def flat(tensors):
    return [float(v) for t in tensors for v in t.detach().reshape(-1).tolist()]


def loss_and_gradient(case, net, xs, ys):
    net.zero_grad()
    loss = loss_of(case, net(xs), ys)
    loss.backward()
    return loss.item(), flat(p.grad for _, p in net.named())


def by_hand(case, net, xs, ys):
    """The training-mode loss and the running statistics' next values, with each batch_norm
    evaluated from its definition (mean and biased variance over the batch and the positions;
    running = (1 - momentum) running + momentum batch, the variance unbiased)."""
    nexts = {}
    originals = {}
    for name, norm in net.norms():
        def manual(x, norm=norm, name=name):
            axes = [0] + list(range(2, x.dim()))
            shape = [1, -1] + [1] * (x.dim() - 2)
            mean = x.mean(dim=axes)
            var = ((x - mean.reshape(shape)) ** 2).mean(dim=axes)
            count = x.numel() // x.shape[1]
            m = norm.momentum
            nexts[name] = ((1 - m) * norm.running_mean + m * mean.detach(),
                           (1 - m) * norm.running_var + m * var.detach() * count / (count - 1))
            return ((x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + norm.eps)
                    * norm.weight.reshape(shape) + norm.bias.reshape(shape))
        originals[name] = norm.forward
        norm.forward = manual
    try:
        loss = loss_of(case, net(xs), ys).item()
    finally:
        for name, norm in net.norms():
            norm.forward = originals[name]
    return loss, [t for name, _ in net.norms() for t in nexts[name]]


def data(case):
    generator = torch.Generator().manual_seed(case.seed)
    xs = torch.randn((SAMPLES,) + case.input_shape, generator=generator)
    if case.classes:
        labels = torch.randint(0, case.targets, (SAMPLES,), generator=generator)
        ys = F.one_hot(labels, case.targets).to(torch.float64)
    else:
        ys = torch.randn(SAMPLES, case.targets, generator=generator)
    return xs, ys


def fixture(case):
    net = case.build()
    generator = torch.Generator().manual_seed(case.seed + 100)
    with torch.no_grad():
        for _, p in net.named():
            p.copy_(torch.rand(p.shape, generator=generator) - 0.5)
        # Weights of a batch norm near 1, as they start, but each its own.
        for _, norm in net.norms():
            norm.weight.add_(1.0)
    xs, ys = data(case)

    net.eval()
    eval_outputs = net(xs)
    predictions = flat([predictions_of(case, eval_outputs)])
    eval_loss, eval_gradient = loss_and_gradient(case, net, xs, ys)

    net.train()
    expected_loss, expected_buffers = by_hand(case, net, xs, ys)
    buffers_before = [b.clone() for _, norm in net.norms() for b in (norm.running_mean, norm.running_var)]
    training_loss, training_gradient = loss_and_gradient(case, net, xs, ys)
    buffers_after = [b.clone() for _, norm in net.norms() for b in (norm.running_mean, norm.running_var)]
    assert abs(training_loss - expected_loss) <= AGREEMENT * max(1.0, abs(training_loss)), case.name
    for got, want in zip(buffers_after, expected_buffers):
        assert float((got - want).abs().max()) <= AGREEMENT, case.name
    # Undo the statistics update of that evaluation: the five steps start from the same state.
    with torch.no_grad():
        for (_, norm), (mean, var) in zip(net.norms(), zip(buffers_before[0::2], buffers_before[1::2])):
            norm.running_mean.copy_(mean)
            norm.running_var.copy_(var)

    initial = flat(p for _, p in net.named())
    optimizer = case.optimizer([p for _, p in net.named()])
    losses = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = loss_of(case, net(xs), ys)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    final = flat(p for _, p in net.named())
    final_buffers = flat(b for _, norm in net.norms() for b in (norm.running_mean, norm.running_var))
    net.eval()
    final_predictions = flat([predictions_of(case, net(xs))])

    def shape(t):
        return "[" + ", ".join(str(d) for d in t.shape) + "]"

    lines = [
        "# Generated by compiler/src/test/python/batch_norm_parity.py; do not edit.\n",
        "spec " + case.spec + "\n",
        "samples " + str(SAMPLES) + "\n",
        line("xs", flat([xs])),
        line("ys", flat([ys])),
        "parameters " + " ".join(name + shape(p) for name, p in net.named()) + "\n",
        "buffers " + " ".join(name + "." + kind + shape(getattr(norm, kind))
                              for name, norm in net.norms() for kind in ("running_mean", "running_var")) + "\n",
        line("initial", initial),
        line("predictions", predictions),
        line("loss", [eval_loss]),
        line("gradient", eval_gradient),
        line("training_loss", [training_loss]),
        line("training_gradient", training_gradient),
        line("losses", losses),
        line("final", final),
        line("final_buffers", final_buffers),
        line("final_predictions", final_predictions),
    ]
    return "".join(lines)


def line(key, values):
    return key + " " + " ".join(repr(float(v)) for v in values) + "\n"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "resources", "batch-norm-parity")
    directory = sys.argv[1] if len(sys.argv) > 1 else default
    os.makedirs(directory, exist_ok=True)
    for case in CASES:
        with open(os.path.join(directory, case.name + ".txt"), "w", encoding="utf-8") as out:
            out.write(fixture(case))
        print("wrote", case.name)


if __name__ == "__main__":
    main()
