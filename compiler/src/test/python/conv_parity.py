#!/usr/bin/env python3
"""Reference values from PyTorch for nnc's convolutional parity test.

For a conv1d network and a conv2d network, with random (seeded) inputs, targets and initial
parameters, this script computes with torch.nn in float64:

- the predictions of the batch (the forward pass),
- the mean loss of the batch and its gradient with respect to every parameter,
- five training steps with torch.optim: the loss before each update and the final parameters,

and writes one fixture per network to compiler/src/test/resources/conv-parity/<name>.txt.
ConvParityTest (Java) compiles the fixture's network with nnc, loads the same parameters and
compares. The Java test reads everything (spec, data, initial parameters) from the fixture, so
this script is the single place where they are written.

It also writes two fixtures of deliberate mistakes, computed from the same start with one
semantic slip each, so that the Java test can show that its tolerance tells them apart:
conv1d_exclude_pad (avg_pool1d with count_include_pad=False, which divides an edge window by
the elements inside the signal instead of the full window) and conv2d_flipped_kernel (a true
convolution: both convolutions use the kernel rotated by 180 degrees).

The networks use PyTorch's own modules, named as nnc names the layers, so that
named_parameters() gives nnc's parameter names and layouts (c.weight [F, C, kh, kw], c.bias
[F], out.weight [out, in]); the flat parameter vector is their row-major concatenation in
nnc's PARAMETER_NAMES order, which is declaration order.

Deterministic: float64, one thread, a fixed seed per network. Every number is written with
repr(), the shortest decimal that reads back to the same double. Max pooling sends the gradient
of a tie to one element of the window, so the script checks in every forward pass of every step
that no pooling window has two maxima (apart from zeros that relu made, whose gradient relu
stops anyway); a seed that produced a tie would be refused.

Fixture format (text, '#' starts a comment line, otherwise `key value...` on one line):
    spec <the .nn network on one line>
    samples <n>
    xs <n * input size inputs, row-major>      ys <n * target size targets, row-major>
    parameters <name[shape]...>                initial <flat parameters>
    predictions <n * output size outputs of predict at the initial parameters>
    loss <the mean loss at the initial parameters>
    gradient <its gradient, flat, in the order of the parameters>
    losses <the loss before each of the 5 updates>
    final <flat parameters after the 5th update>
    mistake <what the fixture computes wrongly on purpose; only in the mistake fixtures>

Usage (Debian's PyTorch: apt-get install python3-torch):
    /usr/bin/python3 compiler/src/test/python/conv_parity.py [output directory]
"""

import os
import sys
import warnings

import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore", message="Using padding=.same. with even kernel")

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

STEPS = 5
SAMPLES = 5

CONV1D = (
    "network ConvOne {"
    " input x[2, 11]; target y[2];"
    " c = conv1d(x, 3, 3, stride = 2, padding = 2, dilation = 2, activation = tanh);"
    " p = avg_pool1d(c, 3, stride = 2, padding = 1);"
    " m = max_pool1d(c, 3, stride = 2, padding = 1);"
    " out = dense(concat(flatten(concat(p, m)), global_avg_pool(c), global_max_pool(c)), 2);"
    " output out; loss mse(out, y); optimizer sgd(lr = 0.1, momentum = 0.9); }"
)

CONV2D = (
    "network ConvTwo {"
    " input x[2, 7, 6]; target y[4];"
    " c = conv2d(x, 3, [3, 2], stride = [2, 1], padding = [1, 0], dilation = [1, 2], activation = relu);"
    " m = max_pool2d(c, 2);"
    " a = avg_pool2d(c, 3, stride = 2, padding = 1);"
    " d = conv2d(m, 2, [2, 3], padding = same);"
    " out = dense(concat(flatten(d), flatten(a)), 4);"
    " probs = softmax(out);"
    " output probs; loss cross_entropy(probs, y); optimizer adam(lr = 0.01); }"
)


