/**
 * The overlapped copy/compute pipeline of one task: {@code InferenceRunner} pushes Arrow batches
 * through one execution slot with several batches in flight and returns {@code BatchResult}s in
 * input order, counting what it did in {@code PipelineMetrics}. Sees slots, addresses and sizes,
 * never TensorRT objects.
 *
 * <p>May import: conf, engine, engine.backend, engine.cache, engine.tensor, arrow.binding, arrow.memory,
 * Arrow. Must not import: Spark, TensorRT/CUDA ({@code org.bytedeco}), engine.trt, engine.ort,
 * spark-udf, jobs.
 */
package dev.trtspark.arrow.pipeline;
