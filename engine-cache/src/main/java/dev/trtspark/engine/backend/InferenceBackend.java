package dev.trtspark.engine.backend;

import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.model.ModelArtifact;

/** Turns a model artifact into an {@link Engine} on one device. One instance per backend per JVM. */
public interface InferenceBackend {
  /** "tensorrt" or "onnxruntime": part of the engine-cache key. */
  String name();

  /**
   * Deserializes (or, for ONNX on TensorRT, builds) the model on {@code device} (CUDA ordinal, -1 for
   * CPU). Expensive: called by the engine cache once per (sha256, device, backend) per JVM.
   */
  Engine load(ModelArtifact artifact, int device, ResolvedConfig config);
}
