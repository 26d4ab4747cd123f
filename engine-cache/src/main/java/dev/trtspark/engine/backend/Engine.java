package dev.trtspark.engine.backend;

import dev.trtspark.engine.tensor.ModelSignature;

/**
 * A deserialized model on one device: heavy, shared by every thread of the JVM through the engine
 * cache, which owns it (callers hold an {@code EngineLease}, never the engine). Threading: all methods
 * are thread-safe; slots it creates are not.
 */
public interface Engine extends AutoCloseable {
  ModelSignature signature();

  /** "tensorrt" or "onnxruntime". */
  String backendName();

  /** Where it runs, for logs and describe(): "GPU 0 (NVIDIA H100 80GB HBM3, sm_90)" or "CPU". */
  String deviceDescription();

  /** Bytes the engine holds (the serialized model size), for the cache's byte limit. */
  long sizeBytes();

  /**
   * Creates an execution slot with {@code lanes} independent lanes (contexts + streams), so that up to
   * {@code lanes} batches can overlap on the GPU. Called by the slot pool only.
   */
  ExecutionSlot newSlot(int lanes);

  /** Frees what can be freed (see each backend's javadoc); idempotent. */
  @Override
  void close();
}
