#!/usr/bin/env python3
"""Reference values from PyTorch for nnc's recurrent parity test.

For six networks built from rnn, gru and lstm layers (the last state and whole sequences, a
stack of two layers), with random (seeded) inputs, targets and initial parameters, this script
computes with torch.nn in float64:

- the predictions of the batch (the forward pass),
- the mean loss of the batch and its gradient with respect to every parameter,
- five training steps with torch.optim: the loss before each update and the final parameters,

and writes one fixture per network to compiler/src/test/resources/recurrent-parity/<name>.txt.
RecurrentParityTest (Java) compiles the fixture's network with nnc, loads the same parameters
and compares. The Java test reads everything (spec, data, initial parameters) from the
fixture, so this script is the single place where they are written.

The recurrent layers are torch.nn.RNN, torch.nn.GRU and torch.nn.LSTM (batch_first=True, one
layer, zero initial state), each registered under the name of its nnc definition, so that
named_parameters() gives h.weight_ih_l0, h.weight_hh_l0, h.bias_ih_l0, h.bias_hh_l0 in that
order: nnc's h.weight_ih [G*units, F], h.weight_hh [G*units, units], h.bias_ih [G*units],
h.bias_hh [G*units] (G = 1, 3 or 4) once the "_l0" is dropped. The flat parameter vector is
their row-major concatenation in nnc's PARAMETER_NAMES order, which is declaration order.

The script does not take PyTorch's word for the equations nnc implements: `cell_equations`
evaluates them by hand (PyTorch's documented equations, gates r, z, n for the GRU and i, f, g,
o for the LSTM), and at the start and before each of the five updates the loss and the
gradient of torch.nn's modules must agree with that evaluation (to 1e-12, relative to the
largest element). Every parameter must have a nonzero gradient at the start, and no relu
pre-activation may be within 1e-9 of its kink, or the seed is refused.

It also writes two fixtures of deliberate mistakes, computed from the same start with one
semantic slip each through the hand-written equations, so that the Java test can show that its
tolerance tells them apart: gru_reset_before (the reset gate applied before the hidden
product, Keras' reset_after=False: n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)) and
lstm_gates_ifog (the rows of the LSTM's weights read as gates i, f, o, g instead of i, f, g, o).

Deterministic: float64, one thread, a fixed seed per network. Every number is written with
repr(), the shortest decimal that reads back to the same double.

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
    /usr/bin/python3 compiler/src/test/python/recurrent_parity.py [output directory]
"""

import os
import sys
from typing import NamedTuple, Optional

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

STEPS = 5
SAMPLES = 5

# How closely torch.nn's modules must match the hand-written equations, relative to the
# largest element compared: both are double precision evaluations of the same sums.
EQUATIONS_TOLERANCE = 1e-12

# A relu pre-activation closer than this to 0 would make the fixture depend on which side of
# the kink rounding puts it.
KINK_MARGIN = 1e-9

RNN = (
    "network RnnLast {"
    " input x[6, 3]; target y[4];"
    " h = rnn(x, 4);"
    " output h; loss mse(h, y); optimizer sgd(lr = 0.1, momentum = 0.9); }"
)

RNN_RELU_SEQUENCES = (
    "network RnnReluSequences {"
    " input x[5, 2]; target y[2];"
    " s = rnn(x, 3, activation = relu, sequences = true);"
    " out = dense(flatten(s), 2);"
    " output out; loss mse(out, y); optimizer adam(lr = 0.01); }"
)

GRU = (
    "network GruLast {"
    " input x[7, 3]; target y[3];"
    " h = gru(x, 5);"
    " out = dense(h, 3);"
    " probs = softmax(out);"
    " output probs; loss cross_entropy(probs, y); optimizer adam(lr = 0.01); }"
)

GRU_SEQUENCES = (
    "network GruStacked {"
    " input x[4, 2]; target y[2];"
    " s = gru(x, 4, sequences = true);"
    " h = gru(s, 5);"
    " out = dense(h, 2);"
    " output out; loss mse(out, y); optimizer sgd(lr = 0.1, momentum = 0.9); }"
)

LSTM = (
    "network LstmLast {"
    " input x[6, 2]; target y[2];"
    " h = lstm(x, 3);"
    " out = dense(h, 2);"
    " output out; loss mse(out, y); optimizer sgd(lr = 0.1, momentum = 0.9); }"
)

