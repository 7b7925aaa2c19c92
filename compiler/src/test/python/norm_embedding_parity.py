#!/usr/bin/env python3
"""Reference values from PyTorch for nnc's layer_norm and embedding parity test.

For four networks that use layer_norm (over a hidden vector, over a matrix input with eps
given) and embedding (a vector of ids with repeats and unused rows, a scalar id next to other
inputs), with seeded inputs, targets and initial parameters, this script computes with torch.nn
in float64:

- the predictions of the batch (the forward pass),
- the mean loss of the batch and its gradient with respect to every parameter,
- five training steps with torch.optim: the loss before each update and the final parameters,

and writes one fixture per network to compiler/src/test/resources/norm-embedding-parity/<name>.txt
in the format of recurrent_parity.py (ParityFixture reads both). The ids are part of the input
row, as nnc reads them: whole numbers stored as doubles, turned into indices for
torch.nn.Embedding here.

nnc's layer_norm(x) is torch.nn.LayerNorm(x.shape) and embedding(ids, count, dim) is
torch.nn.Embedding(count, dim); both name their parameters weight (and bias), as nnc does after
the definition (n.weight, n.bias, e.weight). The flat parameter vector is the row-major
concatenation in nnc's PARAMETER_NAMES order, which is declaration order, and here the order
of registration. Every parameter is set from uniform(-0.5, 0.5) plus an offset of 1 for
layer_norm's weight (PyTorch's start is ones), so that no gradient is special; every parameter
must have a nonzero gradient except the rows of an embedding that no id names, which must have
a zero one; the fixture lists their flat indices (`zero_gradient`), and nnc must leave them
exactly zero.

The script does not take PyTorch's word for layer_norm: `layer_norm_by_hand` writes it out
(mean, biased variance, (x - mean) / sqrt(var + eps) * weight + bias), and the predictions of
torch.nn's module must agree with it to 1e-12.

Deterministic: float64, one thread, fixed seeds. Every number is written with repr().

Usage (Debian's PyTorch: apt-get install python3-torch):
    /usr/bin/python3 compiler/src/test/python/norm_embedding_parity.py [output directory]
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
SAMPLES = 5
BY_HAND_TOLERANCE = 1e-12


def layer_norm_by_hand(x, norm):
    """torch.nn.LayerNorm over every dimension but the batch's, from its definition."""
    dims = tuple(range(1, x.dim()))
    mean = x.mean(dim=dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
    return (x - mean) / torch.sqrt(var + norm.eps) * norm.weight + norm.bias


class HiddenNorm(torch.nn.Module):
    """input x[6] -> dense 5 tanh -> layer_norm -> dense 3, MSE."""

    spec = (
        "network HiddenNorm {"
        " input x[6]; target y[3];"
        " h = dense(x, 5, activation = tanh);"
        " n = layer_norm(h);"
        " out = dense(n, 3);"
        " output out; loss mse(out, y); optimizer adam(lr = 0.01); }"
    )
    classes = False

    def __init__(self):
        super().__init__()
        self.h = torch.nn.Linear(6, 5)
        self.n = torch.nn.LayerNorm(5)
        self.out = torch.nn.Linear(5, 3)

    def data(self, generator):
        return torch.randn(SAMPLES, 6, generator=generator), torch.randn(SAMPLES, 3, generator=generator)

    def forward(self, xs, by_hand=False):
        h = torch.tanh(self.h(xs))
        n = layer_norm_by_hand(h, self.n) if by_hand else self.n(h)
        return self.out(n)


class MatrixNorm(torch.nn.Module):
    """input x[3, 4] -> layer_norm(eps = 0.01) over all 12 -> dense 3 softmax, cross-entropy."""

    spec = (
        "network MatrixNorm {"
        " input x[3, 4]; target y[3];"
        " n = layer_norm(x, eps = 0.01);"
        " out = dense(flatten(n), 3);"
        " probs = softmax(out);"
        " output probs; loss cross_entropy(probs, y); optimizer sgd(lr = 0.1, momentum = 0.9); }"
    )
    classes = True

    def __init__(self):
        super().__init__()
        self.n = torch.nn.LayerNorm((3, 4), eps=0.01)
        self.out = torch.nn.Linear(12, 3)

    def data(self, generator):
        # A large common offset: the two-pass variance must not cancel.
        xs = 100 + torch.randn(SAMPLES, 12, generator=generator)
        labels = torch.randint(0, 3, (SAMPLES,), generator=generator)
        return xs, F.one_hot(labels, 3).to(torch.float64)

    def forward(self, xs, by_hand=False):
        x = xs.reshape(-1, 3, 4)
        n = layer_norm_by_hand(x, self.n) if by_hand else self.n(x)
        return self.out(n.flatten(1))


class Tokens(torch.nn.Module):
    """input ids[4], x[2] -> embedding(ids, 6, 3) -> dense 4 tanh -> dense 2, MSE."""

    spec = (
        "network Tokens {"
        " input ids[4]; input x[2]; target y[2];"
        " e = embedding(ids, 6, 3);"
        " h = dense(concat(flatten(e), x), 4, activation = tanh);"
        " out = dense(h, 2);"
        " output out; loss mse(out, y); optimizer sgd(lr = 0.1, momentum = 0.9); }"
    )
    classes = False
    id_columns = slice(0, 4)
    # Ids from 0 to 4, repeated within samples: row 5 is never looked up.
    ids = [[0, 2, 2, 4], [1, 1, 3, 0], [4, 4, 4, 4], [2, 3, 0, 1], [3, 0, 2, 2]]

    def __init__(self):
        super().__init__()
        self.e = torch.nn.Embedding(6, 3)
        self.h = torch.nn.Linear(14, 4)
        self.out = torch.nn.Linear(4, 2)

    def data(self, generator):
        x = torch.randn(SAMPLES, 2, generator=generator)
        xs = torch.cat([torch.tensor(self.ids, dtype=torch.float64), x], dim=1)
        return xs, torch.randn(SAMPLES, 2, generator=generator)

    def forward(self, xs, by_hand=False):
        e = self.e(xs[:, :4].long())
        return self.out(torch.tanh(self.h(torch.cat([e.flatten(1), xs[:, 4:]], dim=1))))


class WeekNorm(torch.nn.Module):
    """input week, x[3] -> embedding(week, 5, 2) -> layer_norm of [e, x] -> dense 3 softmax."""

    spec = (
        "network WeekNorm {"
        " input week; input x[3]; target y[3];"
        " e = embedding(week, 5, 2);"
        " n = layer_norm(concat(e, x));"
        " out = dense(n, 3);"
        " probs = softmax(out);"
        " output probs; loss cross_entropy(probs, y); optimizer adam(lr = 0.01); }"
    )
    classes = True
    id_columns = slice(0, 1)
    weeks = [3, 0, 3, 1, 2]

    def __init__(self):
        super().__init__()
        self.e = torch.nn.Embedding(5, 2)
        self.n = torch.nn.LayerNorm(5)
        self.out = torch.nn.Linear(5, 3)

    def data(self, generator):
        x = torch.randn(SAMPLES, 3, generator=generator)
        xs = torch.cat([torch.tensor(self.weeks, dtype=torch.float64).reshape(-1, 1), x], dim=1)
        labels = torch.randint(0, 3, (SAMPLES,), generator=generator)
        return xs, F.one_hot(labels, 3).to(torch.float64)

    def forward(self, xs, by_hand=False):
        joined = torch.cat([self.e(xs[:, 0].long()), xs[:, 1:]], dim=1)
        n = layer_norm_by_hand(joined, self.n) if by_hand else self.n(joined)
        return self.out(n)


class Case(NamedTuple):
    name: str
    module: Callable
    seed: int
    optimizer: Callable


def sgd(p):
    return torch.optim.SGD(p, lr=0.1, momentum=0.9)


def adam(p):
    return torch.optim.Adam(p, lr=0.01)


CASES = [
    Case("hidden_norm", HiddenNorm, 11, adam),
    Case("matrix_norm", MatrixNorm, 21, sgd),
    Case("tokens", Tokens, 31, sgd),
    Case("week_norm", WeekNorm, 41, adam),
]


def loss_of(net, outputs, ys):
    if net.classes:
        return F.cross_entropy(outputs, ys.argmax(dim=1), reduction="mean")
    return F.mse_loss(outputs, ys, reduction="mean")


def flat(tensor):
    return [float(v) for v in tensor.reshape(-1).tolist()]


def line(key, values):
    return key + " " + " ".join(repr(float(v)) for v in values) + "\n"


def write_fixture(directory, case):
    net = case.module()
    generator = torch.Generator().manual_seed(case.seed)
    xs, ys = net.data(generator)
    with torch.no_grad():
        for name, param in net.named_parameters():
            offset = 1.0 if name == "n.weight" else 0.0
            param.copy_(offset + torch.rand(param.shape, generator=generator) - 0.5)
    named = list(net.named_parameters())
    initial = [v for _, p in named for v in flat(p.detach())]
    shapes = " ".join(n + "[" + ",".join(str(d) for d in p.shape) + "]" for n, p in named)

    outputs = net(xs)
    by_hand = net(xs, by_hand=True)
    deviation = float((outputs - by_hand).abs().max())
    assert deviation <= BY_HAND_TOLERANCE, f"{case.name}: torch.nn deviates by {deviation} from the definition"
    predictions = (torch.softmax(outputs, dim=1) if net.classes else outputs).detach()
    net.zero_grad()
    loss = loss_of(net, outputs, ys)
    loss.backward()
    loss = loss.item()
    gradient = torch.cat([p.grad.reshape(-1) for _, p in named])
    zero_gradient = []
    start = 0
    for name, p in named:
        if name == "e.weight":
            used = set(xs[:, net.id_columns].long().reshape(-1).tolist())
            zero_rows = {r for r in range(p.shape[0]) if bool((p.grad[r] == 0).all())}
            assert zero_rows == set(range(p.shape[0])) - used, f"{case.name}: rows {zero_rows} have no gradient"
            assert bool((p.grad[sorted(used)] != 0).all()), f"{case.name}: a used row has a zero gradient"
            zero_gradient += [start + r * p.shape[1] + j for r in sorted(zero_rows) for j in range(p.shape[1])]
        else:
            assert bool((p.grad != 0).all()), f"{case.name}: {name} has a zero gradient; choose another seed"
        start += p.numel()

    optimizer = case.optimizer(net.parameters())
    losses = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        step_loss = loss_of(net, net(xs), ys)
        step_loss.backward()
        optimizer.step()
        losses.append(step_loss.item())
    assert losses[0] == loss

    path = os.path.join(directory, case.name + ".txt")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(
            f"# Generated by compiler/src/test/python/norm_embedding_parity.py with PyTorch {torch.__version__};"
            " do not edit.\n"
        )
        modules = ", ".join(type(m).__name__ for _, m in net.named_children())
        f.write(f"# torch.nn: {modules}; optimizer: {type(optimizer).__name__}\n")
        f.write("spec " + net.spec + "\n")
        f.write(f"samples {SAMPLES}\n")
        f.write(line("xs", flat(xs)))
        f.write(line("ys", flat(ys)))
        f.write("parameters " + shapes + "\n")
        f.write(line("initial", initial))
        f.write(line("predictions", flat(predictions)))
        f.write(line("loss", [loss]))
        f.write(line("gradient", flat(gradient)))
        if zero_gradient:
            f.write("zero_gradient " + " ".join(str(i) for i in zero_gradient) + "\n")
        f.write(line("losses", losses))
        f.write(line("final", [v for _, p in net.named_parameters() for v in flat(p.detach())]))
    print(f"{path}: loss {losses[0]!r} -> {losses[-1]!r}; definition within {deviation:.1e} of torch.nn")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "resources", "norm-embedding-parity")
    directory = os.path.normpath(sys.argv[1] if len(sys.argv) > 1 else default)
    os.makedirs(directory, exist_ok=True)
    for case in CASES:
        write_fixture(directory, case)


if __name__ == "__main__":
    main()
