#!/usr/bin/env bash
# Runs the @Tag("gpu") tests on a GPU host from an unpacked offline bundle (see DEVELOPERS.md).
# The bundle carries the dependencies; the project's own class folders come from this working tree
# (build them first, carry them to the GPU host), so code changes need no new bundle.
# usage: tools/gpu/run-gpu-tests.sh [REPORT_DIR] [console-launcher selectors, default: scan the test folders]
set -uo pipefail
cd "$(dirname "$0")/../.."
out="${1:-target/gpu-reports}"; shift || true
mkdir -p "$out"
source /opt/trt-bundle/env.sh
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
own=""; tests=""
for m in conf engine-cache arrow-io spark-udf jobs; do
  [ -d "$m/target/classes" ] && own="$own:$PWD/$m/target/classes"
  [ -d "$m/target/test-classes" ] && own="$own:$PWD/$m/target/test-classes" && tests="$tests $PWD/$m/target/test-classes"
done
launcher="$(find /opt/trt-bundle/cp -name 'junit-platform-console-standalone-*.jar' | head -1)"
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--scan-class-path $tests)
java -Dtrt.repo.root="$PWD" -jar "$launcher" execute --class-path "${own#:}:$BUNDLE_CP" "${args[@]}" \
  --include-tag gpu --details=tree --disable-banner --reports-dir="$out" 2>&1 | tee "$out/gpu-tests.log"
