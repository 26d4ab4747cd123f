/**
 * The one executor path every entry point runs: per task a {@code TaskInference} (engine lease, slot,
 * pinned allocator, pipeline runner), released by the task-completion listener of {@code TaskResources};
 * input from rows or from the scan's columnar batches into Arrow, outputs back to rows; the GPU from the
 * task's resources; model bytes from the broadcast.
 *
 * <p>May import: Spark, Arrow, conf, engine-cache (all but engine.trt and engine.ort), arrow-io, spark.
 * Must not import: TensorRT/CUDA ({@code org.bytedeco}), ONNX Runtime, engine.trt, engine.ort, jobs.
 */
package dev.trtspark.spark.exec;
