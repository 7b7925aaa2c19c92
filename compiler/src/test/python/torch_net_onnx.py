"""Writes the PyTorch fixture of OnnxPyTorchFixtureTest: a small Conv/Linear network exported with
torch.onnx.export, and sample inputs with PyTorch's predictions for them.

Run from the repository root with the PyTorch of the machine (1.13 wrote the committed files):

    python3 compiler/src/test/python/torch_net_onnx.py

It writes compiler/src/test/resources/onnx/torch_net.onnx and torch_net.expected.txt. The same
architecture in nnc is compiler/src/test/resources/onnx/torch_net.nn; its parameter names are
PyTorch's module names (c1.weight, fc1.bias, ...), which is how the weights find their tensors.
"""
import os

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "onnx")


class TorchNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 4, 3, padding=1)
        self.fc1 = nn.Linear(4 * 4 * 4, 8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, image):
        c1 = torch.relu(self.c1(image))
        p1 = nn.functional.max_pool2d(c1, 2)
        fc1 = torch.relu(self.fc1(torch.flatten(p1, 1)))
        return self.fc2(fc1)


def main():
    torch.manual_seed(18)
    model = TorchNet().eval()
    samples = torch.rand(5, 1, 8, 8) * 2 - 1
    torch.onnx.export(
        model,
        samples,
        os.path.join(OUT, "torch_net.onnx"),
        input_names=["image"],
        output_names=["fc2"],
        dynamic_axes={"image": {0: "batch"}, "fc2": {0: "batch"}},
        opset_version=13,
        do_constant_folding=True,
    )
    with torch.no_grad():
        predictions = model(samples)
    with open(os.path.join(OUT, "torch_net.expected.txt"), "w") as f:
        f.write("# one sample per pair of lines: its 64 inputs, then PyTorch's 3 outputs (float32)\n")
        for x, y in zip(samples, predictions):
            f.write(" ".join(repr(float(v)) for v in x.flatten()) + "\n")
            f.write(" ".join(repr(float(v)) for v in y) + "\n")


if __name__ == "__main__":
    main()
