#!/usr/bin/env python3
"""Reference trajectories from PyTorch for nnc's optimizer parity test.

For a fixed tiny network, fixed initial parameters and one fixed batch, this script runs ten
training steps with torch.optim for every case in CASES and writes one fixture per case to
compiler/src/test/resources/parity/<case>.txt. OptimizerParityTest (Java) compiles the same
network with nnc, runs ten trainStep calls from the same start, and compares the losses and
the final parameters with the fixture. The Java test reads the start (data and initial
parameters) from the fixture, so this script is the single place where they are written.

The network, in nnc's language (the optimizer line varies per case):

    input x[3];
    target y[2];
    hidden = dense(x, 4, activation = tanh);
    out = dense(hidden, 2);
    output out;
    loss mse(out, y);

nnc's mse(p, y) is the mean over the 2 components of (p - y)^2 and the loss of a batch is the
mean over its samples, so the batch loss is the mean over all 5 x 2 elements: exactly
torch.nn.functional.mse_loss(out, y) with reduction="mean". nn.Linear stores its weight as
[out_features, in_features], the layout of nnc's `hidden.weight` [4, 3] and `out.weight`
[2, 4], so the flat parameter vector is the row-major concatenation of hidden.weight,
hidden.bias, out.weight, out.bias (nnc's PARAMETER_NAMES order).

Deterministic: float64 throughout, one thread, no random numbers. Every number in a fixture is
written with repr(), the shortest decimal that reads back to the same double, so Java's
Double.parseDouble recovers the exact value.

Fixture format (text, '#' starts a comment line, otherwise `key value...` on one line):
    statement <the .nn optimizer statement, e.g. optimizer adam(lr = 0.01);>
    samples <n>
    xs <n*3 inputs, row-major>       ys <n*2 targets, row-major>
    parameters <name[shape]...>      initial <26 flat parameters>
    losses <the batch loss before each of the 10 updates>
    final <26 flat parameters after the 10th update>

Usage (Debian's PyTorch: apt-get install python3-torch):
    /usr/bin/python3 compiler/src/test/python/optimizer_parity.py [output directory]
"""

import os
import sys

import torch

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

STEPS = 10

# One batch of five samples: inputs x[3] and targets y[2], written as exact short decimals.
XS = [
    [0.5, -1.0, 0.25],
    [-0.75, 0.5, 1.0],
    [1.5, 0.25, -0.5],
    [0.0, -0.5, -1.25],
    [-1.0, 1.25, 0.75],
]
YS = [
    [1.0, -0.5],
    [-0.25, 0.75],
    [0.5, 0.0],
    [-1.0, 0.5],
    [0.25, -0.75],
]

# Initial parameters in nnc's layout. Small multiples of 1/8 and 1/16: exact in binary, away
# from tanh's saturation, and not symmetric, so every unit gets a different gradient.
INITIAL = {
    "hidden.weight": [  # [4, 3]
        [0.5, -0.25, 0.125],
        [-0.375, 0.625, 0.25],
        [0.75, 0.125, -0.5],
        [-0.125, -0.5, 0.375],
    ],
    "hidden.bias": [0.0625, -0.125, 0.1875, 0.0],  # [4]
    "out.weight": [  # [2, 4]
        [0.25, -0.5, 0.375, 0.625],
        [-0.625, 0.125, 0.5, -0.25],
    ],
    "out.bias": [-0.0625, 0.125],  # [2]
}
PARAMETER_NAMES = ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]


def make_optimizer(kind, params, **args):
    """torch.optim with nnc's argument names and nnc's defaults where PyTorch's differ."""
    if kind == "sgd":
        return torch.optim.SGD(
            params,
            lr=args["lr"],
            momentum=args.get("momentum", 0.0),
            nesterov=args.get("nesterov", False),
        )
    if kind == "adagrad":
        # nnc's default eps is 1e-8; PyTorch's is 1e-10. Accumulator and lr decay: PyTorch's
        # defaults (0), which is what nnc implements.
        return torch.optim.Adagrad(
            params,
            lr=args["lr"],
            eps=args.get("eps", 1e-8),
            lr_decay=0.0,
            initial_accumulator_value=0.0,
        )
    if kind == "rmsprop":
        # nnc's rho is PyTorch's alpha; no momentum, not centered (PyTorch's defaults).
        return torch.optim.RMSprop(
            params, lr=args["lr"], alpha=args.get("rho", 0.9), eps=args.get("eps", 1e-8)
        )
    if kind == "adam":
        return torch.optim.Adam(
            params,
            lr=args.get("lr", 0.001),
            betas=(args.get("beta1", 0.9), args.get("beta2", 0.999)),
            eps=args.get("eps", 1e-8),
        )
    raise ValueError(kind)


