/**
 * Raw host memory for tensors: {@code HostMemory} (page-locked where a GPU is usable, plain native
 * memory elsewhere, one API; {@code Engines.hostMemory()} picks one), and {@code NativeAddress}, the one
 * way an address becomes a JavaCPP pointer.
 *
 * <p>May import: engine ({@code EngineException}), JavaCPP's {@code org.bytedeco.javacpp}. Must not import: engine.trt (the page-locked
 * implementation lives there and implements this package's interface, not the other way round),
 * TensorRT, Spark, Arrow.
 */
package dev.trtspark.engine.memory;
