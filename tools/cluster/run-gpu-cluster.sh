#!/usr/bin/env bash
# Spark standalone with GPU scheduling on one host with two GPUs (the bundle of DEVELOPERS.md unpacked):
# a Spark home from the bundle's jars plus this tree's classes, a Master and a Worker offering both GPUs
# (discovery script), and ResNet-50 fp16 (uint8 pixels from Parquet) submitted with SparkSubmit three ways:
# one executor with one GPU (16 cores), two executors with one GPU each (16 cores each), one executor with
# both GPUs (32 cores), and one GPU with 32 cores (is one GPU the limit, or the host's cores?). Prints
# rows/s, the per-stage times, and per executor and CUDA device the tasks and engine loads ("gpus:"),
# with the tasks whose slot was on a GPU Spark did not give them (must be 0).
# usage: tools/cluster/run-gpu-cluster.sh OUT_DIR [ROWS]
set -uo pipefail
out="${1:?usage: run-gpu-cluster.sh OUT_DIR [ROWS]}"; rows="${2:-98304}"
source "$(dirname "$0")/../gpu/env.sh"
mkdir -p "$out" /tmp/bench-models
home=/tmp/spark-home; rm -rf "$home"; mkdir -p "$home/jars"
echo "Spark 4.2.0 (from the trt-spark bundle)" >"$home/RELEASE"
IFS=: read -ra cp <<<"$BUNDLE_CP"
for j in "${cp[@]}"; do [[ "$j" == *.jar ]] && ln -sf "$j" "$home/jars/"; done
python3 - "$home/jars/trt-spark.jar" "$TRT_ROOT" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for m in ["conf", "engine-cache", "arrow-io", "spark-udf", "jobs"]:
        root = os.path.join(sys.argv[2], m, "target", "classes")
        for d, _, files in os.walk(root):
            for f in files:
                p = os.path.join(d, f)
                z.write(p, os.path.relpath(p, root))
PY
gpus=$(nvidia-smi --query-gpu=index --format=csv,noheader | paste -sd, -)
addresses=$(echo "$gpus" | sed 's/\([0-9]\+\)/"\1"/g')
cat >/tmp/gpus.sh <<GPUS
#!/usr/bin/env bash
cat <<'JSON'
{"name": "gpu", "addresses": [$addresses]}
JSON
GPUS
chmod +x /tmp/gpus.sh
cat /tmp/gpus.sh; /tmp/gpus.sh
java_cmd() { java $TRT_JAVA_OPTS -Xmx8g -cp "$home/jars/*" "$@"; }
export SPARK_HOME="$home" SPARK_LOCAL_IP=127.0.0.1 SPARK_SCALA_VERSION=2.13
# the table and the plan
[ -f /tmp/bench-models/resnet50_u8.onnx ] || python3 "$TRT_ROOT/tools/bench/export_models.py" /tmp/bench-models >"$out/export.log" 2>&1
[ -f /tmp/bench-models/resnet50_u8.plan ] || java_cmd dev.trtspark.jobs.Main build --onnx /tmp/bench-models/resnet50_u8.onnx \
  --output /tmp/bench-models/resnet50_u8.plan --fp16 --max-batch 256 2>&1 | grep -v " INFO " | tail -3
java $TRT_JAVA_OPTS -Xmx32g @/tmp/trt-java-cp.args dev.trtspark.spark.bench.SparkBench parquet-u8 \
  /tmp/bench-models/resnet50_u8.plan resnet50_u8 150528 "$rows" 256 0 2>&1 | grep -v " INFO \| WARN " | tail -2
table=/tmp/bench-data/resnet50_u8-$rows
port=7077
java_cmd org.apache.spark.deploy.master.Master --host 127.0.0.1 --port $port --webui-port 8090 >"$out/master.log" 2>&1 &
sleep 8
n=$(echo "$gpus" | tr ',' '\n' | wc -l)
java_cmd -Dspark.worker.resource.gpu.amount=$n -Dspark.worker.resource.gpu.discoveryScript=/tmp/gpus.sh \
  org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 32 --memory 96g --webui-port 8091 \
  --work-dir /tmp/spark-work spark://127.0.0.1:$port >"$out/worker.log" 2>&1 &
sleep 10
grep -h "Successfully registered\|resource" "$out/worker.log" | head -5
job() { # name executor-cores executor-gpus cores-max task-gpu
  local t0=$(date +%s)
  java_cmd org.apache.spark.deploy.SparkSubmit --master spark://127.0.0.1:$port --deploy-mode client \
    --conf spark.executor.cores=$2 --conf spark.executor.memory=24g --conf spark.cores.max=$4 \
    --conf spark.executor.resource.gpu.amount=$3 --conf spark.task.resource.gpu.amount=$5 \
    --conf spark.driver.host=127.0.0.1 --conf spark.ui.enabled=false --conf spark.trt.slotsPerEngine=16 \
    --conf spark.trt.pinnedPool.maxBytes=32g --class dev.trtspark.jobs.Main "$home/jars/trt-spark.jar" \
    infer --model /tmp/bench-models/resnet50_u8.plan --input "$table" --output /tmp/gpu-cluster-out/$1 --overwrite \
    --bind input=features --batch-size 256 --backend tensorrt >"$out/job-$1.log" 2>&1
  echo "== $1 (exit $?, $(( $(date +%s) - t0 )) s wall including JVM and executor start)"
  grep -E "rows/s|stages|rows out|gpus:" "$out/job-$1.log" || {
    # the executors' own logs say why they did not start or died
    for f in $(ls -t /tmp/spark-work/*/*/stderr 2>/dev/null | head -2); do echo "--- $f"; grep -v " INFO " "$f" | tail -15; done
  }
}
for run in 1 2; do
  job one-gpu-$run 16 1 16 0.0625
  job one-gpu-32-cores-$run 32 1 32 0.03125
  job two-executors-$run 16 1 32 0.0625
  job one-executor-two-gpus-$run 32 2 32 0.0625
done
pkill -f org.apache.spark.deploy.worker.Worker; pkill -f org.apache.spark.deploy.master.Master
