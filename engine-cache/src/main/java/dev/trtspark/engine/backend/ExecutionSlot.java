package dev.trtspark.engine.backend;

import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.engine.tensor.ModelSignature;
import java.util.Collection;
import java.util.List;
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
   * Shapes of every output for a batch whose inputs have these shapes (dimension 0 = rows), where the
   * backend knows them before running.
   *
   * @throws dev.trtspark.engine.EngineException for an output whose shape only the run tells (other
   *     dynamic dimensions than rows, on ONNX Runtime)
   */
  Map<String, long[]> outputShapes(Map<String, long[]> inputShapes);

  /** Where a batch's outputs go: asked once per output, as soon as the backend knows its shape. */
  @FunctionalInterface
  interface OutputBuffers {
    /**
     * Host memory for {@code tensor} of {@code shape} (dimension 0 = the batch's rows), at least
     * elements x element bytes; the caller owns it and keeps it until the batch completes.
     */
    HostTensor allocate(String tensor, long[] shape);
  }

  /**
   * Enqueues one batch. Every model input must be given, with a concrete shape; only the named
   * outputs are copied back (any subset of the model's outputs), into memory that {@code buffers}
   * hands out once each output's shape is known: at submit where the shapes follow from the inputs
   * (TensorRT), after the run where only the run tells (ONNX Runtime with other dynamic dimensions
   * than rows).
   *
   * @throws dev.trtspark.engine.EngineException for shapes outside the model's profile (with the
   *     allowed range), missing inputs, or output buffers too small
   */
  default PendingBatch submit(Map<String, HostTensor> inputs, Collection<String> outputs, OutputBuffers buffers) {
    return submitParts(List.of(new Part(inputs, buffers)), outputs);
  }

  /** One part of a batch submitted in parts: its inputs and where its outputs go. */
  record Part(Map<String, HostTensor> inputs, OutputBuffers buffers) {}

  /**
   * Enqueues several parts as one batch, in order, with one {@link PendingBatch} for all: for example a
   * batch's rows grouped by length, each group padded to its own longest row (on TensorRT each part
   * runs with the optimization profile that fits it). Each part is a batch as {@link #submit} takes
   * it, with its own output memory.
   */
  PendingBatch submitParts(List<Part> parts, Collection<String> outputs);

  /** {@link #submit(Map, Collection, OutputBuffers)} into buffers given up front (each large enough). */
  default PendingBatch submit(Map<String, HostTensor> inputs, Map<String, HostTensor> outputs) {
    return submit(inputs, outputs.keySet(), (tensor, shape) -> outputs.get(tensor).withShape(shape));
  }

  /**
   * The CUDA device this slot's buffers live on, as the driver reports it for their addresses (not as
   * configured), so a caller can check that work runs on the GPU it was given; -1 for a CPU backend.
   */
  default int cudaDevice() {
    return -1;
  }

  /** Waits for every submitted batch, then frees the slot's native resources. Idempotent. */
  @Override
  void close();
}
