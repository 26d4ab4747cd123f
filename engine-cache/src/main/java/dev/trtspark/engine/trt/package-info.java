/**
 * TensorRT 10.6 and CUDA 12 through the JavaCPP presets: the backend, engines and slots, the plan
 * builder and plan cache, plugins, pinned host memory, the logger and native deletion. Everything
 * TensorRT-version-specific lives here, and TensorRT/CUDA types never leave engine-cache.
 *
 * <p>May import: conf, every other engine-cache package, {@code org.bytedeco} (TensorRT, CUDA, JavaCPP),
 * Hadoop client API, SLF4J. Must not import: engine.ort, Spark, Arrow.
 */
package dev.trtspark.engine.trt;
