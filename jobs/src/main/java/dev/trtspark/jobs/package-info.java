/**
 * The {@code trt-spark} command line and spark-submit main class: {@code build}, {@code inspect},
 * {@code infer}, {@code compare}, {@code bench}, {@code demo}, with one readable error paragraph and
 * documented exit codes.
 *
 * <p>May import: spark-udf's public package {@code dev.trtspark.spark}, conf, engine-cache's front
 * door ({@code dev.trtspark.engine}) and its model and tensor packages, Spark, Hadoop, picocli.
 * Must not import: TensorRT/CUDA ({@code org.bytedeco}), ONNX Runtime, engine.trt, engine.ort,
 * engine.backend, engine.cache, engine.memory, spark.exec, spark.sql, arrow-io, bench.
 */
package dev.trtspark.jobs;
