package dev.trtspark.engine.backend;

import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.engine.tensor.ModelSignature;
import java.util.Map;

/**
 * A per-thread handle for running batches on one engine (DJL's Predictor, for us): on TensorRT an
 * execution context + CUDA stream + device buffers sized for the profile's max + an event, per
 * lane. Slots are created once by the engine's pool and reused by task after task, never per task.
 *
 * <p>The API is host addresses and shapes, not Arrow: {@link #submit} enqueues the H2D copies,
 * inference and D2H copies of one batch and returns at once on the GPU, so a caller can fill the next
 * batch while this one runs; batches larger than {@link ModelSignature#maxBatch()} are split.
 *
 * <p>Threading: one thread at a time (the pool's lease enforces it). Input and output memory must
 * stay valid and untouched until the batch's {@link PendingBatch#await()} returns.
 */
public interface ExecutionSlot extends AutoCloseable {
  ModelSignature signature();

  /** Batches this slot can have on the device at once (its lanes); 1 for synchronous backends. */
  int lanes();

  /**
   * Shapes of every output for a batch whose inputs have these shapes (dimension 0 = rows), so that
   * the caller can size output buffers before {@link #submit}.
   */
  Map<String, long[]> outputShapes(Map<String, long[]> inputShapes);

  /**
   * Enqueues one batch. Every model input must be given, with a concrete shape; outputs are written
   * into the given tensors (any subset of the model's outputs; each large enough for its shape).
   *
   * @throws dev.trtspark.engine.EngineException for shapes outside the model's profile (with the
   *     allowed range), missing inputs, or output buffers too small
   */
  PendingBatch submit(Map<String, HostTensor> inputs, Map<String, HostTensor> outputs);

  /** Waits for every submitted batch, then frees the slot's native resources. Idempotent. */
  @Override
  void close();
}
