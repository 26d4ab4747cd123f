#!/usr/bin/env bash
# The CPU benchmark of issue 9: decode floor, identity job, row path and columnar path side by side, for
# Parquet array<float> columns of width 784 and 150,528 (one thread). Runs on any machine with the build
# (no GPU needed); on the GPU host it runs from the bundle (tools/gpu/env.sh) when /opt/trt-bundle exists.
# usage: tools/bench/run-columnar-bench.sh OUT_DIR [ROWS_784] [ROWS_150528] [RUNS]
set -euo pipefail
out="${1:?usage: run-columnar-bench.sh OUT_DIR [ROWS_784] [ROWS_150528] [RUNS]}"; rows_small="${2:-200000}"
rows_big="${3:-1000}"; runs="${4:-3}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$out/work"
py=/usr/bin/python3; $py -c 'import onnx' 2>/dev/null || py=python3
for w in 784 150528; do
  [ -f "$out/work/slice_$w.onnx" ] || $py "$root/tools/bench/slice_model.py" $w "$out/work/slice_$w.onnx" >/dev/null
done
if [ -f /opt/trt-bundle/env.sh ]; then
  source "$root/tools/gpu/env.sh"; opts="$TRT_JAVA_OPTS"; cpfile=/tmp/trt-java-cp.args
else
  (cd "$root" && mvn -q -B -o -pl spark-udf dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile=/tmp/trt-bench-deps.txt >/dev/null)
  printf -- '-cp %s\n' "$root/conf/target/classes:$root/engine-cache/target/classes:$root/arrow-io/target/classes:$root/spark-udf/target/classes:$root/spark-udf/target/test-classes:$(cat /tmp/trt-bench-deps.txt)" >/tmp/trt-bench-cp.args
  cpfile=/tmp/trt-bench-cp.args
  opts="$(grep -o "<trt.jvm.opens>-XX[^<]*</trt.jvm.opens>" "$root/pom.xml" | head -1 | sed "s:</\?trt.jvm.opens>::g")"
fi
quiet() { grep -v -e " INFO " -e " WARN " -e "^WARNING" -e "^\s*$" || true; }
for spec in "784 $rows_small" "150528 $rows_big"; do
  set -- $spec
  java $opts -Xmx8g @"$cpfile" -Dspark.trt.backend=onnxruntime dev.trtspark.spark.bench.ColumnarBench "$out/work" "$1" "$2" \
    "$out/work/slice_$1.onnx" "$runs" 2>&1 | quiet | tee "$out/columnar-$1.txt"
done