def assert_no_tie(windows, name):
    """windows: [..., k] pooling windows; the largest value must be unique unless it is 0."""
    top = windows.topk(2, dim=-1).values
    gap = top[..., 0] - top[..., 1]
    tied = (gap <= 1e-9 * top[..., 0].abs().clamp(min=1.0)) & (top[..., 0] != 0.0)
    assert not bool(tied.any()), f"{name}: a max pooling window has two maxima; choose another seed"


class ConvOne(torch.nn.Module):
    """CONV1D: [2, 11] -> conv1d 3x3 (stride 2, padding 2, dilation 2) tanh -> [3, 6];
    avg_pool1d and max_pool1d, both 3 (stride 2, padding 1) -> [3, 3] each; joined -> [6, 3]
    and flattened, with the global average and maximum of each channel -> dense 2; MSE. The
    max pool's padding is -inf (PyTorch's), not 0: tanh makes negative maxima at the edges."""

    def __init__(self, count_include_pad=True):
        super().__init__()
        self.c = torch.nn.Conv1d(2, 3, 3, stride=2, padding=2, dilation=2)
        self.p = torch.nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=count_include_pad)
        self.m = torch.nn.MaxPool1d(3, stride=2, padding=1)
        self.out = torch.nn.Linear(24, 2)

    def forward(self, x):
        c = torch.tanh(self.c(x))
        assert_no_tie(F.pad(c, (1, 1), value=-float("inf")).unfold(2, 3, 2), "max_pool1d")
        assert_no_tie(c, "global_max_pool")
        joined = torch.cat([self.p(c), self.m(c)], dim=1).flatten(1)
        return self.out(torch.cat([joined, c.mean(dim=2), c.amax(dim=2)], dim=1))

    @staticmethod
    def loss(predictions, ys):
        return F.mse_loss(predictions, ys, reduction="mean")


class ConvTwo(torch.nn.Module):
    """CONV2D: [2, 7, 6] -> conv2d 3 filters of 3x2 (stride [2, 1], padding [1, 0], dilation
    [1, 2]) relu -> [3, 4, 4]; max_pool2d 2 -> [3, 2, 2] -> conv2d 2 filters 2x3 padding same
    (PyTorch pads an even kernel's extra row at the bottom) -> [2, 2, 2]; avg_pool2d 3 (stride 2, padding 1) -> [3, 2, 2]; both flattened and joined ->
    dense 4 -> softmax; cross-entropy with one-hot targets."""

    def __init__(self, flip_kernels=False):
        super().__init__()
        self.c = torch.nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2))
        self.m = torch.nn.MaxPool2d(2)
        self.a = torch.nn.AvgPool2d(3, stride=2, padding=1)
        self.d = torch.nn.Conv2d(3, 2, (2, 3), padding="same")
        self.out = torch.nn.Linear(20, 4)
        self.flip_kernels = flip_kernels

    def conv(self, layer, x):
        if not self.flip_kernels:
            return layer(x)
        flipped = layer.weight.flip(-2, -1)
        return layer._conv_forward(x, flipped, layer.bias)

    def forward(self, x):
        """The logits; the network's output is their softmax."""
        c = torch.relu(self.conv(self.c, x))
        windows = c.unfold(2, 2, 2).unfold(3, 2, 2)
        assert_no_tie(windows.reshape(*windows.shape[:4], 4), "max_pool2d")
        d = self.conv(self.d, self.m(c))
        joined = torch.cat([d.flatten(1), self.a(c).flatten(1)], dim=1)
        return self.out(joined)

    @staticmethod
    def loss(logits, ys):
        return F.cross_entropy(logits, ys.argmax(dim=1), reduction="mean")


def conv_one_case(seed):
    generator = torch.Generator().manual_seed(seed)
    xs = torch.randn(SAMPLES, 2, 11, generator=generator)
    ys = torch.randn(SAMPLES, 2, generator=generator)
    return xs, ys


