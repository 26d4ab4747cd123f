/**
 * The ONNX Runtime backend (CPU): runs ONNX models where there is no GPU, accepts the same shapes
 * as a TensorRT plan built with the same options, and is the reference for {@code compare}.
 * Reached only through {@code OrtBackend}; everything else is package-private.
 *
 * <p>May import: conf, engine, engine.backend, engine.model, engine.tensor, ONNX Runtime.
 * Must not import: engine.trt, {@code org.bytedeco}, Spark, Arrow.
 */
package dev.trtspark.engine.ort;
