/**
 * Arrow vectors to tensors and back, with the one table of element conversions: an
 * {@code InputColumn} checks a column once and stages each batch (zero copy where it can), an
 * {@code OutputColumn} turns output tensors into vectors; bad rows are found, named and handled here
 * under the bad-row policy.
 *
 * <p>May import: conf, engine, engine.tensor, arrow.memory, Arrow. Must not import: Spark,
 * TensorRT/CUDA ({@code org.bytedeco}), engine.trt, engine.ort, spark-udf, jobs.
 */
package dev.trtspark.arrow.binding;
