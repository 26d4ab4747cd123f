#!/usr/bin/env bash
# Spark end to end on a GPU host with the bundle (see DEVELOPERS.md): digits on ONNX Runtime and TensorRT
# (local[8]), then ResNet-50 over ROWS in-memory images against the same job with an identity function.
# usage: tools/bench/run-spark-bench.sh OUT_DIR [ROWS] [digits|resnet50|all]
set -uo pipefail
out="${1:?usage: run-spark-bench.sh OUT_DIR [ROWS] [digits|resnet50|all]}"; rows="${2:-32768}"; which="${3:-all}"
source "$(dirname "$0")/../gpu/env.sh"
mkdir -p "$out" /tmp/bench-models
[ -f /tmp/bench-models/resnet50.onnx ] || PYTHONUNBUFFERED=1 python3 "$TRT_ROOT/tools/bench/export_models.py" /tmp/bench-models \
  >"$out/export.log" 2>&1
quiet() { grep -v -e " INFO " -e "^WARNING: Unknown module" -e NativeCodeLoader -e "^\s*$"; }
[ "$which" = resnet50 ] || java $TRT_JAVA_OPTS -Xmx48g @/tmp/trt-java-cp.args dev.trtspark.spark.bench.SparkBench digits \
  "$TRT_ROOT" 2>&1 | quiet | tee "$out/spark-digits.txt"
[ "$which" = digits ] || java $TRT_JAVA_OPTS -Xmx96g @/tmp/trt-java-cp.args dev.trtspark.spark.bench.SparkBench resnet /tmp/bench-models/resnet50.onnx \
  "$rows" 2>&1 | quiet | tee "$out/spark-resnet50.txt"
