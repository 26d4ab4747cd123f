#!/usr/bin/env bash
# The CLI's GPU paths on a GPU host with the bundle: build the digits plan, inspect it, compare it with
# ONNX Runtime (atol 1e-3), infer with TensorRT, and the demo. usage: tools/gpu/run-cli.sh OUT_DIR
set -uo pipefail
out="${1:?usage: run-cli.sh OUT_DIR}"
source "$(dirname "$0")/env.sh"
mkdir -p "$out"
cli() { java $TRT_JAVA_OPTS -Dtrt.home="$TRT_ROOT" @/tmp/trt-java-cp.args dev.trtspark.jobs.Main "$@" 2>&1 \
  | grep -v -e " INFO " -e "^WARNING: Unknown module" -e NativeCodeLoader -e "WARN Utils"; }
d="$TRT_ROOT/examples/digits"
{
  echo "== build"; cli build --onnx "$d/digits.onnx" --output /tmp/digits.plan --max-batch 1024
  echo "== inspect"; cli inspect /tmp/digits.plan
  echo "== compare"; cli compare --onnx "$d/digits.onnx" --plan /tmp/digits.plan --input "$d/digits.parquet" \
    --bind features=features --atol 1e-3 --rtol 1e-3; echo "compare exit: ${PIPESTATUS[0]}"
  echo "== infer"; cli infer --model /tmp/digits.plan --input "$d/digits.parquet" --output /tmp/digits-pred \
    --bind features=features --overwrite
  echo "== demo"; cli demo
} | tee "$out/cli-gpu.txt"
