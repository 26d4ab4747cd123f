#!/usr/bin/env bash
# The arrow-io pipeline benchmark on a GPU host with the bundle unpacked: exports the MLP and ResNet-50
# (torch + torchvision on the host), then runs PipelineBench on each. Results go to OUT_DIR/bench-*.txt.
# usage: tools/bench/run-pipeline-bench.sh OUT_DIR [mlp|resnet50|all]
# Precisions: the MLP in fp32 with TF32 allowed (TensorRT's default, as the reference figures),
# ResNet-50 with fp16 allowed.
set -uo pipefail
out="${1:?usage: run-pipeline-bench.sh OUT_DIR [mlp|resnet50|all]}"
which="${2:-all}"
source "$(dirname "$0")/../gpu/env.sh"
mkdir -p "$out" /tmp/bench-models
PYTHONUNBUFFERED=1 python3 "$TRT_ROOT/tools/bench/export_models.py" /tmp/bench-models >"$out/export.log" 2>&1 \
  || { cat "$out/export.log"; exit 1; }
bench() { # name batch iterations precision
  java $TRT_JAVA_OPTS @/tmp/trt-java-cp.args dev.trtspark.bench.PipelineBench "/tmp/bench-models/$1.onnx" "$2" "$3" "$4" \
    2>&1 | grep -v -e "^\[main\] INFO" -e "^WARNING: Unknown module" -e NativeCodeLoader | tee "$out/bench-$1.txt"
}
[ "$which" = resnet50 ] || bench mlp 4096 1000 fp32,tf32
[ "$which" = mlp ] || bench resnet50 256 200 fp16,fp32
