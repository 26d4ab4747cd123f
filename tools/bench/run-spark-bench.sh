#!/usr/bin/env bash
# Spark end to end on a GPU host with the bundle (see DEVELOPERS.md), local[16]: digits on ONNX Runtime and
# TensorRT, then ResNet-50 fp16 and the MLP from Parquet float arrays (identity job, columnar and row paths,
# a cached DataFrame), each next to the arrow-io pipeline alone on the same plan (PipelineBench builds it).
# usage: tools/bench/run-spark-bench.sh OUT_DIR [RESNET_ROWS] [MLP_ROWS] [digits|resnet50|mlp|all|resnet50_u8]
# (resnet50_u8: ResNet-50 fed uint8 HWC pixels from a Parquet binary column, normalized in the graph;
#  lengths: a DistilBERT-sized encoder on rows of 5-128 tokens, per-batch padding against length buckets,
#  on TensorRT with RESNET_ROWS rows and on ONNX Runtime (CPU) with MLP_ROWS rows)
# RUNS=n runs each timed job of resnet50, mlp and resnet50_u8 n times (default 3; digits runs once, lengths 3
# times); with resnet50_u8, RUNS=0 only exports the models, builds the plan and writes the table.
set -uo pipefail
out="${1:?usage: run-spark-bench.sh OUT_DIR [RESNET_ROWS] [MLP_ROWS] [digits|resnet50|mlp|all]}"
rows="${2:-32768}"; mlp_rows="${3:-4000000}"; which="${4:-all}"; runs="${RUNS:-3}"
source "$(dirname "$0")/../gpu/env.sh"
mkdir -p "$out" /tmp/bench-models
[ -f /tmp/bench-models/encoder.onnx ] || PYTHONUNBUFFERED=1 python3 "$TRT_ROOT/tools/bench/export_models.py" /tmp/bench-models \
  >"$out/export.log" 2>&1
quiet() { grep -v -e " INFO " -e " WARN " -e "^WARNING" -e NativeCodeLoader -e "^\s*$"; }
pipeline() { # name batch iterations precision -> /tmp/bench-models/NAME.plan
  [ -f "$out/pipeline-$1.txt" ] || java $TRT_JAVA_OPTS @/tmp/trt-java-cp.args dev.trtspark.bench.PipelineBench \
    "/tmp/bench-models/$1.onnx" "$2" "$3" "$4" "/tmp/bench-models/$1.plan" 2>&1 | quiet | tee "$out/pipeline-$1.txt"
}
spark() { # name width rows batch
  java $TRT_JAVA_OPTS -Xmx64g @/tmp/trt-java-cp.args dev.trtspark.bench.SparkBench parquet \
    "/tmp/bench-models/$1.plan" "$1" "$2" "$3" "$4" "$runs" 2>&1 | quiet | tee "$out/spark-$1.txt"
}
case "$which" in digits|all) java $TRT_JAVA_OPTS -Xmx16g @/tmp/trt-java-cp.args dev.trtspark.bench.SparkBench digits \
  "$TRT_ROOT" 2>&1 | quiet | tee "$out/spark-digits.txt";; esac
case "$which" in resnet50|all) pipeline resnet50 256 200 fp16,fp32; spark resnet50 150528 "$rows" 256;; esac
case "$which" in mlp|all) pipeline mlp 4096 1000 fp32,tf32; spark mlp 784 "$mlp_rows" 4096;; esac
case "$which" in resnet50_u8|u8)
  [ -f /tmp/bench-models/resnet50_u8.plan ] || java $TRT_JAVA_OPTS @/tmp/trt-java-cp.args dev.trtspark.jobs.Main build \
    --onnx /tmp/bench-models/resnet50_u8.onnx --output /tmp/bench-models/resnet50_u8.plan --fp16 --max-batch 256 2>&1 | quiet \
    | tee "$out/build-resnet50_u8.txt"
  java $TRT_JAVA_OPTS -Xmx64g @/tmp/trt-java-cp.args dev.trtspark.bench.SparkBench parquet-u8 \
    /tmp/bench-models/resnet50_u8.plan resnet50_u8 150528 "$rows" 256 "$runs" 2>&1 | quiet | tee "$out/spark-resnet50_u8.txt";;
esac
case "$which" in lengths)
  java $TRT_JAVA_OPTS -Xmx64g @/tmp/trt-java-cp.args dev.trtspark.bench.SparkBench lengths \
    /tmp/bench-models/encoder.onnx tensorrt "$rows" 256 16,32,64,128 3 2>&1 | quiet | tee "$out/spark-lengths-gpu.txt"
  java $TRT_JAVA_OPTS -Xmx64g @/tmp/trt-java-cp.args dev.trtspark.bench.SparkBench lengths \
    /tmp/bench-models/encoder.onnx onnxruntime "$mlp_rows" 64 16,32,64,128 1 2>&1 | quiet | tee "$out/spark-lengths-cpu.txt";;
esac