def conv_two_case(seed):
    generator = torch.Generator().manual_seed(seed)
    xs = torch.randn(SAMPLES, 2, 7, 6, generator=generator)
    labels = torch.tensor([0, 3, 1, 2, 3])
    ys = F.one_hot(labels, 4).to(torch.float64)
    return xs, ys


def random_parameters(net, seed):
    """Uniform(-0.5, 0.5) for every parameter: PyTorch's default init gives biases near zero and
    small weights; this start gives every unit and every bias a gradient of its own size."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, param in net.named_parameters():
            param.copy_(torch.rand(param.shape, generator=generator) - 0.5)
    return {name: param.detach().clone() for name, param in net.named_parameters()}


# (fixture name, spec, module, data, parameter seed, optimizer, output of predict, mistake)
CASES = [
    ("conv1d", CONV1D, lambda: ConvOne(), conv_one_case(11), 12,
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), lambda y: y, None),
    ("conv2d", CONV2D, lambda: ConvTwo(), conv_two_case(21), 22,
     lambda p: torch.optim.Adam(p, lr=0.01), lambda y: torch.softmax(y, dim=1), None),
    ("conv1d_exclude_pad", CONV1D, lambda: ConvOne(count_include_pad=False), conv_one_case(11), 12,
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), lambda y: y,
     "avg_pool1d with count_include_pad=False"),
    ("conv2d_flipped_kernel", CONV2D, lambda: ConvTwo(flip_kernels=True), conv_two_case(21), 22,
     lambda p: torch.optim.Adam(p, lr=0.01), lambda y: torch.softmax(y, dim=1),
     "true convolution: both conv2d layers use their kernels rotated by 180 degrees"),
]


def flat(tensor):
    return [float(v) for v in tensor.reshape(-1).tolist()]


def flat_parameters(net):
    return [v for _, param in net.named_parameters() for v in flat(param.detach())]


def line(key, values):
    return key + " " + " ".join(repr(float(v)) for v in values) + "\n"


def write_fixture(directory, name, spec, make, data, seed, make_optimizer, output, mistake):
    net = make()
    xs, ys = data
    initial = random_parameters(net, seed)
    names = [n for n, _ in net.named_parameters()]

    predictions = output(net(xs)).detach()
    net.zero_grad()
    loss = net.loss(net(xs), ys)
    loss.backward()
    gradient = [v for _, param in net.named_parameters() for v in flat(param.grad)]

    optimizer = make_optimizer(net.parameters())
    losses = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        step_loss = net.loss(net(xs), ys)
        step_loss.backward()
        optimizer.step()
        losses.append(step_loss.item())
    assert losses[0] == loss.item()

    shapes = " ".join(n + "[" + ",".join(str(d) for d in initial[n].shape) + "]" for n in names)
    path = os.path.join(directory, name + ".txt")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# Generated by compiler/src/test/python/conv_parity.py with PyTorch {torch.__version__}; do not edit.\n")
        f.write(f"# torch.nn model: {type(net).__name__}; optimizer: {type(optimizer).__name__}\n")
        if mistake is not None:
            f.write("mistake " + mistake + "\n")
        f.write("spec " + spec + "\n")
        f.write(f"samples {SAMPLES}\n")
        f.write(line("xs", flat(xs)))
        f.write(line("ys", flat(ys)))
        f.write("parameters " + shapes + "\n")
        f.write(line("initial", [v for n in names for v in flat(initial[n])]))
        f.write(line("predictions", flat(predictions)))
        f.write(line("loss", [loss.item()]))
        f.write(line("gradient", gradient))
        f.write(line("losses", losses))
        f.write(line("final", flat_parameters(net)))
    print(f"{path}: loss {losses[0]!r} -> {losses[-1]!r}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "resources", "conv-parity")
    directory = os.path.normpath(sys.argv[1] if len(sys.argv) > 1 else default)
    os.makedirs(directory, exist_ok=True)
    for case in CASES:
        write_fixture(directory, *case)


if __name__ == "__main__":
    main()
