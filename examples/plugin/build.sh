#!/usr/bin/env bash
# Builds the example TensorRT plugin library libtile2_plugin.so with g++ (no CUDA toolkit needed).
#
# Usage: examples/plugin/build.sh TRT_INCLUDE_DIR CUDART_SO OUT_SO
#   TRT_INCLUDE_DIR  directory with TensorRT 10.6's headers (NvInferRuntime.h, ...)
#   CUDART_SO        path of the CUDA 12 runtime, libcudart.so.12
#   OUT_SO           the library to write, e.g. .gpu-plugin/libtile2_plugin.so
#
# The CUDA runtime declarations come from cuda_min/ (a minimal stand-in for cuda_runtime_api.h).
# The library needs libcudart.so.12 at run time, not libnvinfer: TensorRT is already loaded by the
# process that calls IPluginRegistry::loadLibrary().
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 TRT_INCLUDE_DIR CUDART_SO OUT_SO" >&2
  exit 2
fi
TRT_INCLUDE_DIR=$1
CUDART_SO=$2
OUT_SO=$3
HERE=$(cd "$(dirname "$0")" && pwd)

[ -f "$TRT_INCLUDE_DIR/NvInferRuntime.h" ] || { echo "no NvInferRuntime.h in $TRT_INCLUDE_DIR" >&2; exit 1; }
[ -f "$CUDART_SO" ] || { echo "no such file: $CUDART_SO" >&2; exit 1; }
mkdir -p "$(dirname "$OUT_SO")"

# -isystem: no warnings from TensorRT's own headers.
# -fvisibility=hidden: export only setLoggerFinder, getCreators and getPluginCreators (marked visible in the source).
# -Wno-deprecated-declarations: IPluginV2DynamicExt and IPluginCreator are deprecated in TensorRT 10
# (in favour of IPluginV3) but still supported.
# The runtime is linked by its path, so the library records NEEDED libcudart.so.12 (its soname).
# -z defs: the link fails if any symbol is unresolved (so libnvinfer is indeed not needed).
set -x
g++ -std=c++17 -O2 -shared -fPIC -fvisibility=hidden -fvisibility-inlines-hidden \
  -Wall -Wextra -Wno-deprecated-declarations \
  -I "$HERE/cuda_min" -isystem "$TRT_INCLUDE_DIR" \
  -o "$OUT_SO" "$HERE/tile2_plugin.cpp" \
  -Wl,--no-as-needed "$CUDART_SO" -Wl,--as-needed -Wl,-z,defs
