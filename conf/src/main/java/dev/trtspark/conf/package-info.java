/**
 * Configuration, declared once: typed {@code spark.trt.*} entries (key, type, default, doc,
 * validator), the resolver with its one precedence, and the immutable, serializable
 * {@code InferenceSpec} that executors receive. Also renders {@code docs/configuration.md}.
 *
 * <p>May import: the JDK only. Must not import: Spark, Arrow, TensorRT/CUDA ({@code org.bytedeco}),
 * ONNX Runtime, or any other trt-spark module (every module depends on this one).
 */
package dev.trtspark.conf;
