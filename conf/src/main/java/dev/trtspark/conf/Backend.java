package dev.trtspark.conf;

/** Which inference backend runs a model. */
public enum Backend {
  /** TensorRT when a CUDA device and the TensorRT libraries load, else ONNX Runtime for ONNX models. */
  AUTO,
  /** TensorRT on a GPU; fails where there is none. */
  TENSORRT,
  /** ONNX Runtime on the CPU; needs an ONNX model. */
  ONNXRUNTIME
}
