/**
 * Arrow memory for tensor data: the JVM's root allocator ({@code TensorAllocators}) whose buffers
 * come from a pool of page-locked host memory where a GPU is usable, so that GPU copies go straight
 * out of, and into, Arrow vectors. Each task takes a child allocator and closes it.
 *
 * <p>May import: conf, engine (its front door {@code Engines}), engine.memory, Arrow. Must not import: Spark, TensorRT/CUDA ({@code org.bytedeco}),
 * engine.trt, engine.ort, spark-udf, jobs.
 */
package dev.trtspark.arrow.memory;
