// Minimal stand-in for the CUDA runtime header, so that the example plugin builds with g++ alone
// (no CUDA toolkit). It declares only what TensorRT's headers and tile2_plugin.cpp use; the
// declarations follow the public CUDA 12 runtime API, and the library is linked against the real
// libcudart.so.12. Do not put this directory on the include path of code that also includes the
// real CUDA headers.
#ifndef TRT_SPARK_CUDA_MIN_RUNTIME_API_H
#define TRT_SPARK_CUDA_MIN_RUNTIME_API_H

#include <cstddef>

extern "C" {

// Opaque handles: the same typedefs as the CUDA runtime (TensorRT's headers use both).
typedef struct CUstream_st* cudaStream_t;
typedef struct CUevent_st* cudaEvent_t;

// Error codes: only success is named here; any other value is an error.
enum cudaError { cudaSuccess = 0 };
typedef enum cudaError cudaError_t;

// Copy directions (values as in the CUDA runtime).
enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4
};

// Copies a matrix of `height` rows of `width` bytes, rows `spitch` bytes apart in src and `dpitch`
// bytes apart in dst, asynchronously on `stream`.
cudaError_t cudaMemcpy2DAsync(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width,
                              size_t height, enum cudaMemcpyKind kind, cudaStream_t stream);

// Human-readable description of an error code.
const char* cudaGetErrorString(cudaError_t error);

}  // extern "C"

#endif  // TRT_SPARK_CUDA_MIN_RUNTIME_API_H
