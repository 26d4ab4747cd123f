/**
 * The backend-neutral engine API: {@code InferenceBackend} turns an artifact into an {@code Engine},
 * whose per-thread {@code ExecutionSlot}s run batches over host addresses and shapes ({@code submit},
 * then {@code PendingBatch.await}); {@code AbstractSlot} holds what every backend does alike.
 *
 * <p>May import: conf, engine, engine.model, engine.tensor. Must not import: engine.trt, engine.ort,
 * TensorRT/CUDA ({@code org.bytedeco}), ONNX Runtime, Spark, Arrow.
 */
package dev.trtspark.engine.backend;
