#!/usr/bin/env bash
# GPU memory and soak on a GPU host with the bundle (see DEVELOPERS.md):
#  1. ResNet-50 fp16 load/evict cycles (EngineMemoryBench): device free memory after each cycle, with
#     TensorRT objects deleted (default) and, for comparison, without (-Dtrtspark.deleteTensorRtObjects=false);
#  2. soak (SoakBench): JOBS jobs of TASKS tasks on local[16] (one executor, 16 concurrent tasks, one GPU),
#     the MLP 784-2048-2048-10 fp32 plan: failures, engine loads, GPU free, pinned and heap after each job.
# usage: tools/gpu/run-memory-soak.sh OUT_DIR [CYCLES] [JOBS] [TASKS] [ROWS_PER_TASK] [evict|soak|all]
set -uo pipefail
out="${1:?usage: run-memory-soak.sh OUT_DIR [CYCLES] [JOBS] [TASKS] [ROWS_PER_TASK] [evict|soak|all]}"
cycles="${2:-50}"; jobs="${3:-10}"; tasks="${4:-100}"; rows="${5:-2000}"; which="${6:-all}"
source "$(dirname "$0")/env.sh"
mkdir -p "$out" /tmp/bench-models
m=/tmp/bench-models
[ -f $m/resnet50_u8.onnx ] || PYTHONUNBUFFERED=1 python3 "$TRT_ROOT/tools/bench/export_models.py" $m >"$out/export.log" 2>&1
run() { java $TRT_JAVA_OPTS @/tmp/trt-java-cp.args "$@"; }
quiet() { grep -v -e " INFO " -e " WARN " -e "^WARNING" -e NativeCodeLoader -e "^\s*$"; }
case "$which" in evict|all)
  [ -f $m/resnet50.plan ] || run dev.trtspark.jobs.Main build --onnx $m/resnet50.onnx --output $m/resnet50.plan --fp16 \
    --max-batch 64 2>&1 | quiet | tee "$out/build-resnet50.txt"
  run dev.trtspark.engine.bench.EngineMemoryBench $m/resnet50.plan "$cycles" 64 2>&1 | quiet | tee "$out/evict-resnet50.txt"
  run -Dtrtspark.deleteTensorRtObjects=false dev.trtspark.engine.bench.EngineMemoryBench $m/resnet50.plan 10 64 2>&1 \
    | quiet | tee "$out/evict-resnet50-without-delete.txt";;
esac
case "$which" in soak|all)
  [ -f $m/mlp.plan ] || run dev.trtspark.jobs.Main build --onnx $m/mlp.onnx --output $m/mlp.plan --max-batch 4096 2>&1 \
    | quiet | tee "$out/build-mlp.txt"
  run -Xmx16g dev.trtspark.spark.bench.SoakBench $m/mlp.plan 784 input "$jobs" "$tasks" "$rows" "$out/soak.csv" 2>&1 \
    | quiet | tee "$out/soak.txt";;
esac