LSTM_SEQUENCES = (
    "network LstmSequences {"
    " input x[5, 3]; target y[3];"
    " s = lstm(x, 4, sequences = true);"
    " out = dense(flatten(s), 3);"
    " probs = softmax(out);"
    " output probs; loss cross_entropy(probs, y); optimizer adam(lr = 0.01); }"
)


class Layer(NamedTuple):
    """One recurrent definition: `name = kind(input, units, ...)`."""

    name: str
    kind: str  # rnn, gru or lstm
    features: int
    units: int
    sequences: bool = False
    activation: str = "tanh"  # rnn only


class Network(NamedTuple):
    """The shape of a fixture's network: its recurrent layers in order (each reads the previous
    one's result), then, unless `dense` is None, a dense layer `out` on the flattened result of
    the last one; `classes` says whether the output is a softmax trained with cross-entropy
    against one-hot targets (otherwise the output is linear and the loss MSE)."""

    steps: int
    layers: tuple
    dense: Optional[int]
    classes: bool


def torch_module(layer):
    if layer.kind == "rnn":
        return torch.nn.RNN(layer.features, layer.units, nonlinearity=layer.activation, batch_first=True)
    if layer.kind == "gru":
        return torch.nn.GRU(layer.features, layer.units, batch_first=True)
    return torch.nn.LSTM(layer.features, layer.units, batch_first=True)


class Recurrent(torch.nn.Module):
    """A Network in torch.nn. With `equations` None the recurrent layers are torch.nn's modules;
    otherwise `cell_equations` evaluates them by hand from the same parameters, with the given
    variant ("pytorch" for the correct equations, or one of the mistakes)."""

    def __init__(self, network, equations=None):
        super().__init__()
        self.network = network
        self.equations = equations
        self.kinks = []  # relu pre-activations of the last hand-written evaluation
        for layer in network.layers:
            self.add_module(layer.name, torch_module(layer))
        if network.dense is not None:
            last = network.layers[-1]
            width = last.units * (network.steps if last.sequences else 1)
            self.out = torch.nn.Linear(width, network.dense)

    def forward(self, x):
        """The linear output: the predictions for MSE, the logits for cross-entropy."""
        self.kinks = []
        for layer in self.network.layers:
            module = getattr(self, layer.name)
            if self.equations is None:
                states, _ = module(x)
            else:
                states = self.cell_equations(layer, module, x)
            x = states if layer.sequences else states[:, -1]
        x = x.flatten(1)
        return x if self.network.dense is None else self.out(x)

    def cell_equations(self, layer, module, x):
        """[batch, T, F] -> [batch, T, units]: every state, from PyTorch's equations written out
        (h0 = 0, c0 = 0), or with the mistake self.equations names."""
        w_ih, w_hh = module.weight_ih_l0, module.weight_hh_l0
        b_ih, b_hh = module.bias_ih_l0, module.bias_hh_l0
        batch, steps, _ = x.shape
        h = x.new_zeros(batch, layer.units)
        c = x.new_zeros(batch, layer.units)
        states = []
        for t in range(steps):
            gi = x[:, t] @ w_ih.T + b_ih
            gh = h @ w_hh.T + b_hh
            if layer.kind == "rnn":
                pre = gi + gh
                if layer.activation == "relu":
                    self.kinks.append(pre)
                    h = torch.relu(pre)
                else:
                    h = torch.tanh(pre)
            elif layer.kind == "gru":
                i_r, i_z, i_n = gi.chunk(3, dim=1)
                h_r, h_z, h_n = gh.chunk(3, dim=1)
                r = torch.sigmoid(i_r + h_r)
                z = torch.sigmoid(i_z + h_z)
                if self.equations == "gru_reset_before":
                    w_hn = w_hh[2 * layer.units:]
                    b_hn = b_hh[2 * layer.units:]
                    n = torch.tanh(i_n + (r * h) @ w_hn.T + b_hn)
                else:
                    n = torch.tanh(i_n + r * h_n)
                h = (1 - z) * n + z * h
            else:
                gates = (gi + gh).chunk(4, dim=1)
                if self.equations == "lstm_gates_ifog":
                    i, f, o, g = gates
                else:
                    i, f, g, o = gates
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
            states.append(h)
        return torch.stack(states, dim=1)

    def loss(self, outputs, ys):
        if self.network.classes:
            return F.cross_entropy(outputs, ys.argmax(dim=1), reduction="mean")
        return F.mse_loss(outputs, ys, reduction="mean")

    def predictions(self, outputs):
        return torch.softmax(outputs, dim=1) if self.network.classes else outputs

    def nnc_parameters(self):
        """(nnc's name, parameter) in nnc's PARAMETER_NAMES order: torch.nn's recurrent modules
        name theirs weight_ih_l0 and so on; nnc drops the layer suffix."""
        named = []
        for name, param in self.named_parameters():
            layer, _, field = name.partition(".")
            if layer != "out":
                assert field in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"), name
                name = layer + "." + field[: -len("_l0")]
            named.append((name, param))
        return named


