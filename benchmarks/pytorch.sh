#!/usr/bin/env bash
# Runs benchmarks/pytorch_suite.py with its arguments in the interpreter that has PyTorch:
# $PYTHON if set (a virtual environment made by benchmarks/torch-venv.sh, say), else
# /usr/bin/python3 with Debian's python3-torch. Debian's torch links the reference BLAS, so it
# runs with OpenBLAS's OpenMP build (the pthread build collapses with two threads, issue 6);
# a pip wheel of torch brings its own kernels and runs as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-/usr/bin/python3}
if "$python" -c 'import sys, torch; sys.exit(0 if torch.__file__.startswith("/usr/lib/python3/") else 1)'; then
    blas_dir=$(dirname "$(dpkg -L libopenblas0-openmp | grep '/libblas.so.3$')")
    LD_LIBRARY_PATH="$blas_dir" exec "$python" benchmarks/pytorch_suite.py "$@"
fi
exec "$python" benchmarks/pytorch_suite.py "$@"
