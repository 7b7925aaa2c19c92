#!/usr/bin/env bash
# Makes a virtual environment with PyTorch for the benchmarks where the system interpreter has
# none (machines without Debian's python3-torch): the CPU wheel given, or the first
# torch-*+cpu wheel in /opt/wheels, plus numpy from the package index.
# Usage: benchmarks/torch-venv.sh DIR [torch.whl]; then PYTHON=DIR/bin/python benchmarks/run.sh
set -euo pipefail
if [[ $# -lt 1 ]]; then
    sed -n '2,5p' "$0" >&2
    exit 2
fi
dir=$1
wheel=${2:-$(ls /opt/wheels/torch-*+cpu-*.whl 2>/dev/null | head -n 1)}
if [[ -z "$wheel" ]]; then
    echo "no torch wheel given and none in /opt/wheels" >&2
    exit 1
fi
/usr/bin/python3 -m venv "$dir"
# One retry: where the public index does not resolve, pip falls back to the local ones sooner.
"$dir/bin/pip" install --quiet --retries 1 "$wheel" numpy
"$dir/bin/python" -c 'import torch; print("torch", torch.__version__, "in", "'"$dir"'")'