def sequence_case(network, seed):
    generator = torch.Generator().manual_seed(seed)
    features = network.layers[0].features
    xs = torch.randn(SAMPLES, network.steps, features, generator=generator)
    if network.classes:
        labels = torch.randint(0, network.dense, (SAMPLES,), generator=generator)
        ys = F.one_hot(labels, network.dense).to(torch.float64)
    else:
        size = network.dense if network.dense is not None else network.layers[-1].units
        ys = torch.randn(SAMPLES, size, generator=generator)
    return xs, ys


def random_parameters(net, seed):
    """Uniform(-0.5, 0.5) for every parameter (PyTorch's default for a recurrent layer of 4
    units, used for all layers and the dense one), so that every gate and every bias starts with
    a gradient of its own size."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, param in net.nnc_parameters():
            param.copy_(torch.rand(param.shape, generator=generator) - 0.5)


def loss_and_gradient(net, xs, ys):
    net.zero_grad()
    loss = net.loss(net(xs), ys)
    loss.backward()
    return loss.item(), torch.cat([p.grad.reshape(-1) for _, p in net.nnc_parameters()])


def check_equations(net, xs, ys, where):
    """torch.nn's modules and the hand-written equations give the same loss and gradient at the
    current parameters of `net`, and no relu pre-activation is near its kink."""
    manual = Recurrent(net.network, equations="pytorch")
    manual.load_state_dict(net.state_dict())
    loss, gradient = loss_and_gradient(net, xs, ys)
    manual_loss, manual_gradient = loss_and_gradient(manual, xs, ys)
    assert abs(loss - manual_loss) <= EQUATIONS_TOLERANCE * max(1.0, abs(loss)), (where, loss, manual_loss)
    scale = max(1.0, float(gradient.abs().max()))
    deviation = float((gradient - manual_gradient).abs().max())
    assert deviation <= EQUATIONS_TOLERANCE * scale, f"{where}: gradient deviates by {deviation} from the equations"
    for pre in manual.kinks:
        nearest = float(pre.abs().min())
        assert nearest > KINK_MARGIN, f"{where}: a relu pre-activation is {nearest} from 0; choose another seed"
    return deviation


def flat(tensor):
    return [float(v) for v in tensor.reshape(-1).tolist()]


def line(key, values):
    return key + " " + " ".join(repr(float(v)) for v in values) + "\n"


class Case(NamedTuple):
    name: str
    spec: str
    network: Network
    data_seed: int
    parameter_seed: int
    optimizer: object  # parameters -> torch.optim optimizer
    mistake: Optional[str] = None  # the hand-written variant with the slip, and what it is
    mistake_text: Optional[str] = None


def sgd(p):
    return torch.optim.SGD(p, lr=0.1, momentum=0.9)


def adam(p):
    return torch.optim.Adam(p, lr=0.01)


RNN_NET = Network(6, (Layer("h", "rnn", 3, 4),), None, False)
RNN_RELU_NET = Network(5, (Layer("s", "rnn", 2, 3, sequences=True, activation="relu"),), 2, False)
GRU_NET = Network(7, (Layer("h", "gru", 3, 5),), 3, True)
GRU_STACK_NET = Network(4, (Layer("s", "gru", 2, 4, sequences=True), Layer("h", "gru", 4, 5)), 2, False)
LSTM_NET = Network(6, (Layer("h", "lstm", 2, 3),), 2, False)
LSTM_SEQUENCES_NET = Network(5, (Layer("s", "lstm", 3, 4, sequences=True),), 3, True)

CASES = [
    Case("rnn", RNN, RNN_NET, 31, 32, sgd),
    Case("rnn_relu_sequences", RNN_RELU_SEQUENCES, RNN_RELU_NET, 41, 44, adam),
    Case("gru", GRU, GRU_NET, 51, 52, adam),
    Case("gru_sequences", GRU_SEQUENCES, GRU_STACK_NET, 61, 62, sgd),
    Case("lstm", LSTM, LSTM_NET, 71, 72, sgd),
    Case("lstm_sequences", LSTM_SEQUENCES, LSTM_SEQUENCES_NET, 81, 82, adam),
    Case("gru_reset_before", GRU, GRU_NET, 51, 52, adam, "gru_reset_before",
         "the GRU's reset gate applied before the hidden product (Keras' reset_after=False):"
         " n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)"),
    Case("lstm_gates_ifog", LSTM, LSTM_NET, 71, 72, sgd, "lstm_gates_ifog",
         "the LSTM's weight rows read as gates i, f, o, g instead of PyTorch's i, f, g, o"),
]


def write_fixture(directory, case):
    net = Recurrent(case.network, equations=case.mistake)
    first = case.network.layers[0]
    assert f"input x[{case.network.steps}, {first.features}];" in case.spec, case.name
    xs, ys = sequence_case(case.network, case.data_seed)
    random_parameters(net, case.parameter_seed)
    named = net.nnc_parameters()
    initial = [v for _, p in named for v in flat(p.detach())]
    shapes = " ".join(n + "[" + ",".join(str(d) for d in p.shape) + "]" for n, p in named)

    predictions = net.predictions(net(xs)).detach()
    loss, gradient = loss_and_gradient(net, xs, ys)
    assert bool((gradient != 0).all()), f"{case.name}: a parameter has no gradient; choose another seed"
    worst = 0.0

    optimizer = case.optimizer(net.parameters())
    losses = []
    for step in range(STEPS):
        if case.mistake is None:
            worst = max(worst, check_equations(net, xs, ys, f"{case.name} step {step}"))
        optimizer.zero_grad()
        step_loss = net.loss(net(xs), ys)
        step_loss.backward()
        optimizer.step()
        losses.append(step_loss.item())
    assert losses[0] == loss

    path = os.path.join(directory, case.name + ".txt")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# Generated by compiler/src/test/python/recurrent_parity.py with PyTorch {torch.__version__}; do not edit.\n")
        kinds = ", ".join(type(getattr(net, layer.name)).__name__ for layer in case.network.layers)
        evaluation = "torch.nn" if case.mistake is None else "hand-written equations with a mistake"
        f.write(f"# {evaluation}: {kinds}; optimizer: {type(optimizer).__name__}\n")
        if case.mistake is not None:
            f.write("mistake " + case.mistake_text + "\n")
        f.write("spec " + case.spec + "\n")
        f.write(f"samples {SAMPLES}\n")
        f.write(line("xs", flat(xs)))
        f.write(line("ys", flat(ys)))
        f.write("parameters " + shapes + "\n")
        f.write(line("initial", initial))
        f.write(line("predictions", flat(predictions)))
        f.write(line("loss", [loss]))
        f.write(line("gradient", flat(gradient)))
        f.write(line("losses", losses))
        f.write(line("final", [v for _, p in net.nnc_parameters() for v in flat(p.detach())]))
    checked = "" if case.mistake is not None else f"; equations within {worst:.1e} of torch.nn"
    print(f"{path}: loss {losses[0]!r} -> {losses[-1]!r}{checked}")
    return predictions, gradient, net


def check_mistake_is_far(case, correct, mistaken):
    """A mistake fixture must differ from its correct twin clearly in every quantity the Java
    test compares, or it would show nothing about the tolerance."""
    (p, g, net), (mp, mg, mnet) = correct, mistaken
    final = torch.cat([q.detach().reshape(-1) for _, q in net.nnc_parameters()])
    mfinal = torch.cat([q.detach().reshape(-1) for _, q in mnet.nnc_parameters()])
    for what, a, b in (("predictions", p, mp), ("gradient", g, mg), ("final parameters", final, mfinal)):
        distance = float((a - b).abs().max())
        assert distance > 1e-3, f"{case.name}: {what} only {distance} from the correct fixture"
        print(f"  {case.name}: {what} {distance:.3g} from the correct fixture")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "resources", "recurrent-parity")
    directory = os.path.normpath(sys.argv[1] if len(sys.argv) > 1 else default)
    os.makedirs(directory, exist_ok=True)
    results = {}
    for case in CASES:
        results[case.name] = write_fixture(directory, case)
    for case in CASES:
        if case.mistake is not None:
            twin = next(c for c in CASES if c.mistake is None and c.spec == case.spec)
            check_mistake_is_far(case, results[twin.name], results[case.name])


if __name__ == "__main__":
    main()
