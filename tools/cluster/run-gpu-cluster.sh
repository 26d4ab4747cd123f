#!/usr/bin/env bash
# Spark standalone with GPU scheduling on one host with two GPUs (the bundle of DEVELOPERS.md unpacked):
# a Spark home from the bundle's Spark and Hadoop jars and the shipped spark-submit jar, a Master and a Worker offering both GPUs
# (discovery script), and ResNet-50 fp16 (uint8 pixels from Parquet) submitted with SparkSubmit three ways:
# one executor with one GPU (16 cores), two executors with one GPU each (16 cores each), one executor with
# both GPUs (32 cores), and one GPU with 32 cores (is one GPU the limit, or the host's cores?). Prints
# rows/s, the per-stage times, and per executor and CUDA device the tasks and engine loads ("gpus:"),
# with the tasks whose slot was on a GPU Spark did not give them (must be 0).
# usage: [SETUP_ONLY=1] [RUNS=2] tools/cluster/run-gpu-cluster.sh OUT_DIR [ROWS]
# (SETUP_ONLY=1: export, build and write the table only, so that a later call has the whole time limit for the jobs)
set -uo pipefail
out="${1:?usage: run-gpu-cluster.sh OUT_DIR [ROWS]}"; rows="${2:-98304}"
source "$(dirname "$0")/../gpu/env.sh"
mkdir -p "$out" /tmp/bench-models
home=/tmp/spark-home; rm -rf "$home"; mkdir -p "$home/jars"
echo "Spark 4.2.0 (from the trt-spark bundle)" >"$home/RELEASE"
# Spark and Hadoop from the bundle; trt-spark, ONNX Runtime, JavaCPP (CUDA, TensorRT bindings) and picocli only
# from the shipped spark-submit jar (build it with mvn -DskipTests package, carry it), as on a real cluster
app=$(ls "$TRT_ROOT"/jobs/target/trt-spark-jobs-*-spark-submit.jar 2>/dev/null | head -1)
[ -n "$app" ] || { echo "no spark-submit jar in jobs/target: build it (mvn -DskipTests package) and carry it"; exit 2; }
IFS=: read -ra cp <<<"$BUNDLE_CP"
for j in "${cp[@]}"; do
  n=$(basename "$j")
  case "$n" in *.jar) ;; *) continue ;; esac
  case "$n" in trt-spark*|onnxruntime*|javacpp*|cuda-*|tensorrt-*|picocli*|*junit*|opentest4j*|apiguardian*|*minicluster*) continue ;; esac
  ln -sf "$j" "$home/jars/"
done
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
[ -f /tmp/bench-models/resnet50_u8.plan ] || java $TRT_JAVA_OPTS -Xmx8g -cp "$app:$home/jars/*" dev.trtspark.jobs.Main build --onnx /tmp/bench-models/resnet50_u8.onnx \
  --output /tmp/bench-models/resnet50_u8.plan --fp16 --max-batch 256 2>&1 | grep -v " INFO " | tail -3
table=/tmp/bench-data/resnet50_u8-$rows
[ -d "$table" ] || java $TRT_JAVA_OPTS -Xmx32g @/tmp/trt-java-cp.args dev.trtspark.bench.SparkBench parquet-u8 \
  /tmp/bench-models/resnet50_u8.plan resnet50_u8 150528 "$rows" 256 0 2>&1 | grep -v " INFO \| WARN " | tail -2
[ "${SETUP_ONLY:-0}" = 1 ] && { echo "setup done: $table"; exit 0; }
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
  vmstat 2 >"$out/vmstat-$1.txt" & local vm=$!
  java_cmd org.apache.spark.deploy.SparkSubmit --master spark://127.0.0.1:$port --deploy-mode client \
    --conf spark.executor.cores=$2 --conf spark.executor.memory=24g --conf spark.cores.max=$4 \
    --conf spark.executor.resource.gpu.amount=$3 --conf spark.task.resource.gpu.amount=$5 \
    --conf spark.driver.host=127.0.0.1 --conf spark.ui.enabled=false --conf spark.trt.slotsPerEngine=16 \
    --conf spark.trt.pinnedPool.maxBytes=32g --class dev.trtspark.jobs.Main "$app" \
    infer --model /tmp/bench-models/resnet50_u8.plan --input "$table" --output /tmp/gpu-cluster-out/$1 --overwrite \
    --bind input=features --batch-size 256 --backend tensorrt >"$out/job-$1.log" 2>&1
  local rc=$?
  kill $vm
  echo "== $1 (exit $rc, $(( $(date +%s) - t0 )) s wall including JVM and executor start)"
  # host CPU over the job (vmstat's us, sy, id, wa columns; the first line is since boot)
  awk 'NR>3 {us+=$13; sy+=$14; id+=$15; wa+=$16; n++} END {if (n) printf "host CPU: user %.0f%%, system %.0f%%, idle %.0f%%, iowait %.0f%% (%d samples)\n", us/n, sy/n, id/n, wa/n, n}' "$out/vmstat-$1.txt"
  grep -E "rows/s|stages|rows out|gpus:" "$out/job-$1.log" || {
    # the executors' own logs say why they did not start or died
    for f in $(ls -t /tmp/spark-work/*/*/stderr 2>/dev/null | head -2); do echo "--- $f"; grep -v " INFO " "$f" | tail -15; done
  }
}
for run in $(seq 1 "${RUNS:-2}"); do
  job one-gpu-$run 16 1 16 0.0625
  job two-executors-$run 16 1 32 0.0625
  job one-gpu-32-cores-$run 32 1 32 0.03125
  job one-executor-two-gpus-$run 32 2 32 0.0625
done
pkill -f org.apache.spark.deploy.worker.Worker; pkill -f org.apache.spark.deploy.master.Master
