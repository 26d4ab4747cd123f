/**
 * Model artifacts: reading a model's bytes from any Hadoop FileSystem with its sha256 and kind
 * (ONNX or TensorRT plan), the plan sidecar ({@code PlanMetadata}) and the check of a plan against the
 * running TensorRT and device before any native call sees it ({@code PlanCompatibility}).
 *
 * <p>May import: conf, engine, Hadoop client API, Jackson. Must not import: engine.trt, engine.ort,
 * {@code org.bytedeco}, ONNX Runtime, Spark, Arrow.
 */
package dev.trtspark.engine.model;
