#!/usr/bin/env bash
# The CLI's bench on a GPU host with the bundle: the MLP (exported with torch there) on TensorRT.
# usage: tools/gpu/run-cli-bench.sh OUT_DIR
set -uo pipefail
out="${1:?usage: run-cli-bench.sh OUT_DIR}"
source "$(dirname "$0")/env.sh"
mkdir -p "$out" /tmp/bench-models
[ -f /tmp/bench-models/mlp.onnx ] || python3 "$TRT_ROOT/tools/bench/export_models.py" /tmp/bench-models >"$out/export.log" 2>&1
java $TRT_JAVA_OPTS -Dtrt.home="$TRT_ROOT" @/tmp/trt-java-cp.args dev.trtspark.jobs.Main bench --master 'local[8]' \
  --model /tmp/bench-models/mlp.onnx --backend tensorrt --batch-sizes 256,1024,4096 --rows 400000 --output "$out" 2>&1 \
  | grep -v -e " INFO " -e "^WARNING: Unknown module" -e NativeCodeLoader -e "WARN Utils" | tee "$out/cli-bench.txt"
