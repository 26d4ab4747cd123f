/**
 * Inference in Catalyst: the {@code trt_predict} expression, the optimizer rule that pulls it into one
 * batched logical and physical operator (as Spark plans Arrow-evaluated Python UDFs), the session
 * extension, and {@code TrtSql} for SQL and {@code Column} calls on models named in the conf.
 *
 * <p>May import: Spark, Scala, conf, spark, spark.exec. Must not import: TensorRT/CUDA
 * ({@code org.bytedeco}), ONNX Runtime, engine.trt, engine.ort, jobs.
 */
package dev.trtspark.spark.sql;
