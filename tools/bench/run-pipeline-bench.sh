#!/usr/bin/env bash
# The arrow-io pipeline benchmark on a GPU host with the bundle unpacked: exports the MLP and ResNet-50
# (torch + torchvision on the host), then runs PipelineBench on each. Results go to OUT_DIR/bench-*.txt.
# usage: tools/bench/run-pipeline-bench.sh OUT_DIR
set -uo pipefail
out="${1:?usage: run-pipeline-bench.sh OUT_DIR}"
source "$(dirname "$0")/../gpu/env.sh"
mkdir -p "$out" /tmp/bench-models
PYTHONUNBUFFERED=1 python3 "$TRT_ROOT/tools/bench/export_models.py" /tmp/bench-models >"$out/export.log" 2>&1 \
  || { cat "$out/export.log"; exit 1; }
java $TRT_JAVA_OPTS -cp "$TRT_CP" dev.trtspark.arrow.bench.PipelineBench /tmp/bench-models/mlp.onnx 4096 1000 \
  2>&1 | grep -v "^\[main\] INFO" | tee "$out/bench-mlp.txt"
java $TRT_JAVA_OPTS -cp "$TRT_CP" dev.trtspark.arrow.bench.PipelineBench /tmp/bench-models/resnet50.onnx 256 200 fp16 \
  2>&1 | grep -v "^\[main\] INFO" | tee "$out/bench-resnet50.txt"
