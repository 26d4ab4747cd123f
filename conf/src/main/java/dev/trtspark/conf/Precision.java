package dev.trtspark.conf;

/** Precisions the TensorRT builder may choose kernels in (TensorRT's builder flags). */
public enum Precision {
  FP32,
  TF32,
  FP16,
  BF16,
  FP8,
  /** Only for models with quantize/dequantize nodes: TensorRT 10 has no calibrator here. */
  INT8
}
