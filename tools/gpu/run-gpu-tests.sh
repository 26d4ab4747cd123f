#!/usr/bin/env bash
# Runs the @Tag("gpu") tests on a GPU host from an unpacked offline bundle (see DEVELOPERS.md).
# The bundle carries the dependencies; the project's own class folders come from this working tree
# (build them first, carry them to the GPU host), so code changes need no new bundle.
# usage: tools/gpu/run-gpu-tests.sh [REPORT_DIR] [console-launcher selectors, default: scan the test folders]
set -uo pipefail
source "$(dirname "$0")/env.sh"
out="${1:-$TRT_ROOT/target/gpu-reports}"; shift || true
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
launcher="$(find /opt/trt-bundle/cp -name 'junit-platform-console-standalone-*.jar' | head -1)"
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
  for r in $TEST_ROOTS; do args+=("--scan-class-path=$r"); done
fi
java $TRT_JAVA_OPTS -jar "$launcher" execute @/tmp/trt-launcher-cp.args "${args[@]}" \
  --include-tag gpu --details=tree --disable-banner --reports-dir="$out" 2>&1 | tee "$out/gpu-tests.log"
