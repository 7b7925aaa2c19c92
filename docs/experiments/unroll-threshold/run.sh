#!/usr/bin/env bash
# Measures where unrolled kernels stop paying: the same 8 -> H -> 4 tanh network (MSE, SGD,
# batch 16) generated twice, unrolled (-Dnnc.unroll=always) and as loops (-Dnnc.unroll=never),
# trained in one JVM, alternating, best of 6 rounds each. Prints samples per second and the
# ratio unrolled/loops per hidden width. Needs `mvn -B install -DskipTests` first.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for h in 4 8 16 32 64; do
  cat > "$work/h$h.nn" <<SPEC
network H$h {
    input x[8];
    target y[4];
    h = dense(x, $h, activation = tanh);
    out = dense(h, 4);
    output out;
    loss mse(out, y);
    optimizer sgd(lr = 0.01);
}
SPEC
done
java -Dnnc.unroll=always -jar "$root/compiler/target/nnc.jar" generate "$work"/h*.nn -d "$work/src" --package unrolled
java -Dnnc.unroll=never -jar "$root/compiler/target/nnc.jar" generate "$work"/h*.nn -d "$work/src" --package loops
runtime="$root/runtime/target/classes"
javac -cp "$runtime" -d "$work/classes" $(find "$work/src" -name '*.java') "$here/UnrollThreshold.java"
java -cp "$work/classes:$runtime" UnrollThreshold
