#!/usr/bin/env bash
# Plan cache on a GPU host with the bundle (see DEVELOPERS.md): a first job with ResNet-50 as ONNX on
# TensorRT in three fresh JVMs: with the cache off (built in memory), then twice with one cache
# directory (the first builds and stores, the second only reads the plan).
# usage: tools/gpu/run-plan-cache.sh OUT_DIR
set -uo pipefail
out="${1:?usage: run-plan-cache.sh OUT_DIR}"
source "$(dirname "$0")/env.sh"
mkdir -p "$out" /tmp/bench-models
m=/tmp/bench-models
[ -f $m/resnet50_u8.onnx ] || PYTHONUNBUFFERED=1 python3 "$TRT_ROOT/tools/bench/export_models.py" $m >"$out/export.log" 2>&1
cache=/tmp/trt-plan-cache-$$
run() { java $TRT_JAVA_OPTS -Xmx16g @/tmp/trt-java-cp.args dev.trtspark.spark.bench.PlanCacheBench $m/resnet50.onnx 150528 \
  input "$1" fp32,tf32,fp16 2>&1 | grep -e "first job" -e Exception | tee -a "$out/plan-cache.txt"; }
run off
run "$cache"
run "$cache"
find "$cache" -type f -printf '%p %s bytes\n' | tee -a "$out/plan-cache.txt"
