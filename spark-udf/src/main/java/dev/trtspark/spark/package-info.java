/**
 * spark-udf's public API, what users and jobs call: {@code TrtInference} (DataFrame transform and
 * {@code predict} column), {@code TrtModel} (Spark ML Transformer, persistable), {@code TrtFunctions}
 * (SQL functions) and {@code InferenceMetrics}. Resolves everything on the driver and hands executors an
 * {@code InferenceSpec}; the executor path is in {@code exec}, the Catalyst operator in {@code sql}.
 *
 * <p>May import: Spark, conf, engine-cache (all but engine.trt and engine.ort), arrow-io.
 * Must not import: TensorRT/CUDA ({@code org.bytedeco}), ONNX Runtime, engine.trt, engine.ort, jobs.
 */
package dev.trtspark.spark;