# (fixture name, .nn optimizer statement, optimizer kind, arguments incl. clip_value/clip_norm).
# The statement and the arguments say the same thing twice on purpose: the statement is what
# nnc compiles, the arguments are what PyTorch gets.
CASES = [
    ("sgd", "optimizer sgd(lr = 0.1);", "sgd", dict(lr=0.1)),
    ("sgd_momentum", "optimizer sgd(lr = 0.1, momentum = 0.9);", "sgd", dict(lr=0.1, momentum=0.9)),
    (
        "sgd_nesterov",
        "optimizer sgd(lr = 0.1, momentum = 0.9, nesterov = true);",
        "sgd",
        dict(lr=0.1, momentum=0.9, nesterov=True),
    ),
    ("adagrad", "optimizer adagrad(lr = 0.1);", "adagrad", dict(lr=0.1)),
    ("rmsprop", "optimizer rmsprop(lr = 0.01, rho = 0.9);", "rmsprop", dict(lr=0.01, rho=0.9)),
    ("adam", "optimizer adam(lr = 0.01);", "adam", dict(lr=0.01)),
    (
        "adam_betas",
        "optimizer adam(lr = 0.01, beta1 = 0.8, beta2 = 0.99, eps = 1e-6);",
        "adam",
        dict(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6),
    ),
    (
        "sgd_clip_value",
        "optimizer sgd(lr = 0.1, clip_value = 0.05);",
        "sgd",
        dict(lr=0.1, clip_value=0.05),
    ),
    (
        "adam_clip_norm",
        "optimizer adam(lr = 0.01, clip_norm = 0.1);",
        "adam",
        dict(lr=0.01, clip_norm=0.1),
    ),
    (
        "sgd_momentum_clip_both",
        "optimizer sgd(lr = 0.1, momentum = 0.9, clip_value = 0.05, clip_norm = 0.1);",
        "sgd",
        dict(lr=0.1, momentum=0.9, clip_value=0.05, clip_norm=0.1),
    ),
]


class Net(torch.nn.Module):
    """3 -> 4 tanh -> 2 identity, initialised from INITIAL."""

    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(3, 4)
        self.out = torch.nn.Linear(4, 2)
        with torch.no_grad():
            for name, param in self.named_parameters():
                param.copy_(torch.tensor(INITIAL[name]))

    def forward(self, x):
        return self.out(torch.tanh(self.hidden(x)))


def flat(values):
    """Row-major flattening of nested lists or a tensor, as Python floats."""
    return [float(v) for v in torch.as_tensor(values).reshape(-1).tolist()]


def flat_parameters(net):
    named = dict(net.named_parameters())
    return [v for name in PARAMETER_NAMES for v in flat(named[name].detach())]


def run(kind, args):
    """Ten steps; returns (losses, final parameters, steps where each clip was active)."""
    net = Net()
    assert [name for name, _ in net.named_parameters()] == PARAMETER_NAMES
    xs, ys = torch.tensor(XS), torch.tensor(YS)
    optimizer = make_optimizer(kind, net.parameters(), **args)
    losses, value_clipped, norm_clipped = [], 0, 0
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(net(xs), ys, reduction="mean")
        loss.backward()
        # nnc's order (OptimizerEmitter): clip by value, then by global norm, then update.
        if "clip_value" in args:
            before = [p.grad.clone() for p in net.parameters()]
            torch.nn.utils.clip_grad_value_(net.parameters(), args["clip_value"])
            value_clipped += any(not torch.equal(b, p.grad) for b, p in zip(before, net.parameters()))
        if "clip_norm" in args:
            total = torch.nn.utils.clip_grad_norm_(net.parameters(), args["clip_norm"])
            norm_clipped += bool(total > args["clip_norm"])
        optimizer.step()
        losses.append(loss.item())
    return losses, flat_parameters(net), value_clipped, norm_clipped


def line(key, values):
    return key + " " + " ".join(repr(float(v)) for v in values) + "\n"


def write_fixture(directory, name, statement, kind, args):
    losses, final, value_clipped, norm_clipped = run(kind, args)
    shapes = {"hidden.weight": "[4,3]", "hidden.bias": "[4]", "out.weight": "[2,4]", "out.bias": "[2]"}
    header = [
        f"# Generated by compiler/src/test/python/optimizer_parity.py with PyTorch {torch.__version__}; do not edit.",
        f"# torch.optim case: {kind}({', '.join(f'{k}={v!r}' for k, v in args.items())})",
    ]
    if "clip_value" in args:
        header.append(f"# clip_grad_value_ changed the gradient in {value_clipped} of {STEPS} steps")
    if "clip_norm" in args:
        header.append(f"# clip_grad_norm_ rescaled the gradient in {norm_clipped} of {STEPS} steps")
    # A clipping case whose threshold never bites would not test the clipping rule.
    assert "clip_value" not in args or value_clipped == STEPS, (name, value_clipped)
    assert "clip_norm" not in args or norm_clipped == STEPS, (name, norm_clipped)
    path = os.path.join(directory, name + ".txt")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(header) + "\n")
        f.write("statement " + statement + "\n")
        f.write(f"samples {len(XS)}\n")
        f.write(line("xs", flat(XS)))
        f.write(line("ys", flat(YS)))
        f.write("parameters " + " ".join(n + shapes[n] for n in PARAMETER_NAMES) + "\n")
        f.write(line("initial", [v for n in PARAMETER_NAMES for v in flat(INITIAL[n])]))
        f.write(line("losses", losses))
        f.write(line("final", final))
    print(f"{path}: loss {losses[0]!r} -> {losses[-1]!r}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "resources", "parity")
    directory = os.path.normpath(sys.argv[1] if len(sys.argv) > 1 else default)
    os.makedirs(directory, exist_ok=True)
    for name, statement, kind, args in CASES:
        write_fixture(directory, name, statement, kind, args)


if __name__ == "__main__":
    main()
