#!/usr/bin/env bash
# A model over 2 GiB end to end on a GPU host with the bundle: an MLP 64-16384-16384-16384-8 in float32
# (2.2 GB of weights, stored as ONNX external data), built into a plan over 2 GiB, compared with ONNX
# Runtime on the digits features, and run by infer. usage: tools/gpu/run-big-plan.sh OUT_DIR
set -uo pipefail
out="${1:?usage: run-big-plan.sh OUT_DIR}"
source "$(dirname "$0")/env.sh"
mkdir -p "$out" /tmp/big
cli() { java $TRT_JAVA_OPTS -Dtrt.home="$TRT_ROOT" @/tmp/trt-java-cp.args dev.trtspark.jobs.Main "$@" 2>&1 \
  | grep -v -e " INFO " -e "^WARNING: Unknown module" -e NativeCodeLoader -e "WARN Utils"; }
d="$TRT_ROOT/examples/digits"
[ -f /tmp/big/big.onnx ] || python3 - <<'PY'
import numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
rs = np.random.RandomState(0)
dims = [64, 16384, 16384, 16384, 8]
inits, nodes, x = [], [], "input"
for i in range(4):
    w = (rs.standard_normal((dims[i], dims[i + 1])).astype(np.float32) / np.sqrt(dims[i])).astype(np.float32)
    inits.append(numpy_helper.from_array(w, f"w{i}"))
    y = f"h{i}" if i < 3 else "matmul_out"
    nodes.append(helper.make_node("MatMul", [x, f"w{i}"], [y], name=f"mm{i}"))
    if i < 3:
        nodes.append(helper.make_node("Relu", [y], [f"r{i}"], name=f"relu{i}"))
        x = f"r{i}"
nodes.append(helper.make_node("Identity", ["matmul_out"], ["output"], name="out"))
g = helper.make_graph(nodes, "big_mlp", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 64])],
                      [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 8])], inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 9  # what ONNX Runtime 1.29 reads (the onnx package here writes 14)
onnx.save_model(m, "/tmp/big/big.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
                location="big.onnx.data", size_threshold=1024)
print("wrote /tmp/big/big.onnx + big.onnx.data")
PY
{
  ls -l /tmp/big
  echo "== build"; t0=$(date +%s)
  cli build --onnx /tmp/big/big.onnx --output /tmp/big/big.plan --max-batch 256; echo "build s: $(( $(date +%s) - t0 ))"
  ls -l /tmp/big/big.plan
  echo "== compare"; cli compare --onnx /tmp/big/big.onnx --plan /tmp/big/big.plan --input "$d/digits.parquet" \
    --bind input=features --rows 512 --atol 1e-2 --rtol 1e-2; echo "compare exit: ${PIPESTATUS[0]}"
  echo "== infer"; cli infer --model /tmp/big/big.plan --input "$d/digits.parquet" --output /tmp/big/pred \
    --bind input=features --overwrite; echo "infer exit: ${PIPESTATUS[0]}"
} 2>&1 | tee "$out/big-plan.txt"
