package dev.trtspark.engine.backend;

/**
 * Time one batch spent in each stage on the device, from CUDA events on TensorRT (host-to-device
 * copies, inference, device-to-host copies; with several lanes busy, a stage's time includes waiting for
 * the GPU), or measured around the call on ONNX Runtime (all of it is compute).
 */
public record StageTimes(long h2dNanos, long computeNanos, long d2hNanos) {
  public static final StageTimes ZERO = new StageTimes(0, 0, 0);
}
